"""An executable form of training/detectors/mtcnn-notes.md: PyPI mtcnn 1.0.0's `detect_faces`, rewritten
with NumPy only around the three converted networks (models/mtcnn-*.h5, run by Keras), and
checked against the package's own detections in mtcnn-reference.json.

It exists so that the Swift port has a second, plain implementation to read next to the notes:
no TensorFlow image ops (their area resize and crop-and-resize are written out here, as the
notes describe them), no batching, one image at a time. `--check` (the default) runs it on the
reference images and compares box, keypoints and confidence with the package's results;
`--self-test` compares the two resamplers with TensorFlow's on random data.

    training/.venv-mtcnn/bin/python -m training.detectors.mtcnn_numpy_port [--self-test]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np  # noqa: E402

from training.common import paths  # noqa: E402

F32 = np.float32

MIN_FACE_SIZE, MIN_SIZE, SCALE_FACTOR = 20, 12, 0.709
THRESHOLDS = (0.6, 0.7, 0.8)          # P-Net, R-Net, O-Net face probability, strict ">"
NMS_PNET_SCALE, NMS_PNET_ALL, NMS_RNET, NMS_ONET = 0.5, 0.7, 0.7, 0.7


# ---------------------------------------------------------------- input
def normalize(rgb_u8: np.ndarray) -> np.ndarray:
    """The package decodes to float ([0, 1]) and multiplies by 255, then (x - 127.5) / 128."""
    pixels = rgb_u8.astype(F32) * F32(1.0 / 255.0) * F32(255.0)
    return (pixels - F32(127.5)) / F32(128.0)


# ---------------------------------------------------------------- resamplers
def area_weights(n_in: int, n_out: int) -> np.ndarray:
    """TensorFlow ResizeArea, one axis: weight[o, i] = overlap of input cell [i, i+1) with
    [o*s, (o+1)*s), s = n_in / n_out in float32; indices past the end clamp to the last cell."""
    s = F32(n_in) / F32(n_out)
    w = np.zeros((n_out, n_in), dtype=F32)
    for o in range(n_out):
        a, b = F32(o) * s, F32(o + 1) * s
        for i in range(math.floor(a), math.ceil(b)):
            if i < a:
                weight = s if i + 1 > b else F32(i + 1) - a
            else:
                weight = b - F32(i) if i + 1 > b else F32(1)
            w[o, min(i, n_in - 1)] += F32(weight)
    return w, s


def resize_area(image: np.ndarray, out_h: int, out_w: int) -> np.ndarray:
    """(H, W, C) float32 -> (out_h, out_w, C): sum(weight_y * weight_x * pixel) / (s_y * s_x)."""
    wy, sy = area_weights(image.shape[0], out_h)
    wx, sx = area_weights(image.shape[1], out_w)
    rows = np.einsum("oh,hwc->owc", wy, image)
    return (np.einsum("pw,owc->opc", wx, rows) * F32(1.0 / (sy * sx))).astype(F32)


def crop_and_resize(image: np.ndarray, box_yx: np.ndarray, size: int) -> np.ndarray:
    """TensorFlow crop_and_resize, bilinear, extrapolation 0, one box [y1, x1, y2, x2] already
    divided by (H, W) and cast to float32: sample (i, j) reads input point
    (y1*(H-1) + i*(y2-y1)*(H-1)/(size-1), x1*(W-1) + j*(x2-x1)*(W-1)/(size-1))."""
    h, w = image.shape[:2]
    y1, x1, y2, x2 = [F32(v) for v in box_yx]
    hs = (y2 - y1) * F32(h - 1) / F32(size - 1)
    ws = (x2 - x1) * F32(w - 1) / F32(size - 1)
    out = np.zeros((size, size, image.shape[2]), dtype=F32)
    for i in range(size):
        in_y = y1 * F32(h - 1) + F32(i) * hs
        if in_y < 0 or in_y > h - 1:
            continue
        top, bottom = math.floor(in_y), math.ceil(in_y)
        y_lerp = in_y - F32(top)
        for j in range(size):
            in_x = x1 * F32(w - 1) + F32(j) * ws
            if in_x < 0 or in_x > w - 1:
                continue
            left, right = math.floor(in_x), math.ceil(in_x)
            x_lerp = in_x - F32(left)
            t = image[top, left] + (image[top, right] - image[top, left]) * x_lerp
            b = image[bottom, left] + (image[bottom, right] - image[bottom, left]) * x_lerp
            out[i, j] = t + (b - t) * y_lerp
    return out


# ---------------------------------------------------------------- boxes
def descending(rows: np.ndarray, scores: np.ndarray) -> np.ndarray:
    return rows[np.argsort(scores)[::-1]]


def nms(boxes: np.ndarray, threshold: float, mode: str) -> np.ndarray:
    """Rows already in order; keeps row j iff no EARLIER row i (kept or not) overlaps it by more
    than `threshold`. Areas and intersections without +1."""
    if len(boxes) == 0:
        return boxes
    x1, y1, x2, y2 = boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 3]
    area = (x2 - x1) * (y2 - y1)
    iw = np.maximum(0, np.minimum(x2[:, None], x2[None]) - np.maximum(x1[:, None], x1[None]))
    ih = np.maximum(0, np.minimum(y2[:, None], y2[None]) - np.maximum(y1[:, None], y1[None]))
    inter = iw * ih
    denominator = area[:, None] + area[None] - inter if mode == "union" else np.minimum(area[:, None], area[None])
    overlap = inter / denominator
    keep = [j for j in range(len(boxes)) if not np.any(overlap[:j, j] > threshold)]
    return boxes[keep]


def square(boxes: np.ndarray) -> np.ndarray:
    boxes = boxes.copy()
    w, h = boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]
    side = np.maximum(w, h)
    boxes[:, 0] += w * 0.5 - side * 0.5
    boxes[:, 1] += h * 0.5 - side * 0.5
    boxes[:, 2] = boxes[:, 0] + side
    boxes[:, 3] = boxes[:, 1] + side
    return boxes


def refine(boxes: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    boxes = boxes.copy()
    w = boxes[:, 2] - boxes[:, 0] + 1
    h = boxes[:, 3] - boxes[:, 1] + 1
    boxes[:, 0:4] += offsets * np.stack([w, h, w, h], axis=-1)
    return boxes


def patches(image: np.ndarray, boxes: np.ndarray, size: int) -> np.ndarray:
    h, w = image.shape[:2]
    coords = (boxes[:, [1, 0, 3, 2]] / np.asarray([h, w, h, w], dtype=np.float64)).astype(F32)
    return np.stack([crop_and_resize(image, c, size) for c in coords]) if len(boxes) else np.zeros((0, size, size, 3), F32)


# ---------------------------------------------------------------- pipeline
def pyramid(height: int, width: int) -> np.ndarray:
    min_dim = min(width, height)
    count = round(-((np.log(min_dim / MIN_SIZE) / np.log(SCALE_FACTOR)) + 1))
    return (MIN_SIZE / MIN_FACE_SIZE) * SCALE_FACTOR ** np.arange(count)


def detect(rgb_u8: np.ndarray, pnet, rnet, onet) -> list[dict]:
    """Rows are [x1, y1, x2, y2, score (, 10 landmarks: x1..x5, y1..y5)], float64."""
    height, width = rgb_u8.shape[:2]
    image = normalize(rgb_u8)

    # P-Net over the pyramid
    per_scale = []
    for scale in pyramid(height, width):
        h, w = int(height * scale), int(width * scale)          # truncated
        out = np.asarray(pnet(resize_area(image, h, w)[None]))[0]
        reg, prob = out[..., 0:4], out[..., 4:6]
        ys, xs = np.where(prob[:, :, 1] > THRESHOLDS[0])
        r = reg[ys, xs].astype(np.float64)
        # window corners (2x + 1, 2y + 1) and (2x + 12, 2y + 12): an 11-pixel side
        x1, y1 = xs * 2 + 1 + r[:, 0] * 11, ys * 2 + 1 + r[:, 1] * 11
        x2, y2 = xs * 2 + 12 + r[:, 2] * 11, ys * 2 + 12 + r[:, 3] * 11
        rows = np.stack([x1, y1, x2, y2, prob[ys, xs, 1].astype(np.float64)], axis=-1)
        rows = descending(rows, rows[:, 4])
        rows[:, 0:4] /= scale
        per_scale.append(nms(rows, NMS_PNET_SCALE, "union"))
    boxes = np.concatenate(per_scale) if per_scale else np.zeros((0, 5))
    boxes = square(nms(descending(boxes, boxes[:, 4]), NMS_PNET_ALL, "union"))
    if len(boxes) == 0:
        return []

    # R-Net
    out = np.asarray(rnet(patches(image, boxes, 24)))
    reg, prob = out[:, 0:4], out[:, 4:6]
    boxes[:, 4] = prob[:, 1]
    boxes = refine(boxes, reg)
    boxes = boxes[boxes[:, 4] > THRESHOLDS[1]]
    boxes = square(nms(descending(boxes, boxes[:, 4]), NMS_RNET, "union"))
    if len(boxes) == 0:
        return []

    # O-Net
    out = np.asarray(onet(patches(image, boxes, 48)))
    reg, marks, prob = out[:, 0:4], out[:, 4:14], out[:, 14:16]
    w = boxes[:, 2:3] - boxes[:, 0:1] + 1
    h = boxes[:, 3:4] - boxes[:, 1:2] + 1
    marks = np.concatenate([w * marks[:, 0:5] + boxes[:, 0:1] - 1, h * marks[:, 5:10] + boxes[:, 1:2] - 1], axis=1)
    boxes[:, 4] = prob[:, 1]
    boxes = np.concatenate([refine(boxes, reg), marks], axis=1)
    boxes = boxes[boxes[:, 4] > THRESHOLDS[2]]
    boxes = nms(descending(boxes, boxes[:, 4]), NMS_ONET, "min")

    # Output: clamp the box (not the landmarks), then round x, y, w, h half to even
    faces = []
    for row in boxes:
        x1, x2 = [min(max(v, 0), width - 1) for v in (row[0], row[2])]
        y1, y2 = [min(max(v, 0), height - 1) for v in (row[1], row[3])]
        lm = np.round(row[5:15]).astype(int)
        faces.append({
            "box": [int(v) for v in np.round([x1, y1, x2 - x1, y2 - y1])],
            "confidence": float(row[4]),
            "keypoints": {"left_eye": [lm[0], lm[5]], "right_eye": [lm[1], lm[6]], "nose": [lm[2], lm[7]],
                          "mouth_left": [lm[3], lm[8]], "mouth_right": [lm[4], lm[9]]},
        })
    return faces


# ---------------------------------------------------------------- checks
def self_test() -> int:
    import tensorflow as tf
    rng = np.random.default_rng(7)
    worst_area = worst_crop = 0.0
    for h, w, oh, ow in [(101, 77, 60, 46), (562, 572, 337, 343), (40, 50, 17, 23), (13, 12, 12, 12)]:
        img = rng.uniform(-1, 1, size=(h, w, 3)).astype(F32)
        ref = tf.image.resize(img[None], (oh, ow), method="area").numpy()[0]
        worst_area = max(worst_area, float(np.abs(resize_area(img, oh, ow) - ref).max()))
        boxes = np.asarray([[-0.1, 0.05, 0.7, 0.93], [0.2, -0.3, 1.2, 0.9], [0.33, 0.41, 0.52, 0.6]], dtype=F32)
        for size in (24, 48):
            ref = tf.image.crop_and_resize(img[None], boxes, np.zeros(3, np.int32), (size, size)).numpy()
            mine = np.stack([crop_and_resize(img, b, size) for b in boxes])
            worst_crop = max(worst_crop, float(np.abs(mine - ref).max()))
    print(f"area resize vs TensorFlow: max diff {worst_area:.3g}; crop_and_resize: {worst_crop:.3g}")
    return 0 if worst_area < 1e-5 and worst_crop < 1e-5 else 1


def check(images_dir: str, reference: str, models: str) -> int:
    import keras
    import tensorflow as tf
    nets = [keras.models.load_model(os.path.join(models, f"mtcnn-{n}.h5"), compile=False) for n in ("pnet", "rnet", "onet")]
    ref = json.load(open(reference))["images"]
    mismatches = 0
    for name, expected in sorted(ref.items()):
        rgb = tf.image.decode_image(tf.io.read_file(os.path.join(images_dir, name)), channels=3).numpy()
        faces = detect(rgb, *nets)
        # `faces` are on OpenCV-decoded pixels; these pixels are TensorFlow's, as `faces_tf_decode`.
        expected = {"faces": expected.get("faces_tf_decode", expected["faces"])}
        same = len(faces) == len(expected["faces"]) and all(
            f["box"] == e["box"] and f["keypoints"] == {k: list(v) for k, v in e["keypoints"].items()}
            and abs(f["confidence"] - e["confidence"]) < 1e-5
            for f, e in zip(faces, expected["faces"]))
        mismatches += not same
        worst = max([abs(f["confidence"] - e["confidence"]) for f, e in zip(faces, expected["faces"])], default=0.0)
        print(f"{name}: {len(faces)} face(s), {'same as the package' if same else 'DIFFERENT'}"
              f" (max |confidence - package| {worst:.2g})")
        if not same:
            print("  port:   ", [(f["box"], round(f["confidence"], 6)) for f in faces])
            print("  package:", [(e["box"], round(e["confidence"], 6)) for e in expected["faces"]])
    return 1 if mismatches else 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--self-test", action="store_true")
    parser.add_argument("--images", default=os.path.join(paths.SHARED, "media", "images"))
    parser.add_argument("--reference", default=os.path.join(paths.DETECTOR_FIXTURES, "mtcnn-reference.json"))
    parser.add_argument("--models", default=os.path.join(paths.ROOT, "models"))
    args = parser.parse_args(argv)
    if args.self_test:
        return self_test()
    return check(args.images, args.reference, args.models)


if __name__ == "__main__":
    sys.exit(main())
