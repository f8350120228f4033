/// `detectMultiScale`'s parameters, with the original project's defaults.
public struct DetectorOptions: Equatable, Sendable {
    /// How much the search window grows per scale step (> 1). Smaller finds more, slower.
    public var scaleFactor: Double
    /// How many overlapping raw detections a face needs to count.
    public var minNeighbors: Int
    /// Smallest face side in pixels; 0 lets the cascade decide (its 24 px window).
    public var minFace: Int
    /// Largest face side in pixels; 0 for no limit.
    public var maxFace: Int

    public init(scaleFactor: Double = 1.3, minNeighbors: Int = 5, minFace: Int = 0, maxFace: Int = 0) {
        self.scaleFactor = scaleFactor
        self.minNeighbors = minNeighbors
        self.minFace = minFace
        self.maxFace = maxFace
    }
}
