import FaceDetection
import Foundation
import XCTest

/// Paths and generated media for the detector and pipeline tests.
public enum Fixtures {
    /// `../shared` beside the package root, found from this file's path; skips the test (with a
    /// message) when it is absent, so the project's own tests still run anywhere.
    public static func shared(_ relativePath: String, file: StaticString = #filePath) throws -> String {
        var root = URL(fileURLWithPath: "\(file)")
        while root.pathComponents.count > 1 {
            root.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) { break }
        }
        let path = root.deletingLastPathComponent().appendingPathComponent("shared").appendingPathComponent(relativePath).path
        guard FileManager.default.fileExists(atPath: path) else {
            throw XCTSkip("../shared/\(relativePath) is absent: the shared media are not beside this checkout")
        }
        return path
    }

    public static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("pipeline-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A grey image whose pixel (x, y) is `value(x, y)`.
    public static func greyImage(width: Int, height: Int, value: (Int, Int) -> UInt8) throws -> Image {
        var bytes = [UInt8](repeating: 0, count: width * height)
        for y in 0..<height { for x in 0..<width { bytes[y * width + x] = value(x, y) } }
        return try Image(bytes: bytes, width: width, height: height, channels: 1)
    }

    /// A BGR image filled with one grey level.
    public static func flatImage(width: Int, height: Int, level: UInt8) throws -> Image {
        try Image(bytes: [UInt8](repeating: level, count: width * height * 3), width: width, height: height, channels: 3)
    }

    public static var cascadeAvailable: Bool { CascadeLocator.locate() != nil }
}
