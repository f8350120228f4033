/// The two path spellings the pipeline and the detectors need, on plain strings (NSString's,
/// which are outside FoundationEssentials; URL would make relative paths absolute).
package enum PathText {
    /// `name` inside `directory`: one slash between them however `directory` ends.
    package static func join(_ directory: String, _ name: String) -> String {
        guard !directory.isEmpty else { return name }
        return directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    /// The extension of the last component, without its dot: "a/clip.MP4" -> "MP4"; "" for
    /// "a/clip", "a.d/clip" and ".hidden".
    package static func pathExtension(_ path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed.removeLast() }
        let last = trimmed.split(separator: "/", omittingEmptySubsequences: false).last ?? ""
        guard let dot = last.lastIndex(of: "."), dot != last.startIndex else { return "" }
        return String(last[last.index(after: dot)...])
    }
}
