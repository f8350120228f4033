/// The seven FER-2013 emotions, and FER+'s eighth (contempt), under the project's canonical names.
///
/// Models name these classes differently ("disgust" or "disgusted", "fear" or "fearful") and
/// order them differently (FER-2013's codes, alphabetical...). Everything that compares a model's
/// output with ground truth goes through this type, so a model is scored by meaning, not position.
public enum EmotionLabel: String, CaseIterable, Sendable {
    case angry, contempt, disgusted, fearful, happy, neutral, sad, surprised

    /// FER-2013's seven in the canonical (alphabetical) order: the default labels of a 7-output
    /// model without a sidecar, and the order of models trained on FER-2013's labels.
    public static let canonicalOrder: [EmotionLabel] = [.angry, .disgusted, .fearful, .happy, .neutral, .sad, .surprised]

    /// FER+'s eight (contempt added) in the same alphabetical order: the default labels of an
    /// 8-output model without a sidecar, and the order of models trained on FER+'s votes.
    public static let ferPlusOrder: [EmotionLabel] = allCases

    /// Parses a label as spelled by common models and datasets; case-insensitive.
    public init?(spelling: String) {
        switch spelling.lowercased().trimmingWhitespace() {
        case "angry", "anger": self = .angry
        case "contempt", "contemptuous": self = .contempt
        case "disgusted", "disgust": self = .disgusted
        case "fearful", "fear", "scared": self = .fearful
        case "happy", "happiness", "joy": self = .happy
        case "neutral": self = .neutral
        case "sad", "sadness": self = .sad
        case "surprised", "surprise": self = .surprised
        default: return nil
        }
    }

    /// FER-2013's `emotion` column: 0 Angry, 1 Disgust, 2 Fear, 3 Happy, 4 Sad, 5 Surprise, 6 Neutral.
    public init?(fer2013Code code: Int) {
        let codes: [EmotionLabel] = [.angry, .disgusted, .fearful, .happy, .sad, .surprised, .neutral]
        guard codes.indices.contains(code) else { return nil }
        self = codes[code]
    }
}

import FoundationEssentials
