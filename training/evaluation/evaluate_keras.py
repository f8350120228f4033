"""Evaluate a Keras .h5 emotion model on FER-2013 test rows with Keras itself (offline only).

The reference number to compare with the Swift engine's ``emotion-live evaluate``. The model is
fed 48x48 grey faces scaled per --scale (default: the sidecar's ``input_scale``, else unit x/255),
copied to 3 channels if the model wants them and resized if it wants another side. Its outputs
are read in the sidecar's label order (default: the project's canonical alphabetical order;
``--labels fer`` for models in FER-2013 code order such as mini-Xception).

Example, from the repository root:
  training/.venv/bin/python -m training.evaluation.evaluate_keras models/emotion-cnn.h5 \\
      --csv ../shared/data/fer2013-test.csv --usage test
"""

from __future__ import annotations

import argparse
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

from training.common import fer_data  # noqa: E402
from training.common.fer_data import LABELS  # noqa: E402

USAGES = {"test": ["PublicTest", "PrivateTest"], "public": ["PublicTest"],
          "private": ["PrivateTest"], "train": ["Training"], "all": None}
FER_ORDER = ["angry", "disgusted", "fearful", "happy", "sad", "surprised", "neutral"]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("model", help="Keras .h5/.hdf5 model")
    p.add_argument("--csv", required=True, help="FER-2013 CSV (plain or .gz) or an image tree")
    p.add_argument("--usage", choices=sorted(USAGES), default="test",
                   help="test = PublicTest+PrivateTest, public, private, train, all")
    p.add_argument("--scale", choices=["unit", "signed", "raw"], default=None,
                   help="unit x/255, signed (x/255-0.5)*2, raw 0..255 (default: sidecar or unit)")
    p.add_argument("--labels", choices=["canonical", "fer"], default=None,
                   help="model output order (default: sidecar labels, else canonical)")
    p.add_argument("--flip-average", action="store_true",
                   help="also average with the horizontally flipped face")
    p.add_argument("--batch-size", type=int, default=512)
    p.add_argument("--json", default=None, help="also write the full report here")
    args = p.parse_args(argv)

    meta = {}
    meta_path = os.path.splitext(args.model)[0] + ".meta.json"
    if os.path.exists(meta_path):
        with open(meta_path) as f:
            meta = json.load(f)
    scale = args.scale or meta.get("input_scale", "unit")
    if args.labels == "fer":
        order = FER_ORDER
    elif args.labels == "canonical":
        order = LABELS
    else:
        order = [{"disgust": "disgusted", "fear": "fearful", "surprise": "surprised"}.get(l, l)
                 for l in meta.get("labels", LABELS)]
    remap = np.array([LABELS.index(l) for l in order])  # model output index -> canonical index

    sets = fer_data.load(args.csv, default_usage="Test")
    wanted = USAGES[args.usage] or list(sets)
    if args.usage == "test" and "PublicTest" not in sets and "Test" in sets:
        wanted = ["Test"]
    missing = [u for u in wanted if u not in sets]
    if missing:
        sys.exit(f"{args.csv}: no rows with Usage {missing} (has {sorted(sets)})")
    split = fer_data.concat(*[sets[u] for u in wanted])

    import keras
    model = keras.models.load_model(args.model, compile=False)
    _, h, w, c = model.input_shape
    x = split.x.astype(np.float32)[..., None]
    if (h, w) != (48, 48):
        import tensorflow as tf
        x = tf.image.resize(x, (h, w), method="bilinear").numpy()
    x = {"unit": x / 255.0, "signed": (x / 255.0 - 0.5) * 2.0, "raw": x}[scale]
    if c == 3:
        x = np.repeat(x, 3, axis=-1)
    prob = model.predict(x, batch_size=args.batch_size, verbose=0)
    if args.flip_average:
        prob = (prob + model.predict(x[:, :, ::-1, :], batch_size=args.batch_size, verbose=0)) / 2
    pred = remap[prob.argmax(1)]
    rep = fer_data.class_report(split.y, pred)
    title = f"{os.path.basename(args.model)} on {'+'.join(wanted)} (scale {scale}" + (
        ", flip-averaged)" if args.flip_average else ")")
    print(fer_data.format_report(title, rep))
    print(f"accuracy {rep['accuracy']:.4f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rep, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
