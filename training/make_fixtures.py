#!/usr/bin/env python3
"""Write the Keras-generated reference fixtures the Swift engine's tests use (offline only).

Two kinds of fixtures go to Tests/KerasEngineTests/Fixtures/ (see the README written there):

* ``emotion-cnn.reference.json``: Keras's outputs of the bundled model models/emotion-cnn.h5 for
  a few synthetic 48x48 faces-that-are-not-faces (gradients, a checkerboard, a blob, seeded noise).
  No FER-2013 data is used: the fixtures must not carry the data set.
* a layer zoo: one tiny model per layer family, ``layer-<name>.h5`` written by Keras 3
  ``model.save('x.h5')`` (legacy HDF5), with random but seeded weights (biases, BatchNormalization
  statistics and PReLU slopes included, so nothing is trivially 0 or 1), and ``layer-<name>.json``
  holding 3-4 seeded inputs and Keras's outputs.

JSON format (the same as ../shared/reference/*.json, plus ``output_shape``):
  {"model": "<file>.h5", "input_shape": [H, W, C], "preprocessing": "raw"|"unit",
   "layout": "NHWC, row-major, flattened", "output_shape": [...],
   "cases": [{"name": ..., "input": [floats], "output": [floats]}]}
"input" is what is fed to the model as-is ("raw": no scaling is applied by the test; "unit":
already scaled x/255); both tensors are flattened in row-major NHWC order without the batch axis.
Every float is a float32 value written exactly.

Regenerate (deterministic for a given Keras/TF/CPU):
  training/.venv/bin/python training/make_fixtures.py
"""

from __future__ import annotations

import argparse
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DEFAULT_OUT = os.path.join(ROOT, "Tests", "KerasEngineTests", "Fixtures")
DEFAULT_MODEL = os.path.join(ROOT, "models", "emotion-cnn.h5")
LAYOUT = "NHWC, row-major, flattened"

import keras  # noqa: E402
from keras import layers as L  # noqa: E402


# ------------------------------------------------------------------------------------------------
# helpers

def f32list(a) -> list[float]:
    """Exact float32 values as JSON numbers (the double that equals the float32)."""
    return [float(v) for v in np.asarray(a, dtype=np.float32).ravel()]


def f32short(a) -> list[float]:
    """Float32 values in their shortest round-trip decimal form (parse as Float32 to get them back)."""
    return [float(np.format_float_positional(v, unique=True, trim="0")) if 1e-4 <= abs(v) < 1e7 or v == 0
            else float(np.format_float_scientific(v, unique=True, trim="0"))
            for v in np.asarray(a, dtype=np.float32).ravel()]


def randomize_weights(model: keras.Model, seed: int):
    """Deterministic, non-trivial weights for every layer, independent of Keras's initialisers."""
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        ws = layer.get_weights()
        if not ws:
            continue
        if isinstance(layer, L.BatchNormalization):
            new = []
            for v in layer.weights:
                n = v.path.split("/")[-1]
                shape = tuple(v.shape)
                if n == "gamma":
                    new.append(rng.uniform(0.5, 1.5, shape))
                elif n == "beta":
                    new.append(rng.normal(0.0, 0.5, shape))
                elif n == "moving_mean":
                    new.append(rng.normal(0.0, 0.5, shape))
                elif n == "moving_variance":
                    new.append(rng.uniform(0.3, 2.0, shape))
                else:
                    raise ValueError(f"unexpected BN weight {v.path}")
            layer.set_weights([w.astype(np.float32) for w in new])
            continue
        new = []
        for v in layer.weights:
            shape = tuple(v.shape)
            n = v.path.split("/")[-1]
            if n == "bias":
                new.append(rng.normal(0.0, 0.2, shape))
            elif n == "alpha":  # PReLU slopes
                new.append(rng.uniform(0.05, 0.5, shape))
            else:  # kernels: fan-in scaled normal
                fan_in = int(np.prod(shape[:-1])) if len(shape) > 1 else 1
                if "depthwise" in n:
                    fan_in = int(np.prod(shape[:2]))
                new.append(rng.normal(0.0, 1.0 / np.sqrt(max(1, fan_in)), shape))
        layer.set_weights([w.astype(np.float32) for w in new])


def write_fixture(out_dir, name, model, cases, preprocessing="raw", save_model=True):
    """Saves <name>.h5 (unless it lives elsewhere) and <name>.json with Keras's outputs."""
    h5_name = f"{name}.h5"
    if save_model:
        model.save(os.path.join(out_dir, h5_name))
        # what the engine will read: the reloaded file must give the same numbers
        model = keras.models.load_model(os.path.join(out_dir, h5_name), compile=False)
    xs = np.stack([c[1] for c in cases]).astype(np.float32)
    ys = model.predict(xs, verbose=0)
    ys2 = np.asarray(model(xs, training=False))
    assert np.allclose(ys, ys2, atol=1e-6), f"{name}: predict and call disagree"
    doc = {
        "model": h5_name,
        "input_shape": list(xs.shape[1:]),
        "preprocessing": preprocessing,
        "layout": LAYOUT,
        "output_shape": list(ys.shape[1:]),
        "cases": [{"name": cname, "input": f32list(x), "output": f32short(y)}
                  for (cname, _), x, y in zip(cases, xs, ys)],
    }
    json_name = f"{name}.json" if save_model else f"{name}.reference.json"
    with open(os.path.join(out_dir, json_name), "w") as f:
        json.dump(doc, f, separators=(", ", ": "))
        f.write("\n")
    return json_name


def uniform_cases(shape, lo, hi, seed, n=3):
    """Seeded uniform inputs, quantised to multiples of 1/256 (1 for ranges over 100) so that
    every input is exact in float32 and short in JSON."""
    rng = np.random.default_rng(seed)
    q = 1.0 if hi - lo > 100 else 256.0
    return [(f"uniform random in [{lo:g}, {hi:g}] quantised to 1/{q:g}, seed {seed}, case {i}",
             (np.round(rng.uniform(lo, hi, shape) * q) / q).astype(np.float32)) for i in range(n)]


def ramp_case(shape, lo, hi):
    """A deterministic ramp over all elements (distinguishes every position and channel)."""
    n = int(np.prod(shape))
    q = 1.0 if hi - lo > 100 else 256.0
    return (f"ramp from {lo:g} to {hi:g} over the flattened NHWC tensor, quantised to 1/{q:g}",
            (np.round(np.linspace(lo, hi, n) * q) / q).astype(np.float32).reshape(shape))


def std_cases(shape, seed, lo=-1.0, hi=1.0):
    return uniform_cases(shape, lo, hi, seed, n=3) + [ramp_case(shape, lo, hi)]


def seq(input_shape, *layers, name):
    return keras.Sequential([keras.Input(shape=input_shape, name="input")] + list(layers), name=name)


# ------------------------------------------------------------------------------------------------
# the layer zoo: name -> (builder, input shape, input range, covers)

def zoo():
    S12 = (12, 12, 2)
    S16 = (16, 16, 3)
    S13 = (13, 13, 2)
    Z = {}

    def add(name, covers, shape, build, lo=-1.0, hi=1.0):
        Z[name] = (covers, shape, build, lo, hi)

    # Conv2D
    add("layer-conv2d-valid", "Conv2D 3x3 valid, bias, linear", S12,
        lambda: seq(S12, L.Conv2D(4, 3, padding="valid"), name="conv_valid"))
    add("layer-conv2d-same", "Conv2D 3x3 same, bias; then Conv2D 1x1", S12,
        lambda: seq(S12, L.Conv2D(4, 3, padding="same"), L.Conv2D(3, 1), name="conv_same"))
    add("layer-conv2d-strides2", "Conv2D 3x3 strides 2 valid and 3x3 strides 2 same (asymmetric TF padding) on 16x16", S16,
        lambda: seq(S16, L.Conv2D(4, 3, strides=2, padding="valid"), L.Conv2D(3, 3, strides=2, padding="same"),
                    name="conv_strides2"))
    add("layer-conv2d-strides2-same-even", "Conv2D 4x4 strides 2 same, 2x2 kernel same (even kernels pad bottom/right)", S12,
        lambda: seq(S12, L.Conv2D(4, 4, strides=2, padding="same"), L.Conv2D(3, 2, padding="same"),
                    name="conv_even_same"))
    add("layer-conv2d-rect", "Conv2D non-square kernel (3,2), strides (2,1), valid", S12,
        lambda: seq(S12, L.Conv2D(5, (3, 2), strides=(2, 1), padding="valid"), name="conv_rect"))
    add("layer-conv2d-dilation2", "Conv2D 3x3 dilation 2, valid and same", S16,
        lambda: seq(S16, L.Conv2D(4, 3, dilation_rate=2, padding="valid"),
                    L.Conv2D(3, 3, dilation_rate=2, padding="same"), name="conv_dilation"))
    add("layer-conv2d-groups2", "Conv2D groups 2 (4 -> 6 channels), same", (10, 10, 4),
        lambda: seq((10, 10, 4), L.Conv2D(6, 3, groups=2, padding="same"), name="conv_groups"))
    add("layer-conv2d-nobias-relu", "Conv2D use_bias=False; Conv2D activation relu", S12,
        lambda: seq(S12, L.Conv2D(4, 3, use_bias=False, padding="same"),
                    L.Conv2D(4, 3, activation="relu"), name="conv_nobias_relu"))
    # Depthwise / separable
    add("layer-depthwiseconv2d", "DepthwiseConv2D depth_multiplier 2 same; DepthwiseConv2D strides 2 valid relu", S12,
        lambda: seq(S12, L.DepthwiseConv2D(3, depth_multiplier=2, padding="same"),
                    L.DepthwiseConv2D(3, strides=2, padding="valid", activation="relu"), name="depthwise"))
    add("layer-separableconv2d", "SeparableConv2D same (bias), SeparableConv2D depth_multiplier 2 valid no bias relu", S12,
        lambda: seq(S12, L.SeparableConv2D(4, 3, padding="same"),
                    L.SeparableConv2D(5, 3, depth_multiplier=2, use_bias=False, activation="relu"),
                    name="separable"))
    # BatchNormalization
    add("layer-batchnorm", "Conv2D + BatchNormalization (random gamma/beta/moving stats, epsilon 1e-3)", S12,
        lambda: seq(S12, L.Conv2D(4, 3, padding="same"), L.BatchNormalization(epsilon=1e-3), name="bn"))
    add("layer-batchnorm-nocenter-noscale", "BatchNormalization center=False, scale=False (only moving stats)", S12,
        lambda: seq(S12, L.BatchNormalization(center=False, scale=False), name="bn_plain"))
    add("layer-batchnorm-eps", "BatchNormalization epsilon 0.1, after Dense on a flat vector", (20,),
        lambda: seq((20,), L.Dense(6), L.BatchNormalization(epsilon=0.1), name="bn_dense"))
    # Dense
    add("layer-dense", "Dense on a flat input: Dense relu, Dense linear, Dense softmax", (20,),
        lambda: seq((20,), L.Dense(8, activation="relu"), L.Dense(6), L.Dense(5, activation="softmax"),
                    name="dense"))
    add("layer-dense-4d", "Dense applied to a 4D NHWC tensor (last axis), no bias, then Dense tanh", (6, 6, 3),
        lambda: seq((6, 6, 3), L.Dense(4, use_bias=False), L.Dense(2, activation="tanh"), name="dense4d"))
    # Shape layers
    add("layer-flatten", "Conv2D -> Flatten (NHWC order) -> Dense", S12,
        lambda: seq(S12, L.Conv2D(3, 3, strides=2), L.Flatten(), L.Dense(5), name="flatten"))
    add("layer-reshape", "Reshape (12,12,2)->(6,24,2) -> Conv2D -> Reshape((-1,)) -> Dense", S12,
        lambda: seq(S12, L.Reshape((6, 24, 2)), L.Conv2D(3, 3), L.Reshape((-1,)), L.Dense(4), name="reshape"))
    add("layer-permute", "Permute((2,1,3)) and Permute((3,1,2)) with Conv2D between", (8, 6, 2),
        lambda: seq((8, 6, 2), L.Permute((2, 1, 3)), L.Conv2D(3, 2), L.Permute((3, 1, 2)), name="permute"))
    add("layer-identity-at-inference",
        "Dropout, SpatialDropout2D, GaussianNoise, GaussianDropout, ActivityRegularization (identities at inference)", S12,
        lambda: seq(S12, L.Conv2D(4, 3, padding="same"), L.Dropout(0.5), L.SpatialDropout2D(0.3),
                    L.GaussianNoise(0.5), L.GaussianDropout(0.4), L.ActivityRegularization(l1=0.01, l2=0.01),
                    L.Conv2D(2, 1), name="identities"))
    # Pooling
    for kind, cls in (("maxpool", L.MaxPooling2D), ("avgpool", L.AveragePooling2D)):
        title = cls.__name__
        add(f"layer-{kind}-valid", f"{title} 2x2 valid on 13x13 (drops the last row/column)", S13,
            lambda cls=cls: seq(S13, cls(2), name=f"pool_valid"))
        add(f"layer-{kind}-same", f"{title} 2x2 same on 13x13 (padded edge)", S13,
            lambda cls=cls: seq(S13, cls(2, padding="same"), name="pool_same"))
        add(f"layer-{kind}-3s2", f"{title} pool 3 strides 2, valid and same, on 13x13", S13,
            lambda cls=cls: keras.Model(*(lambda i: (i, L.Concatenate()(
                [L.Flatten()(cls(3, strides=2, padding="valid")(i)),
                 L.Flatten()(cls(3, strides=2, padding="same")(i))])))(keras.Input(S13, name="input")),
                name="pool_3s2"))
        add(f"layer-{kind}-rect", f"{title} pool (2,3) strides (1,2) same", S12,
            lambda cls=cls: seq(S12, cls((2, 3), strides=(1, 2), padding="same"), name="pool_rect"))
    add("layer-globalavgpool", "GlobalAveragePooling2D, then Dense", S12,
        lambda: seq(S12, L.Conv2D(4, 3), L.GlobalAveragePooling2D(), L.Dense(3), name="gap"))
    add("layer-globalavgpool-keepdims", "GlobalAveragePooling2D keepdims=True -> 1x1xC", S12,
        lambda: seq(S12, L.GlobalAveragePooling2D(keepdims=True), name="gap_keep"))
    add("layer-globalmaxpool", "GlobalMaxPooling2D, then Dense", S12,
        lambda: seq(S12, L.Conv2D(4, 3), L.GlobalMaxPooling2D(), L.Dense(3), name="gmp"))
    add("layer-globalmaxpool-keepdims", "GlobalMaxPooling2D keepdims=True -> 1x1xC, then Conv2D 1x1", S12,
        lambda: seq(S12, L.GlobalMaxPooling2D(keepdims=True), L.Conv2D(3, 1), name="gmp_keep"))
    # Padding / cropping / resampling
    add("layer-zeropadding2d", "ZeroPadding2D ((1,2),(3,0)) and ZeroPadding2D(1), Conv2D between", (8, 8, 2),
        lambda: seq((8, 8, 2), L.ZeroPadding2D(((1, 2), (3, 0))), L.Conv2D(3, 3), L.ZeroPadding2D(1),
                    name="zeropad"))
    add("layer-cropping2d", "Cropping2D ((1,2),(0,3)) and Cropping2D(1)", S12,
        lambda: seq(S12, L.Cropping2D(((1, 2), (0, 3))), L.Cropping2D(1), name="crop"))
    add("layer-upsampling2d", "UpSampling2D 2 nearest, UpSampling2D (2,3) nearest", (5, 4, 2),
        lambda: seq((5, 4, 2), L.UpSampling2D(2, interpolation="nearest"), L.Conv2D(2, 3),
                    L.UpSampling2D((2, 3), interpolation="nearest"), name="upsample"))
    add("layer-rescaling", "Rescaling(1/127.5, offset -1) on 0..255 input, then Conv2D", S12,
        lambda: seq(S12, L.Rescaling(1.0 / 127.5, offset=-1.0), L.Conv2D(3, 3), name="rescaling"),
        lo=0.0, hi=255.0)
    # Activation layers
    add("layer-softmax", "Softmax layer (last axis) on a 4D tensor; Softmax on a vector", S12,
        lambda: keras.Model(*(lambda i: (i, L.Concatenate()(
            [L.Flatten()(L.Softmax()(L.Conv2D(4, 3)(i))),
             L.Softmax()(L.Dense(5)(L.Flatten()(i)))])))(keras.Input(S12, name="input")), name="softmax"),
        lo=-3.0, hi=3.0)
    add("layer-relu", "ReLU(), ReLU(max_value 1.5), ReLU(negative_slope 0.1, threshold 0.5), ReLU(max_value 4, negative_slope 0.2, threshold 1)",
        S12, lambda: keras.Model(*(lambda i: (i, L.Concatenate()(
            [L.ReLU()(i), L.ReLU(max_value=1.5)(i), L.ReLU(negative_slope=0.1, threshold=0.5)(i),
             L.ReLU(max_value=4.0, negative_slope=0.2, threshold=1.0)(i)])))(keras.Input(S12, name="input")),
            name="relu"), lo=-3.0, hi=8.0)
    add("layer-leakyrelu", "LeakyReLU default (0.3) and negative_slope 0.05", S12,
        lambda: keras.Model(*(lambda i: (i, L.Concatenate()(
            [L.LeakyReLU()(i), L.LeakyReLU(negative_slope=0.05)(i)])))(keras.Input(S12, name="input")),
            name="leakyrelu"), lo=-3.0, hi=3.0)
    add("layer-prelu", "PReLU with per-element alpha, and PReLU shared_axes [1,2] (per channel)", S12,
        lambda: keras.Model(*(lambda i: (i, L.Concatenate()(
            [L.PReLU()(i), L.PReLU(shared_axes=[1, 2])(i)])))(keras.Input(S12, name="input")),
            name="prelu"), lo=-3.0, hi=3.0)
    add("layer-elu", "ELU alpha 1.0 and ELU alpha 0.7", S12,
        lambda: keras.Model(*(lambda i: (i, L.Concatenate()(
            [L.ELU()(i), L.ELU(alpha=0.7)(i)])))(keras.Input(S12, name="input")), name="elu"),
        lo=-3.0, hi=3.0)
    acts = ["relu", "relu6", "elu", "selu", "gelu", "swish", "silu", "sigmoid", "hard_sigmoid", "tanh",
            "softplus", "softsign", "softmax", "exponential", "linear", "leaky_relu"]
    add("layer-activations", "Activation layer for each of: " + ", ".join(acts) +
        " (Conv2D 1x1 shared by all branches, Concatenate on channels)", (4, 4, 2),
        lambda: keras.Model(*(lambda i, c: (i, L.Concatenate(name="concat")(
            [L.Activation(a, name=f"act_{a}")(c) for a in acts])))(
            *(lambda i: (i, L.Conv2D(3, 1, name="shared_conv")(i)))(keras.Input((4, 4, 2), name="input"))),
            name="activations"), lo=-4.0, hi=8.0)

    # Merges (functional graphs)
    def merge_model(cls, n_inputs, name, **kw):
        def build():
            i = keras.Input(S12, name="input")
            branches = [L.Conv2D(3, 3, padding="same", name=f"branch{k}")(i) for k in range(n_inputs)]
            return keras.Model(i, cls(name=name, **kw)(branches), name=f"merge_{name}")
        return build

    add("layer-add", "Add of 3 conv branches", S12, merge_model(L.Add, 3, "add"))
    add("layer-subtract", "Subtract of 2 conv branches", S12, merge_model(L.Subtract, 2, "subtract"))
    add("layer-multiply", "Multiply of 2 conv branches", S12, merge_model(L.Multiply, 2, "multiply"))
    add("layer-average", "Average of 3 conv branches", S12, merge_model(L.Average, 3, "average"))
    add("layer-maximum", "Maximum of 2 conv branches", S12, merge_model(L.Maximum, 2, "maximum"))
    add("layer-minimum", "Minimum of 3 conv branches", S12, merge_model(L.Minimum, 3, "minimum"))
    add("layer-concatenate", "Concatenate on channels (axis -1) of 2 branches + the input", S12,
        lambda: keras.Model(*(lambda i: (i, L.Concatenate(axis=-1)(
            [L.Conv2D(3, 3, padding="same")(i), i, L.Conv2D(2, 1)(i)])))(keras.Input(S12, name="input")),
            name="concat_channels"))
    S8 = (8, 8, 2)
    add("layer-concatenate-axis1", "Concatenate on axis 1 (rows) and axis 2 (columns)", S8,
        lambda: keras.Model(*(lambda i: (i, L.Concatenate(axis=2)([
            L.Concatenate(axis=1)([L.Conv2D(3, 3, padding="same")(i), L.Conv2D(3, 1)(i)]),
            L.Concatenate(axis=1)([L.Conv2D(3, 1)(i), L.Conv2D(3, 3, padding="same")(i)])])))(
            keras.Input(S8, name="input")), name="concat_spatial"))

    def graph():
        """A residual-style graph: one layer feeds several others; merges of merges."""
        i = keras.Input(S16, name="input")
        stem = L.Conv2D(4, 3, padding="same", name="stem")(i)
        bn = L.BatchNormalization(name="stem_bn")(stem)
        act = L.Activation("relu", name="stem_relu")(bn)          # feeds 4 layers below
        a = L.SeparableConv2D(4, 3, padding="same", name="sep_a")(act)
        b = L.Conv2D(4, 1, name="conv_b")(act)
        c = L.DepthwiseConv2D(3, padding="same", name="dw_c")(act)
        res = L.Add(name="residual")([act, a, b])
        gate = L.Multiply(name="gate")([res, L.Activation("sigmoid", name="sig")(c)])
        mx = L.Maximum(name="max")([gate, act])
        pooled = L.MaxPooling2D(3, strides=2, padding="same", name="pool")(mx)
        skip = L.Conv2D(4, 1, strides=2, padding="same", name="skip")(act)
        res2 = L.Add(name="residual2")([pooled, skip])
        left = L.GlobalAveragePooling2D(name="gap")(res2)
        right = L.GlobalMaxPooling2D(name="gmp")(res2)
        cat = L.Concatenate(name="concat")([left, right, L.Flatten(name="flat")(
            L.AveragePooling2D(4, name="avg")(res2))])
        out = L.Dense(5, activation="softmax", name="head")(L.Dropout(0.3, name="drop")(cat))
        return keras.Model(i, out, name="graph")

    add("layer-graph", "Functional graph: a layer feeding 4 others, residual Add, Multiply gate, Maximum, "
        "strided skip, GAP + GMP + AvgPool/Flatten Concatenate, Dense softmax", S16, graph)
    return Z


def make_zoo(out_dir, seed):
    Z = zoo()
    written = []
    for k, (name, (covers, shape, build, lo, hi)) in enumerate(sorted(Z.items())):
        keras.utils.set_random_seed(seed + k)
        model = build()
        randomize_weights(model, seed + 1000 + k)
        cases = std_cases(shape, seed + 2000 + k, lo, hi)
        write_fixture(out_dir, name, model, cases)
        size = os.path.getsize(os.path.join(out_dir, name + ".h5")) + os.path.getsize(
            os.path.join(out_dir, name + ".json"))
        written.append((name, covers, shape, size))
        print(f"{name:<40} {size / 1024:7.1f} KB  {covers}")
    return written


# ------------------------------------------------------------------------------------------------
# the bundled model

def synthetic_faces(seed):
    """Six 48x48x1 inputs in [0, 1] that are not taken from any data set."""
    yy, xx = np.mgrid[0:48, 0:48].astype(np.float32)
    rng = np.random.default_rng(seed)
    cases = [
        ("horizontal gradient 0..1 (x/47)", xx / 47.0),
        ("vertical gradient 1..0 (1 - y/47)", 1.0 - yy / 47.0),
        ("checkerboard of 6x6 squares, 0.2 / 0.8", np.where(((yy // 6) + (xx // 6)) % 2 == 0, 0.2, 0.8)),
        ("bright ellipse (face-like blob) on a dark background, smooth edge",
         np.clip(1.2 - np.sqrt(((xx - 23.5) / 16) ** 2 + ((yy - 24.5) / 21) ** 2), 0.0, 1.0) * 0.8 + 0.1),
        (f"uniform random in [0, 1], seed {seed}, case 0", rng.uniform(0, 1, (48, 48))),
        (f"gaussian noise mean 0.5 sd 0.15 clipped to [0, 1], seed {seed}, case 1",
         np.clip(rng.normal(0.5, 0.15, (48, 48)), 0, 1)),
    ]
    return [(n, np.asarray(a, dtype=np.float32)[..., None]) for n, a in cases]


def make_bundled(out_dir, model_path, seed):
    model = keras.models.load_model(model_path, compile=False)
    name = os.path.splitext(os.path.basename(model_path))[0]
    json_name = write_fixture(out_dir, name, model, synthetic_faces(seed), preprocessing="unit",
                              save_model=False)
    # the "model" key names the bundled file, which lives in models/, not in Fixtures/
    print(f"{json_name}: {len(synthetic_faces(seed))} synthetic cases of {model_path}")
    return json_name


README_HEAD = """# KerasEngine test fixtures (generated; do not edit by hand)

Written by `training/make_fixtures.py` with Keras {keras} / TensorFlow {tf} / h5py {h5py} / NumPy {np}.
Regenerate from the repository root (deterministic: the same versions rewrite identical bytes):

    training/.venv/bin/python training/make_fixtures.py

The bundled-model reference needs `models/emotion-cnn.h5`; `--only zoo` / `--only bundled` redo one part.
No FER-2013 data is in here: every input is synthetic (seeded noise, ramps, gradients, patterns).

## Format
Each `<name>.json` has the layout of `../shared/reference/*.json`, plus `output_shape`:
`{{"model": "<name>.h5", "input_shape": [H, W, C], "preprocessing": "raw" | "unit",
"layout": "NHWC, row-major, flattened", "output_shape": [...], "cases": [{{"name", "input", "output"}}]}}`.
`input` is fed to the model exactly as stored (one sample, batch axis dropped); `output` is Keras's
`model.predict` of the *reloaded* .h5 file. Inputs are exact float32 values (zoo inputs are
multiples of 1/256, or integers for 0..255); outputs are float32 values in shortest round-trip form.
Compare with a tolerance of about 1e-5 relative + 1e-5 absolute.

Zoo models are tiny Keras 3 models (legacy HDF5 via `model.save('x.h5')`: `batch_shape`,
`keras_history`-style inbound nodes, dtype-policy objects, weight names without `:0`) with seeded
random weights: kernels, non-zero biases, BatchNormalization gamma/beta/moving mean/moving variance and
PReLU slopes are all set explicitly. Each has 4 cases: 3 seeded uniform inputs and 1 ramp.

## Files
| fixture | input | graph | covers |
|---|---|---|---|
"""


def write_readme(out_dir, written):
    import h5py
    import tensorflow as tf
    lines = [README_HEAD.format(keras=keras.__version__, tf=tf.__version__, h5py=h5py.__version__,
                                np=np.__version__)]
    for path in sorted(os.listdir(out_dir)):
        if path.endswith(".reference.json"):
            with open(os.path.join(out_dir, path)) as f:
                doc = json.load(f)
            # outputs by Keras, or by the framework that trained the model (train.py writes that one)
            by = f", outputs by {doc['framework']}" if "framework" in doc else ""
            models_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "models")
            with h5py.File(os.path.join(models_dir, doc["model"]), "r") as f:
                kind = json.loads(f.attrs["model_config"])["class_name"]
            lines.append(f"| `{path}` | {'x'.join(map(str, doc['input_shape']))}, unit | {kind} | the bundled "
                         f"`models/{doc['model']}`{by}: {len(doc['cases'])} synthetic faces "
                         f"({'; '.join(c['name'] for c in doc['cases'])}) |\n")
    for name, covers, shape, _ in written:
        with h5py.File(os.path.join(out_dir, name + ".h5"), "r") as f:
            kind = json.loads(f.attrs["model_config"])["class_name"]
        lines.append(f"| `{name}.h5` + `.json` | {'x'.join(map(str, shape))} | {kind} | {covers} |\n")
    with open(os.path.join(out_dir, "README.md"), "w") as f:
        f.write("".join(lines))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--out-dir", default=DEFAULT_OUT)
    p.add_argument("--model", default=DEFAULT_MODEL, help="the bundled model to write a reference for")
    p.add_argument("--only", choices=["all", "zoo", "bundled"], default="all")
    p.add_argument("--seed", type=int, default=20261125)
    args = p.parse_args(argv)
    os.makedirs(args.out_dir, exist_ok=True)
    if args.only in ("all", "zoo"):
        written = make_zoo(args.out_dir, args.seed)
        total = sum(w[-1] for w in written)
        print(f"{len(written)} zoo models, {total / 1e6:.2f} MB")
    if args.only in ("all", "bundled"):
        if os.path.exists(args.model):
            make_bundled(args.out_dir, args.model, args.seed)
        else:
            print(f"note: {args.model} not found; bundled-model reference not written", file=sys.stderr)
            if args.only == "bundled":
                return 1
    write_readme(args.out_dir, [(n, c, s, 0) for n, (c, s, _, _, _) in sorted(zoo().items())])
    print(f"keras {keras.__version__}, tensorflow {__import__('tensorflow').__version__}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
