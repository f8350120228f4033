"""Record what PyPI `mtcnn` 1.0.0 itself detects, for the Swift MTCNN port's tests.

Writes Tests/FaceDetectionTests/Fixtures/mtcnn-reference.json with
  * `package`, `settings`: versions, and every default of `MTCNN().detect_faces` and of its
    three stages, read from the installed package's signatures (not typed in here);
  * `images`: for each .jpg/.png in the media folder, its size, the decoder and the checksum
    of its decoded RGB pixels, the P-Net pyramid scales, how many boxes leave each stage, and
    the faces `detect_faces(pixels)` returns with its defaults: box [x, y, w, h] (integers,
    source-image pixels), confidence, keypoints [x, y]. The pixels are those emotion-live gets
    from OpenCV's cv::imread(IMREAD_COLOR) (libjpeg-turbo, ISLOW integer IDCT, fancy upsampling,
    EXIF orientation applied); Pillow decodes JPEG the same way, byte for byte. The package's
    own path decoder, tf.image.decode_image, uses libjpeg's fast integer IDCT (IFAST) and gives
    other pixels (sums ~0.3-0.8 % lower); the faces `detect_faces(path)` finds on those are kept
    as `faces_tf_decode`;
  * `networks`: the raw outputs of each stage's network on fixed synthetic inputs (no media
    needed), rounded to 6 significant digits, for a per-network check of the engine on
    models/mtcnn-{pnet,rnet,onet}.h5. The package's own networks produce them; the converted
    .h5 files are checked to give the same numbers (1e-5) before anything is written.

Synthetic input (H x W x 3, NHWC, row-major; channel c is R, G, B):
    v(y, x, c) = (7*x + 13*y + 61*c + 11*((x*y) % 17)) % 256        (integers 0..255)
    input      = (v - 127.5) / 128                                    (exact in float32)

Run (from the repository root):
    training/.venv-mtcnn/bin/python -m training.detectors.mtcnn_reference \
        [--images ../shared/media/images] [--out Tests/FaceDetectionTests/Fixtures/mtcnn-reference.json]
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np  # noqa: E402

from training.common import paths  # noqa: E402

TOLERANCE = 1e-5

PATTERN = "v(y, x, c) = (7*x + 13*y + 61*c + 11*((x*y) % 17)) % 256; input = (v - 127.5) / 128"
#: (model file, package stage, output names in order, input H, W)
NETWORK_CASES = [
    ("mtcnn-pnet.h5", "StagePNet", ["bbox_reg", "face_prob"], 40, 50),
    ("mtcnn-pnet.h5", "StagePNet", ["bbox_reg", "face_prob"], 31, 27),
    ("mtcnn-rnet.h5", "StageRNet", ["bbox_reg", "face_prob"], 24, 24),
    ("mtcnn-onet.h5", "StageONet", ["bbox_reg", "landmarks", "face_prob"], 48, 48),
]


def pattern(height: int, width: int) -> tuple[np.ndarray, int]:
    """The synthetic input (1, H, W, 3) float32 and the sum of its integer values v."""
    y, x, c = np.meshgrid(np.arange(height), np.arange(width), np.arange(3), indexing="ij")
    v = (7 * x + 13 * y + 61 * c + 11 * ((x * y) % 17)) % 256
    return ((v - 127.5) / 128).astype(np.float32)[None], int(v.sum())


def sig6(values) -> list:
    return [float(f"{float(v):.6g}") for v in np.asarray(values).ravel()]


def defaults(function) -> dict:
    return {name: p.default for name, p in inspect.signature(function).parameters.items()
            if p.default is not inspect.Parameter.empty}


def settings_record(detector) -> dict:
    from mtcnn.mtcnn import MTCNN
    from mtcnn.stages import StageONet, StagePNet, StageRNet
    from mtcnn.utils.images import build_scale_pyramid
    record = {"stages": [type(s).__name__ for s in detector.stages],
              "detect_faces": defaults(MTCNN.detect_faces)}
    for cls in (StagePNet, StageRNet, StageONet):
        record[cls.__name__] = defaults(cls.__call__)
    record["build_scale_pyramid"] = defaults(build_scale_pyramid)
    return record


DECODER = ("PIL.Image.open, ImageOps.exif_transpose, convert('RGB'): libjpeg-turbo ISLOW IDCT, "
           "fancy upsampling, EXIF orientation applied; the same bytes as OpenCV cv::imread(IMREAD_COLOR)")


def decode_like_opencv(path) -> np.ndarray:
    """H x W x 3 RGB uint8, the pixels cv::imread(path, IMREAD_COLOR) gives (in RGB order)."""
    from PIL import Image, ImageOps
    with Image.open(path) as image:
        return np.asarray(ImageOps.exif_transpose(image).convert("RGB"), dtype=np.uint8).copy()


def package_input(rgb: np.ndarray) -> np.ndarray:
    """What `detect_faces` takes for an array: values 0..255 (arrays are not rescaled, unlike
    decoded paths); float32 so that its `(x - 127.5) / 128` stays float32 and exact."""
    return rgb.astype(np.float32)


def run_stages(detector, image):
    """The pyramid scales and box counts after each stage, the way `detect_faces` runs them."""
    import tensorflow as tf
    from mtcnn.utils.images import build_scale_pyramid, load_images_batch, standarize_batch
    raw = load_images_batch([image])
    normalized, shapes, _ = standarize_batch(raw, normalize=True)
    scales = build_scale_pyramid(shapes[0][1], shapes[0][0], min_face_size=20, scale_factor=0.709)
    counts = {}
    boxes = None
    try:
        for stage in detector.stages:
            boxes = stage(bboxes_batch=boxes, images_normalized=normalized, images_oshapes=shapes)
            counts[type(stage).__name__] = int(len(boxes))
    except tf.errors.InvalidArgumentError:
        # What detect_faces catches as "no faces": a stage was handed no boxes.
        for stage in detector.stages:
            counts.setdefault(type(stage).__name__, 0)
    return [float(s) for s in scales], counts


def face_records(faces) -> list:
    return [{
        "box": [int(v) for v in face["box"]],
        "confidence": float(f"{float(face['confidence']):.9g}"),
        "keypoints": {k: [int(v) for v in face["keypoints"][k]]
                      for k in ("left_eye", "right_eye", "nose", "mouth_left", "mouth_right")},
    } for face in faces]


def image_record(detector, path) -> dict:
    pixels = decode_like_opencv(path)
    height, width = pixels.shape[:2]
    faces = detector.detect_faces(package_input(pixels))
    scales, counts = run_stages(detector, package_input(pixels))
    assert counts["StageONet"] == len(faces), (path, counts, len(faces))
    faces_tf = detector.detect_faces(path)  # the package's own decoder (TensorFlow, IFAST IDCT)
    return {
        "width": int(width), "height": int(height),
        "decoder": DECODER,
        "rgb_sum": int(pixels.astype(np.int64).sum()),
        "pyramid_scales": [float(f"{s:.17g}") for s in scales],
        "boxes_after_stage": {"pnet": counts["StagePNet"], "rnet": counts["StageRNet"], "onet": counts["StageONet"]},
        "faces": face_records(faces),
        "faces_tf_decode": face_records(faces_tf),
    }


def network_cases(detector, models_dir) -> list:
    import keras
    nets = {type(s).__name__: s.model for s in detector.stages}
    cases = []
    loaded = {}
    for file, stage, names, height, width in NETWORK_CASES:
        x, checksum = pattern(height, width)
        theirs = [np.asarray(t)[0] for t in nets[stage](x)]
        if file not in loaded:
            loaded[file] = keras.models.load_model(os.path.join(models_dir, file), compile=False)
        # The file's one output is the package's outputs concatenated on the last axis.
        mine = np.asarray(loaded[file](x))[0]
        diff = float(np.max(np.abs(mine - np.concatenate(theirs, axis=-1))))
        print(f"{file} on {height}x{width}: max |file - package| = {diff:.3g}")
        if diff >= TOLERANCE:
            raise SystemExit(f"{file} differs from the package by {diff}")
        cases.append({
            "model": file, "input_shape": [height, width, 3], "input_value_sum": checksum,
            "outputs": [{"name": n, "shape": list(o.shape), "values": sig6(o)} for n, o in zip(names, theirs)],
        })
    return cases


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", default=os.path.join(paths.SHARED, "media", "images"))
    parser.add_argument("--models", default=os.path.join(paths.ROOT, "models"))
    parser.add_argument("--out", default=os.path.join(paths.DETECTOR_FIXTURES, "mtcnn-reference.json"))
    args = parser.parse_args(argv)

    from importlib.metadata import version

    from mtcnn import MTCNN
    detector = MTCNN()  # the defaults: face_and_landmarks_detection on CPU:0
    images = sorted(f for f in os.listdir(args.images) if f.lower().endswith((".jpg", ".jpeg", ".png")))
    record = {
        "generator": "training/detectors/mtcnn_reference.py",
        "package": {"mtcnn": version("mtcnn"), "tensorflow": version("tensorflow-cpu"), "keras": version("keras"),
                    "numpy": version("numpy")},
        "settings": settings_record(detector),
        "input": "RGB uint8 as OpenCV cv::imread(IMREAD_COLOR) decodes it (see each image's decoder), "
                 "passed to detect_faces as a float32 array of 0..255, not transposed, (v - 127.5) / 128; "
                 "faces_tf_decode: detect_faces(path), the package's tf.image.decode_image pixels",
        "box_format": "[x, y, w, h] integers: x1, y1, x2 - x1, y2 - y1 rounded half to even after clamping "
                      "x to [0, width-1] and y to [0, height-1]; keypoints [x, y] rounded, not clamped",
        "images": {},
        "networks": {"pattern": PATTERN, "layout": "NHWC, row-major, batch 1 (dropped)",
                     "rounding": "6 significant digits", "cases": network_cases(detector, args.models)},
    }
    for name in images:
        entry = image_record(detector, os.path.join(args.images, name))
        record["images"][name] = entry
        print(f"{name}: {entry['width']}x{entry['height']}, rgb_sum {entry['rgb_sum']}, {len(entry['faces'])} face(s) "
              f"({len(entry['faces_tf_decode'])} on TF-decoded pixels), "
              f"boxes after P/R/O-Net {list(entry['boxes_after_stage'].values())}")
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as out:
        json.dump(record, out, separators=(",", ":"))
        out.write("\n")
    print(f"wrote {args.out} ({os.path.getsize(args.out)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
