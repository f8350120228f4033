"""Write the MTCNN face detector of PyPI `mtcnn` 1.0.0 as three plain Keras .h5 files.

The package (Ivan de Paz Centeno, MIT licence) ships its trained weights inside the wheel
(`mtcnn/assets/weights/{pnet,rnet,onet}.lz4`, joblib pickles of `get_weights()` lists) and
defines each network as a *subclassed* `tf.keras.Model` (`mtcnn/network/{pnet,rnet,onet}.py`),
which `model.save("x.h5")` cannot write as a config the Swift engine reads. This script rebuilds
each stage as a Keras *Functional* model of the same layers, with the same names, options and
weights, checks it against the package's own network on random inputs, and saves it:

    models/mtcnn-pnet.h5   input (None, None, 3)  output (H',W',6): bbox_reg 0-3, face_prob 4-5
    models/mtcnn-rnet.h5   input (24, 24, 3)      output (6): bbox_reg 0-3, face_prob 4-5
    models/mtcnn-onet.h5   input (48, 48, 3)      output (16): bbox_reg 0-3, landmarks 4-13, face_prob 14-15

Each network's outputs (bbox_reg, [landmarks,] face_prob, in the package's `call()` order) are
concatenated along the last axis into ONE output: the engine runs single-output models, and one
buffer per network is also what the detector wants to read.

Input: RGB, channels-last, NOT transposed, each value (v - 127.5) / 128 (v in 0..255).
Output order is the package's `call()` order; the output layers are named bbox_reg, landmarks
and face_prob (the package's conv4-1/conv4-2, fc5-1/fc5-2, fc6-1/fc6-2/fc6-3; every other layer
keeps the package's name); `face_prob` is a softmax over [not face, face].
P-Net output pixel (i, j) is the 12x12 window at (x, y) = (2j, 2i) of its input.

`--separate-outputs` also writes `<name>-separate.h5` variants with the outputs apart, as the
package returns them (for other runtimes).

Run (from the repository root):
    training/.venv-mtcnn/bin/python -m training.detectors.convert_mtcnn [--out-dir models] [--separate-outputs]
"""

from __future__ import annotations

import argparse
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np  # noqa: E402

#: Largest |rebuilt - package| allowed on any output (both run the same float32 TensorFlow ops).
TOLERANCE = 1e-5
#: Input normalisation the package applies (`mtcnn/utils/images.py: normalize_images`).
PIXEL_OFFSET = 127.5
PIXEL_SCALE = 1.0 / 128.0


def build_pnet(layers, keras):
    """P-Net, fully convolutional: any height and width >= 12."""
    x = inp = keras.Input(shape=(None, None, 3), name="image")
    x = layers.Conv2D(10, (3, 3), strides=(1, 1), padding="valid", name="conv1")(x)
    x = layers.PReLU(shared_axes=[1, 2], name="prelu1")(x)
    x = layers.MaxPooling2D((2, 2), strides=(2, 2), padding="same", name="maxpooling1")(x)
    x = layers.Conv2D(16, (3, 3), strides=(1, 1), padding="valid", name="conv2")(x)
    x = layers.PReLU(shared_axes=[1, 2], name="prelu2")(x)
    x = layers.Conv2D(32, (3, 3), strides=(1, 1), padding="valid", name="conv3")(x)
    x = layers.PReLU(shared_axes=[1, 2], name="prelu3")(x)
    reg = layers.Conv2D(4, (1, 1), padding="valid", name="bbox_reg")(x)
    prob = layers.Conv2D(2, (1, 1), padding="valid", activation="softmax", name="face_prob")(x)
    return inp, [reg, prob]


def build_rnet(layers, keras):
    x = inp = keras.Input(shape=(24, 24, 3), name="image")
    x = layers.Conv2D(28, (3, 3), padding="valid", name="conv1")(x)
    x = layers.PReLU(shared_axes=[1, 2], name="prelu1")(x)
    x = layers.MaxPooling2D((3, 3), strides=(2, 2), padding="same", name="maxpooling1")(x)
    x = layers.Conv2D(48, (3, 3), padding="valid", name="conv2")(x)
    x = layers.PReLU(shared_axes=[1, 2], name="prelu2")(x)
    x = layers.MaxPooling2D((3, 3), strides=(2, 2), padding="valid", name="maxpooling2")(x)
    x = layers.Conv2D(64, (2, 2), padding="valid", name="conv3")(x)
    x = layers.PReLU(shared_axes=[1, 2], name="prelu3")(x)
    x = layers.Permute((2, 1, 3), name="permute")(x)
    x = layers.Flatten(name="flatten3")(x)
    x = layers.Dense(128, name="fc4")(x)
    x = layers.PReLU(name="prelu4")(x)
    reg = layers.Dense(4, name="bbox_reg")(x)
    prob = layers.Dense(2, activation="softmax", name="face_prob")(x)
    return inp, [reg, prob]


def build_onet(layers, keras):
    x = inp = keras.Input(shape=(48, 48, 3), name="image")
    x = layers.Conv2D(32, (3, 3), padding="valid", name="conv1")(x)
    x = layers.PReLU(shared_axes=[1, 2], name="prelu1")(x)
    x = layers.MaxPooling2D((3, 3), strides=(2, 2), padding="same", name="maxpooling1")(x)
    x = layers.Conv2D(64, (3, 3), padding="valid", name="conv2")(x)
    x = layers.PReLU(shared_axes=[1, 2], name="prelu2")(x)
    x = layers.MaxPooling2D((3, 3), strides=(2, 2), padding="valid", name="maxpooling2")(x)
    x = layers.Conv2D(64, (3, 3), padding="valid", name="conv3")(x)
    x = layers.PReLU(shared_axes=[1, 2], name="prelu3")(x)
    x = layers.MaxPooling2D((2, 2), strides=(2, 2), padding="same", name="maxpooling3")(x)
    x = layers.Conv2D(128, (2, 2), padding="valid", name="conv4")(x)
    x = layers.PReLU(shared_axes=[1, 2], name="prelu4")(x)
    x = layers.Permute((2, 1, 3), name="permute")(x)
    x = layers.Flatten(name="flatten4")(x)
    x = layers.Dense(256, name="fc5")(x)
    x = layers.PReLU(name="prelu5")(x)
    reg = layers.Dense(4, name="bbox_reg")(x)
    landmarks = layers.Dense(10, name="landmarks")(x)
    prob = layers.Dense(2, activation="softmax", name="face_prob")(x)
    return inp, [reg, landmarks, prob]


#: name, builder, package stage class name, {output layer: the package's layer of the same
#: weights} (every other layer keeps the package's name), shapes of the random check inputs.
STAGES = [
    ("pnet", build_pnet, "StagePNet", {"bbox_reg": "conv4-1", "face_prob": "conv4-2"},
     [(1, 12, 12, 3), (1, 40, 50, 3), (2, 31, 27, 3), (1, 97, 131, 3)]),
    ("rnet", build_rnet, "StageRNet", {"bbox_reg": "fc5-1", "face_prob": "fc5-2"},
     [(1, 24, 24, 3), (16, 24, 24, 3)]),
    ("onet", build_onet, "StageONet", {"bbox_reg": "fc6-1", "landmarks": "fc6-2", "face_prob": "fc6-3"},
     [(1, 48, 48, 3), (16, 48, 48, 3)]),
]


def package_networks():
    """The package's three networks with its shipped weights, as its stages load them."""
    from mtcnn.stages import StageONet, StagePNet, StageRNet
    return {"StagePNet": StagePNet().model, "StageRNet": StageRNet().model, "StageONet": StageONet().model}


def rebuild(name, builder, package_model, renamed, concat=False):
    """The Functional model of `builder` with every layer's weights copied from `package_model`."""
    import keras
    from keras import layers
    inp, outputs = builder(layers, keras)
    if concat:
        outputs = [layers.Concatenate(axis=-1, name="outputs")(outputs)]
    model = keras.Model(inp, outputs, name=f"mtcnn_{name}{'_concat' if concat else ''}")
    source = {layer.name: layer for layer in package_model.layers}
    copied = 0
    for layer in model.layers:
        if not layer.weights:
            continue
        theirs = source[renamed.get(layer.name, layer.name)]
        weights = theirs.get_weights()
        mine = layer.get_weights()
        assert [w.shape for w in weights] == [w.shape for w in mine], (layer.name, [w.shape for w in weights], [w.shape for w in mine])
        layer.set_weights(weights)
        copied += 1
    with_weights = [layer for layer in package_model.layers if layer.weights]
    assert copied == len(with_weights), f"{name}: copied {copied} of {len(with_weights)} layers"
    return model


def max_diff(model, package_model, shapes, rng, concat=False):
    """Largest |model - package| over every output of random inputs in the package's range."""
    worst = 0.0
    for shape in shapes:
        x = ((rng.integers(0, 256, size=shape) - PIXEL_OFFSET) * PIXEL_SCALE).astype(np.float32)
        theirs = [np.asarray(t) for t in package_model(x)]
        mine = model(x)
        mine = [np.asarray(m) for m in (mine if isinstance(mine, (list, tuple)) else [mine])]
        if concat:
            theirs = [np.concatenate(theirs, axis=-1)]
        assert len(mine) == len(theirs)
        for a, b in zip(mine, theirs):
            assert a.shape == b.shape, (a.shape, b.shape)
            worst = max(worst, float(np.max(np.abs(a - b))))
    return worst


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out-dir", default="models")
    parser.add_argument("--separate-outputs", action="store_true",
                        help="also write <name>-separate.h5 with the outputs apart")
    parser.add_argument("--seed", type=int, default=20241)
    args = parser.parse_args(argv)

    from importlib.metadata import version

    import keras
    print("mtcnn", version("mtcnn"), "keras", keras.__version__, "tensorflow", version("tensorflow-cpu"))
    nets = package_networks()
    rng = np.random.default_rng(args.seed)
    os.makedirs(args.out_dir, exist_ok=True)
    failed = False
    for name, builder, stage, renamed, shapes in STAGES:
        for concat in ([True, False] if args.separate_outputs else [True]):
            model = rebuild(name, builder, nets[stage], renamed, concat=concat)
            diff = max_diff(model, nets[stage], shapes, rng, concat=concat)
            path = os.path.join(args.out_dir, f"mtcnn-{name}{'' if concat else '-separate'}.h5")
            print(f"{path}: {model.count_params()} parameters, outputs "
                  f"{[tuple(o.shape) for o in model.outputs]}, max |rebuilt - package| = {diff:.3g}")
            if diff >= TOLERANCE:
                print(f"  FAILED: above {TOLERANCE}", file=sys.stderr)
                failed = True
                continue
            model.save(path)
            # The saved file must give the same numbers back.
            reloaded = keras.models.load_model(path, compile=False)
            rdiff = max_diff(reloaded, nets[stage], shapes, rng, concat=concat)
            print(f"  reloaded from {path}: max |file - package| = {rdiff:.3g}")
            if rdiff >= TOLERANCE:
                print(f"  FAILED: reloaded file above {TOLERANCE}", file=sys.stderr)
                failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
