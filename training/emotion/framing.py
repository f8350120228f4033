"""How stable a model's answer is when a face is framed differently (offline; the torch venv).

Detectors frame faces tighter or looser than FER-2013 did, and off-centre. For each PublicTest
face this re-frames the 48x48 image (a centred crop of 0.85x the side, a 1.2x one, and shifts of
10% of the side left, right, up and down), resamples it to 48x48 (bilinear; outside the image
the edge pixels are repeated, the only context a 48x48 row has), and reports the share of faces
whose predicted label is the same as on the original framing. Any .h5 emotion-live reads with a
sidecar (`<model>.meta.json`: labels, input_scale, flip_average) works, ensembles included.

    training/.venv-torch/bin/python -m training.emotion.framing --model models/emotion-cnn.h5 \\
        --test ../shared/data/fer2013-test.csv [--usage PublicTest] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "torch")

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from training.common import fer_data  # noqa: E402

#: name -> (zoom of the crop's side, shift right, shift down), shifts in fractions of the side.
FRAMINGS = {
    "scale 0.85": (0.85, 0.0, 0.0),
    "scale 1.2": (1.2, 0.0, 0.0),
    "shift left 10%": (1.0, -0.1, 0.0),
    "shift right 10%": (1.0, 0.1, 0.0),
    "shift up 10%": (1.0, 0.0, -0.1),
    "shift down 10%": (1.0, 0.0, 0.1),
}


def reframe(x: np.ndarray, zoom: float, dx: float, dy: float) -> np.ndarray:
    """uint8 N x 48 x 48 -> float32 N x 48 x 48 in 0..255: the crop of `zoom` times the side,
    centred `dx`, `dy` (fractions of the side) from the centre, resampled to 48 x 48."""
    t = torch.from_numpy(x).float().unsqueeze(1)
    n = t.shape[0]
    # affine_grid maps output to input coordinates (-1..1): a crop of zoom z is a scale of z, a
    # shift of a fraction f of the side is 2f.
    theta = torch.tensor([[zoom, 0.0, 2 * dx], [0.0, zoom, 2 * dy]], dtype=torch.float32).expand(n, 2, 3)
    grid = F.affine_grid(theta, list(t.shape), align_corners=False)
    return F.grid_sample(t, grid, mode="bilinear", padding_mode="border", align_corners=False)[:, 0].numpy()


class Model:
    """A Keras .h5 and its sidecar: 48x48 grey faces in 0..255 -> probabilities."""

    def __init__(self, path: str):
        import keras
        self.model = keras.models.load_model(path, compile=False)
        meta_path = path[: -len(".h5")] + ".meta.json"
        meta = json.load(open(meta_path)) if os.path.isfile(meta_path) else {}
        self.labels = meta.get("labels", fer_data.LABELS)
        self.scale = meta.get("input_scale", "unit")
        self.flip = bool(meta.get("flip_average", False))
        shape = self.model.input_shape[1:]
        if tuple(shape) != (48, 48, 1):
            sys.exit(f"{path}: input {shape}; this tool feeds 48x48x1 faces")

    def _scaled(self, x: np.ndarray) -> np.ndarray:
        x = x / 255.0 if self.scale == "unit" else (x / 127.5 - 1 if self.scale == "signed" else x)
        return x.astype(np.float32)[..., None]

    def predict(self, x: np.ndarray) -> np.ndarray:
        p = np.asarray(self.model.predict(self._scaled(x), batch_size=256, verbose=0))
        if self.flip:
            p = (p + np.asarray(self.model.predict(self._scaled(x[:, :, ::-1]), batch_size=256, verbose=0))) / 2
        return p.argmax(1)


def stability(model: Model, faces: np.ndarray) -> dict:
    base = model.predict(faces.astype(np.float32))
    out = {name: round(float((model.predict(reframe(faces, *f)) == base).mean()), 4)
           for name, f in FRAMINGS.items()}
    out["scale (mean of 0.85, 1.2)"] = round((out["scale 0.85"] + out["scale 1.2"]) / 2, 4)
    out["shift 10% (mean of 4)"] = round(float(np.mean([out[k] for k in FRAMINGS if k.startswith("shift")])), 4)
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", action="append", required=True, help="a .h5 (give several to compare)")
    p.add_argument("--test", required=True, help="FER-2013 CSV with the rows to re-frame")
    p.add_argument("--usage", default="PublicTest")
    p.add_argument("--json", default="", help="also write the figures here")
    args = p.parse_args(argv)
    sets = fer_data.load(args.test, default_usage=args.usage)
    if args.usage not in sets:
        sys.exit(f"{args.test}: no {args.usage} rows")
    faces = sets[args.usage].x
    results = {}
    for path in args.model:
        if not os.path.isfile(path):
            sys.exit(f"{path}: no such file")
        results[path] = stability(Model(path), faces)
        print(f"{path} on {len(faces)} {args.usage} faces: share whose label stays the same")
        for name, share in results[path].items():
            print(f"  {name:<26} {share:.4f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"usage": args.usage, "faces": int(len(faces)), "results": results}, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
