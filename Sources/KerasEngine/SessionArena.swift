/// Memory that several sessions take turns on. A session's buffers hold nothing between runs
/// (each run writes its input, every activation, then copies the output out), so sessions that
/// never run at the same time can share one arena, the size of the largest. MTCNN's P-Net is
/// planned once per pyramid level and strip size: separate arenas were 28 MB at 854x480, one
/// shared arena is the largest plan's.
///
/// Sessions keep their arena alive. Not thread-safe: the sessions on one arena belong to one
/// thread.
public final class SessionArena {
    let base: UnsafeMutablePointer<Float>
    /// Capacity in floats.
    public let floats: Int

    /// An arena for every session in `models` (each made with `maxBatch`).
    public convenience init(for models: [KerasModel], maxBatch: Int) {
        self.init(floats: models.map { InferenceSession.arenaFloats(model: $0, maxBatch: maxBatch) }.max() ?? 1)
    }

    public init(floats: Int) {
        self.floats = max(floats, 1)
        base = UnsafeMutablePointer<Float>.allocate(capacity: self.floats)
        base.initialize(repeating: 0, count: self.floats)
    }

    /// Bytes the arena holds.
    public var bytes: Int { floats * MemoryLayout<Float>.size }

    deinit {
        base.deinitialize(count: floats)
        base.deallocate()
    }
}
