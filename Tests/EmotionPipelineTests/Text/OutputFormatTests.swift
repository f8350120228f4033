import EmotionPipeline
import KerasEngine
import XCTest

final class OutputFormatTests: XCTestCase {
    /// Each command's formats, and the one line a command gives for one it does not write.
    func testEachCommandAcceptsItsFormatsAndNamesThemWhenRefusing() {
        for format in OutputFormat.frameFormats { XCTAssertNil(format.refusal(accepting: OutputFormat.frameFormats)) }
        XCTAssertEqual(OutputFormat.json.refusal(accepting: OutputFormat.frameFormats),
                       "--format json does not apply here; use text, jsonl or csv")
        XCTAssertEqual(OutputFormat.csv.refusal(accepting: OutputFormat.reportFormats),
                       "--format csv does not apply here; use text or json")
        XCTAssertEqual(OutputFormat.json.refusal(accepting: OutputFormat.sampleFormats),
                       "--format json does not apply here; use jsonl or text")
        XCTAssertEqual(Set(OutputFormat.frameFormats + OutputFormat.reportFormats + OutputFormat.sampleFormats),
                       Set(OutputFormat.allCases), "every format is some command's")
    }
}

final class JSONTextTests: XCTestCase {
    func testValuesAreWrittenCompactlyWithSortedKeys() {
        let value: [String: Any] = [
            "b": [1, 2.5, Float(0.25), true, "x\"y\n"], "a": JSONNull(), "c": ["z": Double.nan, "y": -0.0],
        ]
        XCTAssertEqual(jsonString(value), #"{"a":null,"b":[1,2.5,0.25,true,"x\"y\n"],"c":{"y":-0.0,"z":null}}"#)
    }
}
