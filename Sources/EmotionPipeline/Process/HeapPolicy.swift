import FoundationEssentials
import Glibc

/// How the C allocator is set up for a run: frame-sized blocks mapped on their own, so that
/// memory stays flat over long runs, and one arena for all threads.
///
/// glibc's malloc serves blocks above a threshold (128 KB at start) with their own mappings,
/// returned to the system on free, but it raises that threshold to the size of each such block
/// freed, up to 32 MB. After the first few frames, frames (600 KB at 596x336, 6 MB at 1080p)
/// and the images made from them come from the heap instead, allocated on the reader thread
/// and freed on the main thread, interleaved with small long-lived blocks; the heap then only
/// grows. Measured on phone_smile_vfr.mp4 looped 5 times with `--output` and `--timeline`:
/// peak RSS 139 MB for one pass, 271 MB for five; with the threshold fixed, 125 MB for both,
/// at the cost of about 5% more system time (a fresh mapping per frame buffer).
public enum HeapPolicy {
    /// glibc's `M_MMAP_THRESHOLD` and `M_ARENA_MAX` (malloc.h), which Swift's Glibc module does
    /// not export.
    private static let mmapThresholdParameter: Int32 = -3
    private static let arenaMaxParameter: Int32 = -8

    /// Fixes malloc's mmap threshold at `bytes` (which also stops its adjustment). Returns
    /// false where there is no glibc `mallopt` (another C library): nothing changes there.
    @discardableResult
    public static func mapLargeBlocks(above bytes: Int32 = 128 << 10) -> Bool {
        mallopt(mmapThresholdParameter, bytes)
    }

    /// Makes every thread allocate from one heap (glibc gives each thread that allocates its own
    /// arena, up to eight per core). The run's threads allocate little besides frame-sized
    /// blocks, which are mapped on their own (`mapLargeBlocks`), so contention is no cost,
    /// while each further arena held its own partly used pages: 0.8 MB less at the peak on the
    /// 1080p crowd clip, same run time. Returns false where there is no glibc `mallopt`.
    @discardableResult
    public static func shareOneArena() -> Bool {
        mallopt(arenaMaxParameter, 1)
    }

    private static func mallopt(_ parameter: Int32, _ value: Int32) -> Bool {
        // Looked up at run time: the declaration lives in <malloc.h>, outside the Glibc module.
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return false }
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        return unsafeBitCast(symbol, to: Mallopt.self)(parameter, value) == 1
    }
}
