"""Face detectors converted to Keras .h5 for the engine, and what their upstream code computes,
for the Swift detectors' tests. MTCNN: convert_mtcnn, mtcnn_reference, mtcnn_numpy_port (venv
training/.venv-mtcnn). YuNet: convert_yunet (training/.venv-torch), yunet_reference
(training/.venv-onnx). Run as `python -m training.detectors.<name>` from the repository root."""
