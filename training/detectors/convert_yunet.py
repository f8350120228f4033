"""Write the YuNet-n face detector (PyTorch weights) as a plain Keras Functional model, legacy .h5.

YuNet (Wu, Peng, Yu 2023; ShiqiYu/libfacedetection.train commit 0047ac2, Apache-2.0) ships as
an MMDetection state dict, `yunet_n.pth`. This script rebuilds the network from the model code
in ../shared/models/yunet/reference-code (yunet_layer.py, yunet_backbone.py, yunet_head.py,
config yunet_n.py; the TFPN neck's code is not among those files, its graph is read off the
upstream ONNX export: lateral ConvDPUnits, top-down nearest 2x upsampling and Add) with common
Keras layers only, copies the weights, saves the model, and with `--check` compares the saved
file with upstream's ONNX export run by onnxruntime. MMDetection is never imported.

Input:  (None, None, 3), channels-last BGR, raw 0..255 (no scaling); height and width multiples
        of 32 (pad a picture with zeros at the bottom and right). Every layer accepts any such
        size, so one file serves all sizes (the Swift engine plans one size per load).
Output: 12 maps, in upstream's ONNX order, named like its outputs:
            cls_8 cls_16 cls_32  obj_8 obj_16 obj_32  bbox_8 bbox_16 bbox_32  kps_8 kps_16 kps_32
        `<kind>_<s>` is (H/s, W/s, C), C = 1, 1, 4, 10. cls and obj are probabilities (the
        sigmoid is the layer's activation, as in the ONNX graph); bbox and kps are raw. Flattened
        row-major, a map is exactly the ONNX output (1, N, C). Decoding: see yunet_reference.py.
        `--single-output` writes instead ONE output, `detections` (N8 + N16 + N32, 16): per
        cell [cls, obj, bbox0..3, kps0..9], cells of stride 8 (row-major), then 16, then 32.

Graph (PyTorch module -> Keras layers; `.` in a module path becomes `_` in the layer name):
    ConvDPUnit(in, out)  = Conv2D(out, 1x1, linear)  `<path>_conv1`
                           DepthwiseConv2D(3x3, same, relu) `<path>_conv2` (its BatchNorm folded in)
    backbone.model0      = ZeroPadding2D(1) `backbone_model0_pad`,
                           Conv2D(16, 3x3, stride 2, valid, relu) `backbone_model0_conv1` (bn1 folded),
                           ConvDPUnit(16, 16) `backbone_model0_conv2`
    backbone.model1..5   = two ConvDPUnits each (`..._conv1`, `..._conv2`): 16->16->64, then 64->64->64
    MaxPooling2D(2) `backbone_pool{0,2,3,4}` after model0, 2, 3, 4; model3/4/5 are strides 8/16/32
    neck (TFPN)          = lateral_convs.2 on stride 32; UpSampling2D(2, nearest) + Add into
                           stride 16, lateral_convs.1; the same into stride 8, lateral_convs.0
    bbox_head            = per stride, multi_level_share_convs.i (ConvDPUnit 64->64), then four
                           ConvDPUnits without BN/ReLU (64 -> 1, 1, 4, 10); their depthwise layer
                           is the output, named cls_s / obj_s / bbox_s / kps_s (sigmoid on cls, obj)

Conversion choices:
  * BatchNorm (PyTorch eps 1e-5) is folded into the convolution before it, in float64:
    kernel * gamma / sqrt(var + eps), bias (b - mean) * gamma / sqrt(var + eps) + beta. Upstream's
    ONNX export folds the same way. No BatchNormalization layer is left.
  * ReLU and sigmoid are the convolutions' `activation`, not separate layers.
  * PyTorch's stride-2 3x3 conv pads 1 on every side; Keras "same" at stride 2 on an even size
    pads 0 before and 1 after, which shifts the image by a pixel. So: an explicit symmetric
    ZeroPadding2D(1), then a "valid" conv. Stride-1 3x3 "same" pads 1 on every side, as PyTorch does.
  * Weights: Conv2D OIHW -> HWIO (kh, kw, in, out); depthwise (C, 1, kh, kw) -> (kh, kw, C, 1).
    The heads' 1-channel "depthwise" convs (cls, obj: Conv2d(1, 1, 3, groups=1)) are the same
    thing as a DepthwiseConv2D of one channel.
  * MaxPool 2x2 floors (PyTorch and Keras "valid" agree); the sizes are multiples of 32 anyway.
    ONNX's Resize (nearest, asymmetric, floor, x2) is UpSampling2D(2, "nearest").

Run (from the repository root; Keras 3 on the PyTorch backend, in the torch venv):
    nice -n 10 training/.venv-torch/bin/python -m training.detectors.convert_yunet [--out models/yunet-n.h5] \
        [--shared ../shared] [--check] [--single-output]
The shipped models/yunet-n.h5 is written with `--single-output` (the engine runs models of one
output; the Swift YuNet detector reads that layout and refuses the 12 maps):
    nice -n 10 training/.venv-torch/bin/python -m training.detectors.convert_yunet --single-output --check
`--check` needs onnxruntime, which lives in training/.venv-onnx (`python3 -m venv
training/.venv-onnx && training/.venv-onnx/bin/pip install -r training/requirements-onnx.txt`): this script
runs `python -m training.detectors.yunet_reference run` there and compares the saved .h5, reloaded, with it on random
inputs (320x320, 640x480, 64x96) and on every photo of ../shared/media/images (padded to
multiples of 32), output by output, then decodes both into faces.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile

os.environ["KERAS_BACKEND"] = "torch"  # before keras is imported: no TensorFlow here

import numpy as np  # noqa: E402

from training.common import paths  # noqa: E402
from training.detectors import yunet_reference as ref  # noqa: E402  (pure NumPy unless a session is asked for)

#: PyTorch's BatchNorm2d default epsilon (the checkpoint's modules use it).
BN_EPS = 1e-5
#: Parity target on every output value: |keras - onnx| <= TOLERANCE * max(1, |onnx|).
TOLERANCE = 1e-4
#: Output channels of the four heads, in output order.
HEADS = ref.KINDS
#: Backbone (in, mid, out) per stage, from config yunet_n.py: stage_channels.
STAGES = [(3, 16, 16), (16, 64), (64, 64), (64, 64), (64, 64), (64, 64)]
DOWNSAMPLE_AFTER = (0, 2, 3, 4)
FEATURE_STAGES = (3, 4, 5)  # strides 8, 16, 32


# ----------------------------------------------------------------------------
# Weights

class Weights:
    """The checkpoint's state dict as float64 NumPy arrays, with a record of what was used."""

    def __init__(self, path: str):
        import torch
        checkpoint = torch.load(path, map_location="cpu")
        state = checkpoint.get("state_dict", checkpoint)
        self.arrays = {k: v.double().numpy() for k, v in state.items() if not k.endswith("num_batches_tracked")}
        self.used: set[str] = set()

    def __getitem__(self, key: str) -> np.ndarray:
        self.used.add(key)
        return self.arrays[key]

    def bn(self, prefix: str) -> tuple[np.ndarray, np.ndarray]:
        """Per-channel (scale, shift) of an inference-mode BatchNorm2d."""
        scale = self[f"{prefix}.weight"] / np.sqrt(self[f"{prefix}.running_var"] + BN_EPS)
        return scale, self[f"{prefix}.bias"] - self[f"{prefix}.running_mean"] * scale

    def parameter_count(self) -> int:
        return sum(v.size for v in self.arrays.values())


def conv_weights(w: Weights, prefix: str, bn: str | None = None) -> list[np.ndarray]:
    """A dense Conv2d as Keras [kernel HWIO, bias], with the BatchNorm `bn` folded in."""
    kernel = w[f"{prefix}.weight"].transpose(2, 3, 1, 0)
    bias = w[f"{prefix}.bias"]
    if bn is not None:
        scale, shift = w.bn(bn)
        kernel, bias = kernel * scale, bias * scale + shift
    return [kernel.astype(np.float32), bias.astype(np.float32)]


def depthwise_weights(w: Weights, prefix: str, bn: str | None = None) -> list[np.ndarray]:
    """A depthwise Conv2d (C, 1, kh, kw) as Keras [depthwise_kernel (kh, kw, C, 1), bias]."""
    kernel = w[f"{prefix}.weight"].transpose(2, 3, 0, 1)
    bias = w[f"{prefix}.bias"]
    if bn is not None:
        scale, shift = w.bn(bn)
        kernel, bias = kernel * scale[None, None, :, None], bias * scale + shift
    return [kernel.astype(np.float32), bias.astype(np.float32)]


# ----------------------------------------------------------------------------
# Network

def build(w: Weights, single_output: bool = False):
    """YuNet-n as a Keras Functional model with the checkpoint's weights."""
    import keras
    from keras import layers

    assignments: list[tuple[object, list[np.ndarray]]] = []

    def keras_name(path: str) -> str:
        return path.replace(".", "_")

    def dp_unit(x, path: str, channels: int, bn_relu: bool = True, activation=None, name=None):
        """ConvDPUnit: 1x1 conv, depthwise 3x3 conv, [BN + ReLU] (BN folded)."""
        pointwise = layers.Conv2D(channels, 1, name=keras_name(f"{path}.conv1"))
        depthwise = layers.DepthwiseConv2D(3, padding="same", activation="relu" if bn_relu else activation,
                                           name=name or keras_name(f"{path}.conv2"))
        x = depthwise(pointwise(x))
        assignments.append((pointwise, conv_weights(w, f"{path}.conv1")))
        assignments.append((depthwise, depthwise_weights(w, f"{path}.conv2", f"{path}.bn" if bn_relu else None)))
        return x

    image = keras.Input(shape=(None, None, 3), name="image")
    # backbone.model0 (Conv_head): 3x3 stride-2 conv + bn1 + relu, then a ConvDPUnit.
    x = layers.ZeroPadding2D(1, name="backbone_model0_pad")(image)
    head_conv = layers.Conv2D(STAGES[0][1], 3, strides=2, padding="valid", activation="relu",
                              name="backbone_model0_conv1")
    x = head_conv(x)
    assignments.append((head_conv, conv_weights(w, "backbone.model0.conv1", "backbone.model0.bn1")))
    x = dp_unit(x, "backbone.model0.conv2", STAGES[0][2])
    features = []
    for stage in range(len(STAGES)):
        if stage > 0:  # Conv4layerBlock: ConvDPUnit(in, in), ConvDPUnit(in, out)
            x = dp_unit(x, f"backbone.model{stage}.conv1", STAGES[stage][0])
            x = dp_unit(x, f"backbone.model{stage}.conv2", STAGES[stage][1])
        if stage in FEATURE_STAGES:
            features.append(x)
        if stage in DOWNSAMPLE_AFTER:
            x = layers.MaxPooling2D(2, name=f"backbone_pool{stage}")(x)

    # neck (TFPN): top-down, each level's lateral output upsampled and added to the next finer level.
    levels = len(features)
    laterals = [None] * levels
    top = features[-1]
    for i in range(levels - 1, -1, -1):
        laterals[i] = dp_unit(top, f"neck.lateral_convs.{i}", 64)
        if i > 0:
            up = layers.UpSampling2D(2, interpolation="nearest", name=f"neck_up{i}")(laterals[i])
            top = layers.Add(name=f"neck_add{i - 1}")([features[i - 1], up])

    outputs: dict[str, object] = {}
    for i, stride in enumerate(ref.STRIDES):
        shared = dp_unit(laterals[i], f"bbox_head.multi_level_share_convs.{i}.0", 64)
        for kind, channels in HEADS:
            activation = "sigmoid" if kind in ("cls", "obj") else None
            outputs[f"{kind}_{stride}"] = dp_unit(shared, f"bbox_head.multi_level_{kind}.{i}", channels,
                                                  bn_relu=False, activation=activation, name=f"{kind}_{stride}")

    if single_output:
        per_stride = []
        for stride in ref.STRIDES:
            cell = layers.Concatenate(axis=-1, name=f"head_{stride}")([outputs[f"{k}_{stride}"] for k, _ in HEADS])
            per_stride.append(layers.Reshape((-1, sum(c for _, c in HEADS)), name=f"cells_{stride}")(cell))
        result = layers.Concatenate(axis=1, name="detections")(per_stride)
        model = keras.Model(image, result, name="yunet_n")
    else:
        model = keras.Model(image, [outputs[name] for name in ref.OUTPUT_NAMES], name="yunet_n")

    for layer, values in assignments:
        expected = [tuple(v.shape) for v in layer.get_weights()]
        got = [v.shape for v in values]
        if expected != got:
            raise ValueError(f"{layer.name}: Keras expects {expected}, the checkpoint gives {got}")
        layer.set_weights(values)
    unused = sorted(k for k in w.arrays if k not in w.used)
    if unused:
        raise ValueError(f"checkpoint tensors not converted: {', '.join(unused[:8])}")
    return model


def split_single_output(detections: np.ndarray, height: int, width: int) -> dict[str, np.ndarray]:
    """The `--single-output` tensor (N, 16) back into the 12 (H/s, W/s, C) maps."""
    maps, start = {}, 0
    for stride in ref.STRIDES:
        rows, cols = height // stride, width // stride
        block = detections[start:start + rows * cols]
        start += rows * cols
        column = 0
        for kind, channels in HEADS:
            maps[f"{kind}_{stride}"] = block[:, column:column + channels].reshape(rows, cols, channels)
            column += channels
    return maps


# ----------------------------------------------------------------------------
# Check against onnxruntime

def keras_maps(model, image: np.ndarray, single_output: bool) -> dict[str, np.ndarray]:
    import keras
    import torch
    with torch.no_grad():
        result = model(image[None].astype(np.float32), training=False)
    if single_output:
        return split_single_output(keras.ops.convert_to_numpy(result)[0], *image.shape[:2])
    return {name: keras.ops.convert_to_numpy(value)[0] for name, value in zip(ref.OUTPUT_NAMES, result)}


def check(path: str, onnx_python: str, onnx_path: str, images_dir: str, single_output: bool) -> bool:
    import keras
    model = keras.models.load_model(path, compile=False)  # the file as written, not the in-memory model
    inputs = {
        "random 320x320": ref.random_input(320, 320, seed=1),
        "random 640x480": ref.random_input(480, 640, seed=2),
        "random 64x96": ref.random_input(*ref.RANDOM_SIZE, seed=ref.RANDOM_SEED),
    }
    photo_sizes = {}
    if os.path.isdir(images_dir):
        for name in sorted(os.listdir(images_dir)):
            if name.lower().endswith((".jpg", ".jpeg", ".png")):
                photo = ref.load_bgr(os.path.join(images_dir, name))
                photo_sizes[name] = photo.shape[:2]
                inputs[name] = ref.pad_to_multiple(photo).astype(np.float32)
    else:
        print(f"note: {images_dir} is absent; random inputs only")

    keys = {f"case{i}": label for i, label in enumerate(inputs)}
    with tempfile.TemporaryDirectory() as tmp:
        np.savez(os.path.join(tmp, "in.npz"), **{k: inputs[label] for k, label in keys.items()})
        # Run from the repository root, where the package is: the other venv's Python imports it there.
        subprocess.run([onnx_python, "-m", "training.detectors.yunet_reference", "--onnx", os.path.abspath(onnx_path),
                        "run", "--inputs", os.path.join(tmp, "in.npz"), "--out", os.path.join(tmp, "out.npz")],
                       check=True, cwd=paths.ROOT)
        with np.load(os.path.join(tmp, "out.npz")) as out:
            onnx = {label: {name: out[f"{k}/{name}"] for name in ref.OUTPUT_NAMES} for k, label in keys.items()}

    worst_abs = dict.fromkeys(ref.OUTPUT_NAMES, 0.0)
    worst_rel = dict.fromkeys(ref.OUTPUT_NAMES, 0.0)
    ok = True
    print(f"\n{'input':24s} {'size (HxW)':>10s}  max|keras-onnx| per output kind (cls, obj: probabilities)")
    for label, image in inputs.items():
        mine = keras_maps(model, image, single_output)
        theirs = onnx[label]
        by_kind = {}
        for name in ref.OUTPUT_NAMES:
            if mine[name].shape != theirs[name].shape:
                raise ValueError(f"{label} {name}: Keras {mine[name].shape}, ONNX {theirs[name].shape}")
            diff = np.abs(mine[name].astype(np.float64) - theirs[name])
            worst_abs[name] = max(worst_abs[name], float(diff.max()))
            worst_rel[name] = max(worst_rel[name], float((diff / np.maximum(1.0, np.abs(theirs[name]))).max()))
            kind = name.split("_")[0]
            by_kind[kind] = max(by_kind.get(kind, 0.0), float(diff.max()))
        print(f"{label:24s} {image.shape[0]:>4d}x{image.shape[1]:<5d}  "
              + "  ".join(f"{k} {v:.2e}" for k, v in by_kind.items()))
        if label in photo_sizes:
            faces_k, faces_o = ref.decode(mine), ref.decode(theirs)
            scores = " ".join(f"{f['score']:.3f}" for f in faces_k)
            shift = max((np.abs(np.subtract(a["box"], b["box"])).max() for a, b in zip(faces_k, faces_o)), default=0.0)
            print(f"{'':24s} faces: keras {len(faces_k)}, onnx {len(faces_o)}; "
                  f"max box difference {shift:.2e} px; scores {scores}")
            ok &= len(faces_k) == len(faces_o)

    print(f"\n{'output':8s} {'max abs':>9s} {'max abs/max(1,|onnx|)':>22s}   over all {len(inputs)} inputs")
    for name in ref.OUTPUT_NAMES:
        flag = "" if worst_rel[name] <= TOLERANCE else "  > tolerance"
        ok &= worst_rel[name] <= TOLERANCE
        print(f"{name:8s} {worst_abs[name]:9.2e} {worst_rel[name]:22.2e}{flag}")
    print(f"\n{'PASS' if ok else 'FAIL'}: tolerance {TOLERANCE} (abs, or relative where |onnx| > 1)")
    return ok


# ----------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", default=paths.SHARED,
                        help="the shared data folder (default: ../shared beside the checkout)")
    parser.add_argument("--weights", help="yunet_n.pth (default: SHARED/models/yunet/yunet_n.pth)")
    parser.add_argument("--onnx", help="ONNX reference for --check (default: SHARED/models/yunet/yunet_n_dynamic.onnx)")
    parser.add_argument("--images", help="photos for --check (default: SHARED/media/images)")
    parser.add_argument("--out", default=os.path.join(paths.ROOT, "models", "yunet-n.h5"), help="the .h5 to write (default: %(default)s)")
    parser.add_argument("--single-output", action="store_true",
                        help="one (N, 16) output, `detections`, instead of the 12 maps")
    parser.add_argument("--check", action="store_true", help="compare the written file with onnxruntime")
    parser.add_argument("--onnx-python", default=os.path.join(paths.TRAINING, ".venv-onnx", "bin", "python"),
                        help="a Python with onnxruntime, for --check (default: %(default)s)")
    args = parser.parse_args(argv)
    yunet = os.path.join(args.shared, "models", "yunet")
    weights_path = args.weights or os.path.join(yunet, "yunet_n.pth")

    import torch
    torch.set_num_threads(1)  # the machine's cores belong to a training job
    weights = Weights(weights_path)
    model = build(weights, single_output=args.single_output)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    tmp = args.out[:-3] + ".tmp.h5"
    model.save(tmp)  # .h5 suffix: Keras legacy HDF5 (model_config + model_weights)
    os.replace(tmp, args.out)
    print(f"wrote {args.out}: {len(model.layers)} layers, {model.count_params()} parameters after folding "
          f"(checkpoint: {weights.parameter_count()} tensors' values, batch norm statistics included), "
          f"{os.path.getsize(args.out) / 1024:.0f} KB")
    if args.check:
        ok = check(args.out, args.onnx_python, args.onnx or os.path.join(yunet, "yunet_n_dynamic.onnx"),
                   args.images or os.path.join(args.shared, "media", "images"), args.single_output)
        return 0 if ok else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
