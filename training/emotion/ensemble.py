"""Several nets that train.py wrote, as one Keras .h5 that averages their probabilities (offline).

A member may see the mirror image of the face instead of the face. No flip is ever computed:
for these nets (3x3 convolutions with symmetric padding, 2x2 pools on even sides) a net run on the
mirror image is exactly the net with every kernel mirrored and the first dense layer's rows
mirrored, run on the face. So the file is one flat functional Keras model (Input, one branch of
plain layers per member, Average), which the Swift engine runs as it runs any model, in one pass.

Two different nets, one on the face and one on its mirror, score higher than either net averaged
over both views, for the cost of the two passes. The sidecar says `flip_average: false` (the
views are inside the model); it lists the members and every accuracy, chosen on PublicTest.

    training/.venv-torch/bin/python -m training.emotion.ensemble --member A.h5 --member B.h5:mirror \
        --test ../shared/data/fer2013-test.csv [--test-votes ../shared/data/ferplus-test-votes.csv] \
        --out models/emotion-cnn.h5
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import sys

import numpy as np
import torch
from torch import nn

from training.common import fer_data
from training.emotion import distill, export_keras, recipe, scoring  # export_keras: Keras on PyTorch

MIRROR = ":mirror"


class Ensemble(nn.Module):
    """The mean of the members' probabilities; forward returns its log, so softmax(forward(x))
    is that mean, as for a single net."""

    def __init__(self, nets):
        super().__init__()
        self.nets = nn.ModuleList(nets)

    def forward(self, x):
        p = torch.stack([torch.softmax(n(x).float(), 1) for n in self.nets]).mean(0)
        return torch.log(p)


def mirrored(net: nn.Sequential) -> nn.Sequential:
    """The net whose output on a face equals `net`'s on the face's mirror image: kernels flipped
    left-right, and the first dense layer's inputs (PyTorch's C, H, W flatten order) too."""
    out = copy.deepcopy(net).eval()
    first_dense = True
    with torch.no_grad():
        for i, m in enumerate(out):
            if isinstance(m, nn.Conv2d):
                m.weight.copy_(m.weight.flip(-1))
            elif isinstance(m, nn.Linear) and first_dense:
                first_dense = False
                channels = next(c.out_channels for c in reversed(out[:i]) if isinstance(c, nn.Conv2d))
                side = int(round((m.in_features / channels) ** 0.5))
                w = m.weight.reshape(m.out_features, channels, side, side).flip(-1)
                m.weight.copy_(w.reshape(m.out_features, -1))
    return out


def keras_ensemble(members):
    """members: [(net, widths, dense, dropout)] -> a flat functional Keras model averaging them."""
    import keras
    from keras import layers
    face = keras.Input(shape=(48, 48, 1), name="face")
    outputs = []
    for i, (net, widths, dense, dropout) in enumerate(members, start=1):
        single = export_keras.build_keras(widths, dense, dropout, net[-1].out_features)
        export_keras.copy_weights(net, single)
        x = face
        for layer in single.layers:
            config = layer.get_config()
            config["name"] = f"m{i}_{config['name']}"
            twin = type(layer).from_config(config)
            x = twin(x)
            twin.set_weights(layer.get_weights())
        outputs.append(x)
    average = layers.Average(name="average")(outputs)
    return keras.Model(face, average, name="emotion_cnn_ensemble")


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--member", action="append", required=True, metavar="MODEL_H5[:mirror]",
                   help="a .h5 train.py wrote; ':mirror' makes it see the mirror image (give two or more)")
    p.add_argument("--test", required=True, help="FER-2013 CSV with PublicTest and PrivateTest rows")
    p.add_argument("--test-votes", default=None, metavar="CSV",
                   help="FER+ votes row-aligned with --test: score on FER+'s majority (members trained on votes)")
    p.add_argument("--out", default="models/emotion-cnn.h5", help="the ensemble, must end in .h5")
    p.add_argument("--meta", default=None, help="sidecar JSON (default: <out minus .h5>.meta.json)")
    p.add_argument("--reference", default="", help="where PyTorch's outputs on the synthetic faces go")
    p.add_argument("--metrics", default="", help="where the per-split reports (confusion matrices) go")
    args = p.parse_args(argv)
    if len(args.member) < 2:
        p.error("give at least two --member models")
    if not args.out.endswith(".h5"):
        p.error("--out must end in .h5 (Keras legacy HDF5, the format the Swift engine reads)")
    return args


def load_member(spec: str):
    path, mirror = (spec[: -len(MIRROR)], True) if spec.endswith(MIRROR) else (spec, False)
    net, widths, dense, dropout = distill.read_h5_net(path)
    labels = distill.model_labels(path.partition("#")[0], net[-1].out_features)
    return {"path": path, "mirror": mirror, "net": mirrored(net) if mirror else net,
            "widths": widths, "dense": dense, "dropout": dropout, "labels": labels}


def reports_on(net: nn.Module, test_path: str, votes_path, labels) -> dict:
    sets = fer_data.load(test_path, "PrivateTest")
    missing = [u for u in ("PublicTest", "PrivateTest") if u not in sets]
    if missing:
        sys.exit(f"{test_path}: no {' or '.join(missing)} rows")
    if votes_path:
        try:
            fer_data.attach_votes(sets, votes_path)
        except (ValueError, OSError) as e:
            sys.exit(str(e))
        sets = {u: fer_data.ferplus(s, training=False) for u, s in sets.items()}
    sets["PublicTest+PrivateTest"] = fer_data.concat(sets["PublicTest"], sets["PrivateTest"])
    # The ensemble averaged over the face and its mirror too: twice the cost, reported only.
    return scoring.score_splits(lambda x, flip: scoring.probabilities(net, x, flip),
                                {name: sets[name] for name in ("PublicTest", "PrivateTest", "PublicTest+PrivateTest")},
                                "averaged with the mirror image as well, twice the cost", labels)


def write_model(model, out: str, expected_from: nn.Module, check: np.ndarray) -> float:
    """Saves under a temporary name, reloads, compares with PyTorch, then renames."""
    import keras
    expected = export_keras.torch_probabilities(expected_from, check)
    tmp = out + ".tmp.h5"
    model.save(tmp)
    got = np.asarray(keras.models.load_model(tmp, compile=False).predict(check, verbose=0))
    diff = float(np.max(np.abs(got - expected)))
    if diff > export_keras.TOLERANCE:
        os.remove(tmp)
        sys.exit(f"{out}: the Keras ensemble differs from PyTorch by {diff} (> {export_keras.TOLERANCE})")
    os.replace(tmp, out)
    print(f"wrote {out}: reloaded Keras model matches PyTorch within {diff:.2e} on {len(check)} faces")
    return diff


def main(argv=None) -> int:
    args = parse_args(argv)
    torch.manual_seed(0)
    members = [load_member(spec) for spec in args.member]
    labels = members[0]["labels"]
    if any(m["labels"] != labels for m in members):
        sys.exit("the members' labels differ: " + "; ".join(f"{m['path']}: {','.join(m['labels'])}" for m in members))
    net = Ensemble([m["net"] for m in members]).eval()
    reports = reports_on(net, args.test, args.test_votes, labels)
    rng = np.random.default_rng(0)
    check = rng.uniform(0, 1, (32, 48, 48, 1)).astype(np.float32)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    model = keras_ensemble([(m["net"], m["widths"], m["dense"], m["dropout"]) for m in members])
    write_model(model, args.out, net, check)
    if args.reference:
        export_keras.write_torch_reference(net, args.out, args.reference)

    def acc(name, key="accuracy"):
        return round(reports[name][key], 4)

    both = "PublicTest+PrivateTest"
    flops = sum(recipe.count_flops(m["widths"], m["dense"], len(labels)) for m in members)
    params = sum(p.numel() for p in net.parameters())
    views = ", ".join(f"widths {'-'.join(map(str, m['widths']))} on the {'mirror image' if m['mirror'] else 'face'}"
                      for m in members)
    meta = {
        "format": "emotion-live-model",
        "version": 1,
        "labels": labels,
        "input_scale": "unit",
        # The mirror image is already one of the members' views.
        "flip_average": False,
        "description": (f"ensemble of {len(members)} VGG-style CNNs (stages of 2x(conv3x3+BN+ReLU)+maxpool, "
                        f"dense {members[0]['dense']}): {views}; probabilities averaged; 48x48x1 grey input "
                        f"scaled x/255; {flops / 1e6:.1f} MFLOP, {params} parameters"),
        "trained_on": ("FER-2013 Training rows, FER+ vote distributions (Barsoum et al. 2016); scored on "
                       "the FER+ majority label" if args.test_votes else "FER-2013 Training rows"),
        "public_test_accuracy": acc("PublicTest"),
        "private_test_accuracy": acc("PrivateTest"),
        "private_test_accuracy_flip_average": acc("PrivateTest", "accuracy_flip_average"),
        "test_accuracy": acc(both),
        "test_accuracy_flip_average": acc(both, "accuracy_flip_average"),
        "macro_f1": reports[both]["macro_f1"],
        "per_class_f1": {k: v["f1"] for k, v in reports[both]["per_class"].items()},
        "input_shape": [48, 48, 1],
        "mflops": round(flops / 1e6, 1),
        "parameters": int(params),
        "selected_on": "PublicTest",
        "members": [{"model": m["path"], "mirror": m["mirror"], "widths": m["widths"], "dense": m["dense"]}
                    for m in members],
        "framework": f"PyTorch {torch.__version__}",
    }
    meta_path = args.meta or (args.out[: -len(".h5")] + ".meta.json")
    with open(meta_path, "w") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")
    if args.metrics:
        with open(args.metrics, "w") as f:
            json.dump({"meta": meta, "reports": reports}, f, indent=2)
    print(f"wrote {meta_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
