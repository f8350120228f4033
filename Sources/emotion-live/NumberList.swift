import EmotionPipeline

/// A flag's comma-separated numbers (`--crop-margins t,b,l,r`, `--mtcnn-thresholds p,r,o`):
/// exactly `count` of them, each accepted by `accepts`, or nil, which the flag's `validate`
/// turns into its own message.
func numberList(_ text: String, count: Int, accepts: (Double) -> Bool) -> [Double]? {
    let fields = text.split(separator: ",")
    let values = fields.compactMap { Double($0.trimmingWhitespace()) }
    guard fields.count == count, values.count == count, values.allSatisfy(accepts) else { return nil }
    return values
}
