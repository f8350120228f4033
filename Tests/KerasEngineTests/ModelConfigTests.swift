import XCTest
@testable import KerasEngine

/// `model_config` decoding across Keras generations, on hand-written JSON in each one's shape
/// (the shapes seen in ../shared/models: Keras 2.0.5, tf.keras 2.3-2.15, Keras 3.15).
final class ModelConfigTests: XCTestCase {
    func decode(_ json: String) throws -> ModelConfig { try ModelConfig.decode(json: json, file: "test.h5") }

    func testOldSequentialAsBareListGetsAnInputLayer() throws {
        let config = try decode("""
        {"class_name": "Sequential", "config": [
          {"class_name": "Conv2D", "config": {"name": "c", "batch_input_shape": [null, 8, 8, 1], "filters": 2}},
          {"class_name": "Flatten", "config": {"name": "f"}}]}
        """)
        XCTAssertEqual(config.layers.map(\.className), ["InputLayer", "Conv2D", "Flatten"])
        XCTAssertEqual(config.layers.map(\.inbound), [[], ["c_input"], ["c"]])
        XCTAssertEqual(config.inputNames, ["c_input"])
        XCTAssertEqual(config.outputNames, ["f"])
    }

    func testTFKerasSequentialWithLayersObject() throws {
        let config = try decode("""
        {"class_name": "Sequential", "config": {"name": "s", "layers": [
          {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 4], "name": "in"}},
          {"class_name": "Dense", "config": {"name": "d", "units": 3}}]}}
        """)
        XCTAssertEqual(config.layers.map(\.name), ["in", "d"])
        XCTAssertEqual(config.layers[1].inbound, ["in"])
    }

    func testKeras2FunctionalInboundNodes() throws {
        let config = try decode("""
        {"class_name": "Model", "config": {"layers": [
          {"class_name": "InputLayer", "name": "i", "config": {"batch_input_shape": [null, 4]}, "inbound_nodes": []},
          {"class_name": "Dense", "name": "a", "config": {"units": 4}, "inbound_nodes": [[["i", 0, 0, {}]]]},
          {"class_name": "Add", "name": "sum", "config": {}, "inbound_nodes": [[["a", 0, 0, {}], ["i", 0, 0, {}]]]}],
          "input_layers": [["i", 0, 0]], "output_layers": [["sum", 0, 0]]}}
        """)
        XCTAssertEqual(config.layers[2].inbound, ["a", "i"])
        XCTAssertEqual(config.inputNames, ["i"])
    }

    func testKeras3InboundNodesAndSingleTensorReferences() throws {
        let config = try decode("""
        {"class_name": "Functional", "config": {"layers": [
          {"class_name": "InputLayer", "name": "i", "config": {"batch_shape": [null, 4], "name": "i"}, "inbound_nodes": []},
          {"class_name": "Dense", "name": "a", "config": {"units": 4, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}}},
           "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {"shape": [null, 4], "keras_history": ["i", 0, 0]}}], "kwargs": {}}]},
          {"class_name": "Concatenate", "name": "cat", "config": {"axis": -1},
           "inbound_nodes": [{"args": [[{"class_name": "__keras_tensor__", "config": {"keras_history": ["a", 0, 0]}},
                                        {"class_name": "__keras_tensor__", "config": {"keras_history": ["i", 0, 0]}}]], "kwargs": {}}]}],
          "input_layers": ["i", 0, 0], "output_layers": ["cat", 0, 0]}}
        """)
        XCTAssertEqual(config.layers[1].inbound, ["i"])
        XCTAssertEqual(config.layers[2].inbound, ["a", "i"])
        XCTAssertEqual(config.inputNames, ["i"])
        XCTAssertEqual(config.outputNames, ["cat"])
    }

    func testSharedLayersAreRefused() {
        XCTAssertThrowsError(try decode("""
        {"class_name": "Model", "config": {"layers": [
          {"class_name": "Dense", "name": "a", "config": {"units": 4}, "inbound_nodes": [[["i", 0, 0, {}]], [["i", 0, 0, {}]]]}],
          "input_layers": [["i", 0, 0]], "output_layers": [["a", 1, 0]]}}
        """)) { error in
            XCTAssertTrue("\(error)".hasPrefix("test.h5: "), "\(error)")
            XCTAssertTrue("\(error)".contains("shared"), "\(error)")
        }
    }

    func testNotJSONIsOneClearLine() {
        XCTAssertThrowsError(try decode("{'class_name': 'Model'}")) { error in
            XCTAssertEqual("\(error)", "test.h5: invalid model_config: not JSON")
        }
    }
}
