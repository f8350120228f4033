"""Record what onnxruntime computes with YuNet-n, for the Swift engine's tests of models/yunet-n.h5.

The reference is the upstream ONNX export `yunet_n_dynamic.onnx` (ShiqiYu/libfacedetection.train,
Apache-2.0; see ../shared/models/yunet/PROVENANCE.md), run by onnxruntime on the CPU. Nothing
here reads the converted .h5: the fixtures say what *upstream* computes, and any converter or
engine is checked against that.

Input convention (both the ONNX graph and models/yunet-n.h5): BGR, raw 0..255 (no scaling),
height and width multiples of 32 (a picture is padded with zeros at the bottom and right).
The ONNX graph is NCHW; the fixtures store everything NHWC, row-major, as the engine lays it out.

Outputs, 12 tensors, always in this order (the ONNX graph's and models/yunet-n.h5's):
    cls_8 cls_16 cls_32  obj_8 obj_16 obj_32  bbox_8 bbox_16 bbox_32  kps_8 kps_16 kps_32
`<kind>_<s>` is a (H/s, W/s, C) map, C = 1, 1, 4, 10. ONNX gives it as (1, N, C) with the
N = (H/s)(W/s) cells row-major, which is the same numbers in the same order. cls and obj are
probabilities (the sigmoid is inside both graphs); bbox and kps are raw regressions.

Decoding (`decode`, as OpenCV's FaceDetectorYN does): score = sqrt(clamp(cls) * clamp(obj));
for the cell at row r, column c of stride s: centre ((c + bbox0) s, (r + bbox1) s), size
(exp(bbox2) s, exp(bbox3) s); landmark k at ((kps[2k] + c) s, (kps[2k+1] + r) s); keep scores
>= 0.6, then greedy non-maximum suppression at IoU 0.3.

Fixture JSON (one file per case):
    {"model": ..., "onnxruntime": version, "input": {"shape": [H, W, 3], "layout": "NHWC BGR 0..255",
     "values": [ints, row-major]}, "outputs": [{"name": "cls_8", "shape": [H/8, W/8, 1],
     "values": [floats, 8 significant digits]}, ...12], "faces": [{"box": [x, y, w, h],
     "score": s, "landmarks": [[x, y] x5]}], "decode": {...settings}}

Run (from the repository root; onnxruntime lives in its own venv, `training/.venv-onnx`, made by
`python3 -m venv training/.venv-onnx && training/.venv-onnx/bin/pip install -r training/requirements-onnx.txt`):
    training/.venv-onnx/bin/python -m training.detectors.yunet_reference fixtures
        # writes Tests/FaceDetectionTests/Fixtures/yunet/yunet-random-64x96.json (~90 KB)
    training/.venv-onnx/bin/python -m training.detectors.yunet_reference fixtures --photo two_people.jpg \
        --out-dir /tmp/yunet    # also a real photo, at most 320 px wide (~0.8 MB: not committed)
    training/.venv-onnx/bin/python -m training.detectors.yunet_reference faces
        # faces per photo of ../shared/media/images, upstream's numbers
    training/.venv-onnx/bin/python -m training.detectors.yunet_reference parity
        # Tests/FaceDetectionTests/Fixtures/yunet/yunet-parity.json: faces on every shared
        # photo and on frames 0, 45, 90 of every shared clip (needs ffmpeg)
    training/.venv-onnx/bin/python -m training.detectors.yunet_reference run --inputs X.npz --out Y.npz
        # ONNX outputs for NHWC inputs in an .npz (used by convert_yunet.py --check)
"""

from __future__ import annotations

import argparse
import json
import os
import sys

import numpy as np

from training.common import paths

DEFAULT_ONNX = os.path.join(paths.SHARED, "models", "yunet", "yunet_n_dynamic.onnx")
DEFAULT_IMAGES = os.path.join(paths.SHARED, "media", "images")
DEFAULT_OUT_DIR = os.path.join(paths.DETECTOR_FIXTURES, "yunet")

STRIDES = (8, 16, 32)
KINDS = (("cls", 1), ("obj", 1), ("bbox", 4), ("kps", 10))
#: The 12 outputs in order, with their channel counts.
OUTPUTS = [(f"{kind}_{s}", channels) for kind, channels in KINDS for s in STRIDES]
OUTPUT_NAMES = [name for name, _ in OUTPUTS]
#: Input height and width must be multiples of this (three 2x poolings after a stride-2 conv).
MULTIPLE = 32

SCORE_THRESHOLD = 0.6
NMS_IOU = 0.3

#: Seed and size of the committed random fixture.
RANDOM_SEED = 30
RANDOM_SIZE = (64, 96)


# ----------------------------------------------------------------------------
# Pictures

def load_bgr(path: str, max_width: int | None = None) -> np.ndarray:
    """A photo as (H, W, 3) uint8 BGR, EXIF orientation applied (as cv::imread does), shrunk
    (Pillow, bilinear with antialiasing) to at most `max_width` columns when given."""
    from PIL import Image, ImageOps
    with Image.open(path) as image:
        image = ImageOps.exif_transpose(image).convert("RGB")
        if max_width is not None and image.width > max_width:
            height = max(1, round(image.height * max_width / image.width))
            image = image.resize((max_width, height), Image.Resampling.BILINEAR)
        rgb = np.asarray(image, dtype=np.uint8)
    return np.ascontiguousarray(rgb[:, :, ::-1])


def pad_to_multiple(image: np.ndarray, multiple: int = MULTIPLE) -> np.ndarray:
    """Zeros at the bottom and right up to the next multiples of `multiple`; detections keep
    the picture's own coordinates."""
    height, width = image.shape[:2]
    padded_h = -(-height // multiple) * multiple
    padded_w = -(-width // multiple) * multiple
    return np.pad(image, ((0, padded_h - height), (0, padded_w - width), (0, 0)))


def random_input(height: int, width: int, seed: int) -> np.ndarray:
    """(H, W, 3) integers 0..255 as float32, from NumPy's PCG64 with `seed`."""
    return np.random.default_rng(seed).integers(0, 256, size=(height, width, 3)).astype(np.float32)


# ----------------------------------------------------------------------------
# onnxruntime

def onnx_session(path: str = DEFAULT_ONNX):
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1  # the machine's cores belong to a training job
    options.inter_op_num_threads = 1
    return ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])


def run_onnx(session, image: np.ndarray) -> dict[str, np.ndarray]:
    """The 12 outputs for one (H, W, 3) BGR 0..255 image, each as a (H/s, W/s, C) float32 map."""
    height, width = image.shape[:2]
    if height % MULTIPLE or width % MULTIPLE:
        raise ValueError(f"input {height}x{width}: height and width must be multiples of {MULTIPLE}")
    nchw = np.ascontiguousarray(image.astype(np.float32).transpose(2, 0, 1)[None])
    values = session.run(OUTPUT_NAMES, {session.get_inputs()[0].name: nchw})
    maps = {}
    for (name, channels), value in zip(OUTPUTS, values):
        stride = int(name.split("_")[1])
        maps[name] = value.reshape(height // stride, width // stride, channels)
    return maps


# ----------------------------------------------------------------------------
# Decoding (pure NumPy; convert_yunet.py imports it to decode the Keras model's outputs too)

def decode(maps: dict[str, np.ndarray], score_threshold: float = SCORE_THRESHOLD,
           nms_iou: float = NMS_IOU) -> list[dict]:
    """Faces from the 12 maps, best first: box [x, y, w, h] in input pixels, score, landmarks."""
    boxes, scores, landmarks = [], [], []
    for stride in STRIDES:
        cls = np.clip(maps[f"cls_{stride}"][..., 0], 0, 1)
        obj = np.clip(maps[f"obj_{stride}"][..., 0], 0, 1)
        bbox = maps[f"bbox_{stride}"]
        kps = maps[f"kps_{stride}"]
        score = np.sqrt(cls * obj)
        rows, cols = np.nonzero(score >= score_threshold)
        for r, c in zip(rows, cols):
            b = bbox[r, c].astype(np.float64)
            cx, cy = (c + b[0]) * stride, (r + b[1]) * stride
            w, h = np.exp(b[2]) * stride, np.exp(b[3]) * stride
            boxes.append([cx - w / 2, cy - h / 2, w, h])
            scores.append(float(score[r, c]))
            k = kps[r, c].astype(np.float64)
            landmarks.append([[(k[2 * i] + c) * stride, (k[2 * i + 1] + r) * stride] for i in range(5)])
    keep = nms(np.array(boxes).reshape(-1, 4), np.array(scores), nms_iou)
    return [{"box": [float(v) for v in boxes[i]], "score": scores[i],
             "landmarks": [[float(x), float(y)] for x, y in landmarks[i]]} for i in keep]


def nms(boxes: np.ndarray, scores: np.ndarray, iou_threshold: float) -> list[int]:
    """Greedy non-maximum suppression over [x, y, w, h] boxes: indices kept, best first."""
    kept: list[int] = []
    for i in np.argsort(-scores, kind="stable"):
        x, y, w, h = boxes[i]
        suppressed = False
        for j in kept:
            xj, yj, wj, hj = boxes[j]
            iw = min(x + w, xj + wj) - max(x, xj)
            ih = min(y + h, yj + hj) - max(y, yj)
            inter = max(iw, 0.0) * max(ih, 0.0)
            union = w * h + wj * hj - inter
            if union > 0 and inter / union > iou_threshold:
                suppressed = True
                break
        if not suppressed:
            kept.append(int(i))
    return kept


# ----------------------------------------------------------------------------
# Commands

def _significant(values: np.ndarray, digits: int = 8) -> list[float]:
    return [float(f"{v:.{digits}g}") for v in values.reshape(-1).tolist()]


def fixture(session, image: np.ndarray, description: str) -> dict:
    import onnxruntime as ort
    maps = run_onnx(session, image)
    return {
        "description": description,
        "model": "yunet_n_dynamic.onnx (ShiqiYu/libfacedetection.train 0047ac2, Apache-2.0)",
        "onnxruntime": ort.__version__,
        "tolerance_note": "onnxruntime float32 on CPU; values rounded to 8 significant digits",
        "input": {"shape": list(image.shape), "layout": "NHWC, BGR, raw 0..255, row-major",
                  "values": [int(v) for v in image.reshape(-1)]},
        "outputs": [{"name": name, "shape": list(maps[name].shape), "values": _significant(maps[name])}
                    for name in OUTPUT_NAMES],
        "decode": {"score": "sqrt(clamp(cls) * clamp(obj))", "score_threshold": SCORE_THRESHOLD,
                   "nms_iou": NMS_IOU},
        "faces": decode(maps),
    }


def write_json(path: str, data: dict) -> None:
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(data, f, separators=(",", ":"))
        f.write("\n")
    os.replace(tmp, path)
    print(f"wrote {os.path.relpath(path, paths.ROOT)} ({os.path.getsize(path) / 1024:.0f} KB)")


def command_fixtures(args) -> None:
    session = onnx_session(args.onnx)
    height, width = RANDOM_SIZE
    image = random_input(height, width, RANDOM_SEED)
    write_json(os.path.join(args.out_dir, f"yunet-random-{height}x{width}.json"),
               fixture(session, image, f"uniform random integers 0..255, NumPy default_rng({RANDOM_SEED}), {height}x{width}x3"))
    for name in args.photo:
        photo = load_bgr(os.path.join(args.images, name), max_width=args.max_width)
        image = pad_to_multiple(photo)
        stem = os.path.splitext(name)[0]
        data = fixture(session, image.astype(np.float32),
                       f"{name}: EXIF-transposed, Pillow bilinear to {photo.shape[1]}x{photo.shape[0]}, "
                       f"zero-padded bottom/right to {image.shape[1]}x{image.shape[0]}, RGB->BGR")
        write_json(os.path.join(args.out_dir, f"yunet-{stem}-{image.shape[0]}x{image.shape[1]}.json"), data)
        print(f"  {name}: {len(data['faces'])} faces")


def command_faces(args) -> None:
    session = onnx_session(args.onnx)
    for name in sorted(os.listdir(args.images)):
        if not name.lower().endswith((".jpg", ".jpeg", ".png")):
            continue
        photo = load_bgr(os.path.join(args.images, name), max_width=args.max_width)
        faces = decode(run_onnx(session, pad_to_multiple(photo)))
        scores = " ".join(f"{f['score']:.3f}" for f in faces)
        print(f"{name:24s} {photo.shape[1]}x{photo.shape[0]}  {len(faces)} faces  {scores}")


def clip_frames(path: str, indices: list[int]) -> dict[int, np.ndarray]:
    """Frames `indices` (0-based, in decoding order) of a clip as (H, W, 3) uint8 BGR, decoded by
    the ffmpeg program (every frame as decoded: no frame-rate conversion), bicubic swscale to
    bgr24 with BT.601 coefficients whatever the clip's tag says, as the shim's FFmpeg reader (and
    OpenCV's) converts them."""
    import subprocess
    probe = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height",
                            "-of", "csv=p=0", path], check=True, capture_output=True, text=True).stdout.split(",")
    width, height = int(probe[0]), int(probe[1])
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", path, "-map", "0:v:0", "-fps_mode", "passthrough",
                          "-frames:v", str(max(indices) + 1), "-vf", "scale=in_color_matrix=bt601:flags=bicubic", "-f", "rawvideo",
                          "-pix_fmt", "bgr24", "-"], check=True, capture_output=True).stdout
    size = width * height * 3
    return {i: np.frombuffer(raw[i * size:(i + 1) * size], dtype=np.uint8).reshape(height, width, 3)
            for i in indices if (i + 1) * size <= len(raw)}


def command_parity(args) -> None:
    """Upstream's faces on every shared photo and on frames of every shared clip, each at its own
    size (padded), with the sum of its BGR bytes so a test can tell it decoded the same pixels."""
    session = onnx_session(args.onnx)
    pictures = []

    def add(kind: str, name: str, image: np.ndarray, **extra) -> None:
        faces = decode(run_onnx(session, pad_to_multiple(image).astype(np.float32)), score_threshold=args.threshold)
        for face in faces:
            face["box"] = [round(v, 4) for v in face["box"]]
            face["score"] = round(face["score"], 7)
            face["landmarks"] = [[round(x, 4), round(y, 4)] for x, y in face["landmarks"]]
        pictures.append({"kind": kind, "name": name, **extra, "width": image.shape[1], "height": image.shape[0],
                         "bgr_sum": int(image.astype(np.int64).sum()), "faces": faces})
        print(f"  {name} {extra.get('frame', '')}: {image.shape[1]}x{image.shape[0]}, {len(faces)} faces")

    for name in sorted(os.listdir(args.images)):
        if name.lower().endswith((".jpg", ".jpeg", ".png")):
            add("photo", name, load_bgr(os.path.join(args.images, name)))
    for name in sorted(os.listdir(args.videos)):
        if name.lower().endswith((".mp4", ".mov", ".mkv", ".webm")):
            for index, frame in sorted(clip_frames(os.path.join(args.videos, name), args.frames).items()):
                add("clip", name, frame, frame=index)
    write_json(args.out, {
        "description": "upstream YuNet-n (onnxruntime) on every photo of ../shared/media/images (decoded as "
                       "cv::imread does: Pillow, EXIF applied; bgr_sum checks the bytes) and on frames of every "
                       "clip of ../shared/media/videos (ffmpeg, every decoded frame, bicubic to bgr24, BT.601), each "
                       "zero-padded bottom/right to multiples of 32; faces as `decode` gives them",
        "model": "yunet_n_dynamic.onnx (ShiqiYu/libfacedetection.train 0047ac2, Apache-2.0)",
        "decode": {"score": "sqrt(clamp(cls) * clamp(obj))", "score_threshold": args.threshold, "nms_iou": NMS_IOU},
        "pictures": pictures})


def command_run(args) -> None:
    session = onnx_session(args.onnx)
    results = {}
    with np.load(args.inputs) as inputs:
        for key in inputs.files:
            for name, value in run_onnx(session, inputs[key]).items():
                results[f"{key}/{name}"] = value
    np.savez(args.out, **results)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--onnx", default=DEFAULT_ONNX, help="upstream ONNX export (default: %(default)s)")
    parser.add_argument("--images", default=DEFAULT_IMAGES, help="photos folder (default: %(default)s)")
    parser.add_argument("--max-width", type=int, default=None,
                        help="shrink photos wider than this first (fixtures: 320)")
    commands = parser.add_subparsers(dest="command", required=True)
    fixtures = commands.add_parser("fixtures", help="write fixture JSON files")
    fixtures.add_argument("--out-dir", default=DEFAULT_OUT_DIR, help="where to write (default: %(default)s)")
    fixtures.add_argument("--photo", action="append", default=[],
                          help="also a fixture of this photo of --images (repeatable; large, not committed)")
    commands.add_parser("faces", help="faces per photo of --images, upstream's count")
    parity = commands.add_parser("parity", help="faces on every shared photo and on frames of every shared clip")
    parity.add_argument("--videos", default=os.path.join(paths.SHARED, "media", "videos"), help="clips folder (default: %(default)s)")
    parity.add_argument("--frames", type=int, nargs="+", default=[0, 45, 90], help="frame indices per clip (default: %(default)s)")
    parity.add_argument("--threshold", type=float, default=SCORE_THRESHOLD, help="score threshold (default: %(default)s)")
    parity.add_argument("--out", default=os.path.join(DEFAULT_OUT_DIR, "yunet-parity.json"), help="where to write (default: %(default)s)")
    run = commands.add_parser("run", help="ONNX outputs for the NHWC arrays of an .npz")
    run.add_argument("--inputs", required=True, help=".npz of (H, W, 3) BGR 0..255 arrays")
    run.add_argument("--out", required=True, help=".npz written with '<input key>/<output name>' maps")
    args = parser.parse_args(argv)
    if args.command == "fixtures" and args.max_width is None:
        args.max_width = 320
    {"fixtures": command_fixtures, "faces": command_faces, "parity": command_parity, "run": command_run}[args.command](args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
