@testable import FaceDetection
import TestSupport
import XCTest

/// Faces the picture's edge cuts, looked for past it (`MTCNNBorder.swift`).
extension MTCNNDetectorTests {
    /// A framed picture reads black around the picture and the picture's own values inside,
    /// pixel by pixel and row by row alike.
    func testABorderedPictureIsBlackAroundThePicture() {
        let (width, height) = (5, 3)
        let bytes: [UInt8] = (0..<(width * height * 3)).map { UInt8(($0 * 37 + 11) % 256) }
        let table = NormalizedFrame.table()
        bytes.withUnsafeBufferPointer { b in
            table.withUnsafeBufferPointer { t in
                let inner = NormalizedFrame(bytes: b.baseAddress!, width: width, height: height, channels: 3, table: t.baseAddress!)
                let framed = BorderedPicture(inner: inner, border: 2, black: inner.blackValue)
                XCTAssertEqual([framed.width, framed.height], [9, 7])
                XCTAssertEqual(inner.blackValue, -127.5 / 128)
                var row = [Float](repeating: .nan, count: framed.width * 3)
                for y in 0..<framed.height {
                    row.withUnsafeMutableBufferPointer { framed.row(y, into: $0.baseAddress!) }
                    for x in 0..<framed.width {
                        let inside = (2..<5).contains(y) && (2..<7).contains(x)
                        for c in 0..<3 {
                            let want = inside ? inner.value((y - 2) * width + (x - 2), c) : inner.blackValue
                            XCTAssertEqual(framed.value(y * framed.width + x, c), want, "(\(x), \(y)) channel \(c)")
                            XCTAssertEqual(row[x * 3 + c], want, "row \(y), (\(x), \(y)) channel \(c)")
                        }
                    }
                }
            }
        }
    }

    /// On the shared photos, the border adds only faces that reach the picture's edge and
    /// changes none of the others: group_selfie's two people cut by the right edge (the man in
    /// glasses, the man in front) are found, 6 of its 7 faces, where the picture alone gives 4;
    /// every other photo gives exactly the faces it gave.
    func testTheBorderAddsOnlyFacesTheEdgeCuts() throws {
        let images = try XCTUnwrap(Self.reference["images"] as? [String: [String: Any]])
        let plain = try makeDetector(MTCNNOptions(border: 0)), framed = try makeDetector(MTCNNOptions(border: 0.2))
        for name in images.keys.sorted() {
            let image = try Image.read(path: try Fixtures.shared("media/images/\(name)"))
            let (without, with) = try image.bytes.withUnsafeBufferPointer { pixels in
                (try plain.detect(pixels: pixels, width: image.width, height: image.height, channels: image.channels),
                 try framed.detect(pixels: pixels, width: image.width, height: image.height, channels: image.channels))
            }
            for face in without {
                XCTAssertTrue(with.contains(face), "\(name): \(face.box) is no longer found as it was")
            }
            let added = with.filter { !without.contains($0) }
            for face in added {
                let box = face.box
                XCTAssertTrue(box.x == 0 || box.y == 0 || box.x + box.width >= image.width - 1 || box.y + box.height >= image.height - 1,
                              "\(name): an added face \(box) does not reach the edge")
            }
            XCTAssertEqual(added.count, name == "group_selfie.jpg" ? 2 : 0, "\(name): added \(added.map(\.box))")
        }
    }
}
