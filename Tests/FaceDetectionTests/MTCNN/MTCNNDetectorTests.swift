@testable import FaceDetection
import Foundation
import KerasEngine
import TestSupport
import XCTest

/// MTCNN against the Python package it was converted from (PyPI `mtcnn` 1.0.0):
/// Fixtures/mtcnn-reference.json holds the package's networks' raw outputs on synthetic inputs
/// (checked without ../shared) and its detections on the shared photos (training/detectors/mtcnn_reference.py).
final class MTCNNDetectorTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static func model(_ stage: String) -> String { root.appendingPathComponent("models/mtcnn-\(stage).h5").path }

    static let reference: [String: Any] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/mtcnn-reference.json")
        let data = (try? Data(contentsOf: url)) ?? Data("{}".utf8)
        return ((try? JSONSerialization.jsonObject(with: data)) as? [String: Any]) ?? [:]
    }()

    func makeDetector(_ options: MTCNNOptions = MTCNNOptions()) throws -> MTCNNDetector {
        try MTCNNDetector(pnet: Self.model("pnet"), rnet: Self.model("rnet"), onet: Self.model("onet"), options: options)
    }

    /// The fixture's synthetic input: v(y, x, c) = (7x + 13y + 61c + 11((xy) mod 17)) mod 256,
    /// scaled (v - 127.5) / 128.
    private func pattern(height: Int, width: Int) -> (input: [Float], sum: Int) {
        var input: [Float] = [], sum = 0
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<3 {
                    let v = (7 * x + 13 * y + 61 * c + 11 * ((x * y) % 17)) % 256
                    sum += v
                    input.append((Float(v) - 127.5) / 128)
                }
            }
        }
        return (input, sum)
    }

    /// Each network file run by the engine gives the package's outputs, concatenated on the last
    /// axis, within 1e-4 (the fixture keeps 6 significant digits; summation order differs).
    func testEachNetworkGivesThePackagesOutputs() throws {
        let networks = try XCTUnwrap(Self.reference["networks"] as? [String: Any], "the fixture is readable")
        let cases = try XCTUnwrap(networks["cases"] as? [[String: Any]])
        XCTAssertEqual(cases.count, 4)
        for entry in cases {
            let file = try XCTUnwrap(entry["model"] as? String)
            let shape = try XCTUnwrap(entry["input_shape"] as? [Int])
            let (input, sum) = pattern(height: shape[0], width: shape[1])
            XCTAssertEqual(sum, entry["input_value_sum"] as? Int, "\(file): the same synthetic input")
            let path = Self.root.appendingPathComponent("models/\(file)").path
            let model = try KerasModel.load(path: path, inputSize: ImageSize(height: shape[0], width: shape[1]))
            let got = model.makeSession(maxBatch: 1).predict(input, batch: 1)
            let outputs = try XCTUnwrap(entry["outputs"] as? [[String: Any]])
            let parts = try outputs.map { try XCTUnwrap($0["values"] as? [Double]) }
            let channels = try outputs.map { try XCTUnwrap(($0["shape"] as? [Int])?.last) }
            let positions = parts[0].count / channels[0]
            var expected: [Double] = []
            for p in 0..<positions {
                for (values, width) in zip(parts, channels) { expected += values[(p * width)..<((p + 1) * width)] }
            }
            XCTAssertEqual(got.count, expected.count, "\(file) on \(shape): output size")
            let worst = zip(got, expected).map { abs(Double($0) - $1) }.max() ?? .infinity
            XCTAssertLessThan(worst, 1e-4, "\(file) on \(shape)")
        }
    }

    /// The pyramid of every reference picture, from its size alone.
    func testPyramidScalesAreThePackages() throws {
        let images = try XCTUnwrap(Self.reference["images"] as? [String: [String: Any]])
        XCTAssertEqual(images.count, 7)
        let detector = try makeDetector()
        for (name, image) in images {
            let width = try XCTUnwrap(image["width"] as? Int), height = try XCTUnwrap(image["height"] as? Int)
            let expected = try XCTUnwrap(image["pyramid_scales"] as? [Double])
            let scales = detector.scales(width: width, height: height)
            XCTAssertEqual(scales.count, expected.count, name)
            for (a, b) in zip(scales, expected) { XCTAssertEqual(a, b, accuracy: 1e-12, name) }
        }
    }

    /// On the shared photos: the package's faces, each matched by IoU >= 0.9 with landmarks
    /// within 2 px and confidence within 1e-3, and no other face (the picture alone, as the
    /// package searches it: no border).
    func testFacesAreThePackagesOnTheSharedPhotos() throws {
        let images = try XCTUnwrap(Self.reference["images"] as? [String: [String: Any]])
        let detector = try makeDetector(MTCNNOptions(border: 0))
        for name in images.keys.sorted() {
            let path = try Fixtures.shared("media/images/\(name)")
            let image = try Image.read(path: path)
            let pixels = image.bytes
            let faces = try pixels.withUnsafeBufferPointer {
                try detector.detect(pixels: $0, width: image.width, height: image.height, channels: image.channels)
            }
            let expected = try XCTUnwrap(images[name]?["faces"] as? [[String: Any]])
            XCTAssertEqual(faces.count, expected.count, "\(name): faces \(faces.map(\.box))")
            for reference in expected {
                let b = try XCTUnwrap(reference["box"] as? [Int])
                let box = FaceBox(x: b[0], y: b[1], width: b[2], height: b[3])
                guard let face = faces.max(by: { $0.box.intersectionOverUnion(box) < $1.box.intersectionOverUnion(box) }), face.box.intersectionOverUnion(box) >= 0.9 else {
                    XCTFail("\(name): the package's face \(box) is not found; found \(faces.map(\.box))")
                    continue
                }
                XCTAssertEqual(face.confidence, try XCTUnwrap(reference["confidence"] as? Double), accuracy: 1e-3, name)
                let points = try XCTUnwrap(reference["keypoints"] as? [String: [Double]])
                for (index, key) in ["left_eye", "right_eye", "nose", "mouth_left", "mouth_right"].enumerated() {
                    let point = try XCTUnwrap(points[key])
                    XCTAssertEqual(face.landmarks[index].x, point[0], accuracy: 2, "\(name) \(key)")
                    XCTAssertEqual(face.landmarks[index].y, point[1], accuracy: 2, "\(name) \(key)")
                }
            }
        }
    }

    /// A lost face is found again in the window around its last box: from a box shifted and
    /// scaled as a moving face's would be, the face the whole search finds (IoU >= 0.8;
    /// landmarks: median within 3 px, each within 12% of the face's height, since O-Net places
    /// them from the box it is given, which the window's candidates frame a little
    /// differently); a box where no face is gives nothing.
    func testALostFaceIsFoundAgainAroundItsLastBox() throws {
        let detector = try makeDetector()
        var errors: [Double] = []
        for name in ["one_face_frontal.jpg", "two_people.jpg", "many_faces.jpg"] {
            let image = try Image.read(path: try Fixtures.shared("media/images/\(name)"))
            let pixels = image.bytes
            try pixels.withUnsafeBufferPointer { buffer in
                let faces = try detector.detect(pixels: buffer, width: image.width, height: image.height, channels: image.channels)
                XCTAssertFalse(faces.isEmpty, name)
                for face in faces {
                    let b = face.box
                    let moved = FaceBox(x: b.x + b.width / 8, y: b.y - b.height / 10, width: b.width * 9 / 10, height: b.height * 9 / 10)
                    let again = try XCTUnwrap(detector.refind(moved, pixels: buffer, width: image.width, height: image.height,
                                                              channels: image.channels), "\(name): \(b) not found again")
                    XCTAssertGreaterThanOrEqual(again.box.intersectionOverUnion(b), 0.8, "\(name): \(again.box) for \(b)")
                    for (point, expected) in zip(again.landmarks, face.landmarks) {
                        let error = max(abs(point.x - expected.x), abs(point.y - expected.y))
                        errors.append(error)
                        XCTAssertLessThanOrEqual(error, 0.12 * Double(b.height), "\(name): face \(b), \(point) for \(expected)")
                    }
                }
            }
        }
        // Where the window maps back to the frame is checked by the typical point; one turned
        // face's eye moves by 10 px with its framing.
        XCTAssertLessThanOrEqual(errors.sorted()[errors.count / 2], 3, "median landmark error, px")
        let empty = try Image.read(path: try Fixtures.shared("media/images/no_faces.jpg"))
        let pixels = empty.bytes
        let nothing = pixels.withUnsafeBufferPointer {
            detector.refind(FaceBox(x: empty.width / 3, y: empty.height / 3, width: 80, height: 80), pixels: $0,
                            width: empty.width, height: empty.height, channels: empty.channels)
        }
        XCTAssertNil(nothing, "no face where there is none")
        XCTAssertEqual(detector.timing.refinds, faceCount(in: ["one_face_frontal.jpg", "two_people.jpg", "many_faces.jpg"]) + 1)
    }

    private func faceCount(in names: [String]) -> Int {
        guard let images = Self.reference["images"] as? [String: [String: Any]] else { return -1 }
        return names.map { (images[$0]?["faces"] as? [Any])?.count ?? 0 }.reduce(0, +)
    }

    /// The reference's suppression is not greedy: a box overlapped by one that was itself
    /// suppressed still goes.
    func testSuppressionDropsBoxesOverlappedByAnySuppressedBox() {
        let a = MTCNNBox(x1: 0, y1: 0, x2: 10, y2: 10, score: 0.9)
        let b = MTCNNBox(x1: 3, y1: 0, x2: 13, y2: 10, score: 0.8)   // IoU with a: 7/13
        let c = MTCNNBox(x1: 6, y1: 0, x2: 16, y2: 10, score: 0.7)   // with a: 4/16, with b: 7/13
        XCTAssertEqual(MTCNNBoxes.suppress([a, b, c], threshold: 0.5, mode: .union), [a])
        XCTAssertEqual(MTCNNBoxes.suppress([a, c], threshold: 0.5, mode: .union), [a, c])
        let inner = MTCNNBox(x1: 2, y1: 2, x2: 6, y2: 6, score: 0.5)
        XCTAssertEqual(MTCNNBoxes.suppress([a, inner], threshold: 0.7, mode: .union), [a, inner])
        XCTAssertEqual(MTCNNBoxes.suppress([a, inner], threshold: 0.7, mode: .minimum), [a], "inside a: overlap 1 of the smaller")
    }

    /// Area resizing: an integer ratio is the mean of each block; any ratio keeps the mean.
    func testAreaResizeAveragesTheCoveredPixels() {
        let source: [Float] = (0..<(4 * 6 * 3)).map { Float($0 % 7) }
        var half = [Float](repeating: 0, count: 2 * 3 * 3)
        var odd = [Float](repeating: 0, count: 3 * 4 * 3)
        source.withUnsafeBufferPointer { values in
            let picture = FloatPicture(values: values.baseAddress!, width: 6, height: 4)
            AreaResize(inputHeight: 4, inputWidth: 6, outputHeight: 2, outputWidth: 3).apply(picture, into: &half)
            AreaResize(inputHeight: 4, inputWidth: 6, outputHeight: 3, outputWidth: 4).apply(picture, into: &odd)
        }
        for oy in 0..<2 {
            for ox in 0..<3 {
                for c in 0..<3 {
                    let block = [(0, 0), (0, 1), (1, 0), (1, 1)].map { source[((2 * oy + $0.0) * 6 + 2 * ox + $0.1) * 3 + c] }
                    XCTAssertEqual(half[(oy * 3 + ox) * 3 + c], block.reduce(0, +) / 4, accuracy: 1e-5)
                }
            }
        }
        let mean = { (values: [Float]) in values.reduce(0, +) / Float(values.count) }
        XCTAssertEqual(mean(odd), mean(source), accuracy: 1e-4)
    }

    /// A frame's bytes read in place (BGR or grey) give the floats the reference makes from
    /// them, through both resamplings: exactly through the crop, within float rounding through
    /// the area resize (which sums a frame's bytes before normalizing them).
    func testFrameBytesReadAsTheNormalizedFloats() {
        let width = 23, height = 17
        let bgr: [UInt8] = (0..<(width * height * 3)).map { UInt8(($0 * 37 + $0 / 5) % 256) }
        let grey: [UInt8] = (0..<(width * height)).map { UInt8(($0 * 11) % 256) }
        let normalized = { (v: UInt8) in (Float(v) * Float(1.0 / 255.0) * 255 - 127.5) / 128 }
        let fromBGR: [Float] = (0..<(width * height)).flatMap { p in [2, 1, 0].map { normalized(bgr[p * 3 + $0]) } }
        let fromGrey: [Float] = grey.flatMap { [normalized($0), normalized($0), normalized($0)] }
        let table = NormalizedFrame.table()
        let box = MTCNNBox(x1: -3.5, y1: 2.25, x2: 15.75, y2: 19.5, score: 1)
        let resize = AreaResize(inputHeight: height, inputWidth: width, outputHeight: 9, outputWidth: 12)
        for (bytes, channels, floats) in [(bgr, 3, fromBGR), (grey, 1, fromGrey)] {
            var cropBytes = [Float](repeating: 0, count: 24 * 24 * 3), cropFloats = cropBytes
            var levelBytes = [Float](repeating: 0, count: 9 * 12 * 3), levelFloats = levelBytes
            bytes.withUnsafeBufferPointer { b in
                floats.withUnsafeBufferPointer { f in
                table.withUnsafeBufferPointer { table in
                let table = table.baseAddress!
                    let frame = NormalizedFrame(bytes: b.baseAddress!, width: width, height: height, channels: channels, table: table)
                    let picture = FloatPicture(values: f.baseAddress!, width: width, height: height)
                    cropAndResize(frame, box: box, size: 24, into: &cropBytes)
                    cropAndResize(picture, box: box, size: 24, into: &cropFloats)
                    resize.apply(frame, into: &levelBytes)
                    resize.apply(picture, into: &levelFloats)
                }
                }
            }
            XCTAssertEqual(cropBytes, cropFloats, "\(channels) channel(s): crop")
            for (a, b) in zip(levelBytes, levelFloats) {
                XCTAssertEqual(a, b, accuracy: 2e-6, "\(channels) channel(s): area resize")
            }
            XCTAssertTrue(cropBytes.contains(0) && cropBytes.contains { $0 != 0 }, "the box reaches outside the picture")
        }
    }

    /// P-Net run in strips of rows gives the map it gives run whole, on a level tall enough for
    /// several strips and a shorter last one; and all strips share one arena.
    func testPNetInStripsGivesTheWholeLevelsMap() throws {
        // Tall enough that the level's buffers, not the scratch every plan has, set its arena.
        let width = 70, height = 301
        let (input, _) = pattern(height: height, width: width)
        var arenas: [Int] = []
        func map(stripRows: Int) throws -> (values: [Float], strips: Int) {
            let pyramid = try MTCNNPyramid(pnet: Self.model("pnet"), width: width, height: height, scales: [1],
                                           stripRows: stripRows) { floats in arenas.append(floats); return SessionArena(floats: floats) }
            let level = try XCTUnwrap(pyramid.levels.first)
            var values = [Float](repeating: .nan, count: level.mapHeight * level.mapWidth * 6)
            input.withUnsafeBufferPointer { MTCNNPyramid.run(level, input: $0.baseAddress!, map: &values) }
            return (values, level.strips.count)
        }
        let whole = try map(stripRows: 0), strips = try map(stripRows: 7)
        XCTAssertEqual(whole.strips, 1)
        XCTAssertEqual(strips.strips, 21, "146 rows: twenty strips of 7 and one of 6")
        XCTAssertEqual(whole.values.count, 146 * 30 * 6)
        XCTAssertFalse(strips.values.contains { $0.isNaN }, "every row of the map written")
        let worst = zip(whole.values, strips.values).map { abs($0 - $1) }.max() ?? .infinity
        XCTAssertLessThanOrEqual(worst, 1e-5, "strips give the whole level's map")
        XCTAssertLessThan(arenas[1], arenas[0] / 3, "a strip's buffers are a fraction of the level's")
    }

    /// A file of another network, or none, is refused naming the file.
    func testAWrongOrMissingNetworkFileIsNamed() throws {
        let classifier = Self.root.appendingPathComponent("models/emotion-cnn.h5").path
        XCTAssertThrowsError(try MTCNNDetector(pnet: Self.model("pnet"), rnet: Self.model("rnet"), onet: classifier)) { error in
            XCTAssertEqual("\(error)".components(separatedBy: "\n").count, 1)
            XCTAssertTrue("\(error)".hasPrefix(classifier + ": not an MTCNN network"), "\(error)")
        }
        let missing = Self.root.appendingPathComponent("models/absent-pnet.h5").path
        XCTAssertThrowsError(try MTCNNDetector(pnet: missing, rnet: Self.model("rnet"), onet: Self.model("onet"))) { error in
            XCTAssertTrue("\(error)".contains(missing), "\(error)")
        }
    }

    /// No faces in a flat picture, and none in one smaller than P-Net's window.
    func testFlatAndTinyPicturesHaveNoFaces() throws {
        let detector = try makeDetector()
        let flat = [UInt8](repeating: 128, count: 64 * 48 * 3)
        XCTAssertEqual(try flat.withUnsafeBufferPointer { try detector.detect(pixels: $0, width: 64, height: 48, channels: 3) }, [])
        let tiny = [UInt8](repeating: 128, count: 11 * 11)
        XCTAssertEqual(try tiny.withUnsafeBufferPointer { try detector.detect(pixels: $0, width: 11, height: 11, channels: 1) }, [])
    }
}
