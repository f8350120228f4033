import XCTest
final class EmotionPipelineTestsPlaceholder: XCTestCase { func testNothing() {} }
