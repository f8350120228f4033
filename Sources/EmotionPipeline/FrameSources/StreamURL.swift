/// A network source's URL: its scheme, and the form every message, log line and output shows,
/// with any credentials replaced by `***`.
///
/// `rtsp://user:secret@cam.local/stream` shows as `rtsp://***@cam.local/stream`; the user and the
/// password are also scrubbed from any text (an FFmpeg message that quotes the URL or a part of
/// it) that passes through `scrub`.
public struct StreamURL: Equatable, Sendable, CustomStringConvertible {
    /// The URL as given, credentials included: only ever handed to FFmpeg.
    public let text: String
    /// Lower-cased scheme, e.g. "rtsp".
    public let scheme: String
    /// The URL with its user information replaced by `***`.
    public let redacted: String
    private let secrets: [String]

    /// Schemes whose streams are live by nature (cameras, broadcasts): no duration, no seeking.
    public static let liveSchemes: Set<String> = ["rtsp", "rtsps", "rtmp", "rtmps", "rtmpt", "udp", "rtp", "srt", "tcp", "rist"]

    /// A URL as emotion-live accepts it: `scheme://rest`, the scheme being letters, digits, `+`,
    /// `-` or `.` and starting with a letter. Nil for anything else (paths, camera indices).
    public init?(_ text: String) {
        guard let separator = text.firstRange(of: "://") else { return nil }
        let scheme = text[..<separator.lowerBound]
        guard let first = scheme.first, first.isASCII, first.isLetter,
              scheme.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) }) else { return nil }
        self.text = text
        self.scheme = scheme.lowercased()
        let rest = text[separator.upperBound...]
        // The authority ends at the first '/', '?' or '#'; user information is what precedes its
        // last '@' (a password may itself hold an '@').
        let authorityEnd = rest.firstIndex(where: { "/?#".contains($0) }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        if let at = authority.lastIndex(of: "@") {
            let userInfo = String(authority[..<at])
            redacted = String(text[..<separator.upperBound]) + "***" + String(rest[at...])
            var secrets = [userInfo]
            secrets += userInfo.split(separator: ":", maxSplits: 1).map(String.init)
            secrets += secrets.compactMap { $0.removingPercentEncoding() }
            self.secrets = Array(Set(secrets.filter { $0.count >= 3 })).sorted { $0.count > $1.count }
        } else {
            redacted = text
            secrets = []
        }
    }

    public var description: String { redacted }

    /// Whether the scheme alone makes the stream live (`liveSchemes`).
    public var hasLiveScheme: Bool { Self.liveSchemes.contains(scheme) }

    /// `message` with the URL, and the user name and password in it, replaced by their redacted
    /// forms.
    public func scrub(_ message: String) -> String {
        guard !secrets.isEmpty else { return message }
        var result = message.replacing(text, with: redacted)
        for secret in secrets { result = result.replacing(secret, with: "***") }
        return result
    }
}

extension String {
    /// Percent-decoding of a URL part (`p%40ss` is `p@ss`); nil when it holds a broken escape.
    fileprivate func removingPercentEncoding() -> String? {
        guard contains("%") else { return self }
        var bytes: [UInt8] = []
        var iterator = utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next(), let low = iterator.next(),
                      let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) else { return nil }
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
