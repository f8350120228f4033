"""Write a network trained by `train.py` (PyTorch) as the identical Keras model, legacy .h5.

The Swift engine reads Keras HDF5 files, so the PyTorch weights go into a Keras Sequential of
the same layers (Keras 3 on its PyTorch backend: no TensorFlow needed):
  * Conv2D kernels OIHW -> HWIO;
  * BatchNormalization gamma, beta, moving mean and variance, with PyTorch's epsilon (1e-5);
  * Dense kernels transposed; the first Dense after Flatten also has its rows reordered, since
    PyTorch flattens channels-first (C, H, W) and Keras channels-last (H, W, C);
  * the final softmax, which PyTorch leaves to the loss, as an Activation layer.
The file is reloaded and its outputs compared with PyTorch's before anything is kept, and
`write_torch_reference` records PyTorch's own outputs for the Swift engine's test.
"""

from __future__ import annotations

import json
import os

os.environ["KERAS_BACKEND"] = "torch"  # this module only runs in the PyTorch venv

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

from training.common import fixture_format  # noqa: E402
from training.emotion import recipe  # noqa: E402

#: Largest |Keras - PyTorch| allowed on a probability; both compute in float32.
TOLERANCE = 1e-5


def build_keras(widths, dense: int, dropout: float, classes: int = 7):
    import keras
    from keras import layers
    model = keras.Sequential(name="emotion_cnn")
    model.add(keras.Input(shape=(48, 48, 1), name="face"))
    for s, w in enumerate(widths, start=1):
        for c in (1, 2):
            model.add(layers.Conv2D(w, 3, padding="same", name=f"conv{s}_{c}"))
            model.add(layers.BatchNormalization(epsilon=1e-5, name=f"bn{s}_{c}"))
            model.add(layers.Activation("relu", name=f"relu{s}_{c}"))
        model.add(layers.MaxPooling2D(2, name=f"pool{s}"))
    model.add(layers.Flatten(name="flatten"))
    model.add(layers.Dropout(dropout, name="dropout1"))
    model.add(layers.Dense(dense, name="fc1"))
    model.add(layers.BatchNormalization(epsilon=1e-5, name="bn_fc1"))
    model.add(layers.Activation("relu", name="relu_fc1"))
    model.add(layers.Dropout(dropout, name="dropout2"))
    model.add(layers.Dense(classes, name="logits"))
    model.add(layers.Activation("softmax", name="softmax"))
    return model


def _np(t: torch.Tensor) -> np.ndarray:
    return t.detach().cpu().float().numpy()


def _paired_layers(net: nn.Sequential, model):
    """Each weighted PyTorch layer with its Keras twin, in order, and for the dense layer right
    after the flatten the channel count of the last conv (None elsewhere): its rows are the one
    place where the two frameworks order the same weights differently ((C, H, W) against (H, W, C))."""
    from keras import layers
    torch_layers = [m for m in net if isinstance(m, (nn.Conv2d, nn.BatchNorm2d, nn.BatchNorm1d, nn.Linear))]
    keras_layers = [m for m in getattr(model, "layers", model)
                    if isinstance(m, (layers.Conv2D, layers.BatchNormalization, layers.Dense))]
    assert len(torch_layers) == len(keras_layers), "the two networks differ in layers"
    channels, after_flatten = 1, True
    for t, k in zip(torch_layers, keras_layers):
        if isinstance(t, nn.Conv2d):
            channels = t.out_channels
        flatten_channels = channels if isinstance(t, nn.Linear) and after_flatten else None
        if flatten_channels:
            after_flatten = False
        yield t, k, flatten_channels


def copy_weights(net: nn.Sequential, model) -> None:
    """Moves every PyTorch parameter into the Keras model, in layer order."""
    for t, k, flatten_channels in _paired_layers(net, model):
        if isinstance(t, nn.Conv2d):
            k.set_weights([_np(t.weight).transpose(2, 3, 1, 0), _np(t.bias)])
        elif isinstance(t, (nn.BatchNorm2d, nn.BatchNorm1d)):
            k.set_weights([_np(t.weight), _np(t.bias), _np(t.running_mean), _np(t.running_var)])
        else:
            w = _np(t.weight)  # (out, in)
            if flatten_channels:  # rows in PyTorch's (C, H, W) order -> Keras's (H, W, C)
                side = int(round((w.shape[1] / flatten_channels) ** 0.5))
                w = w.reshape(w.shape[0], flatten_channels, side, side).transpose(0, 2, 3, 1).reshape(w.shape[0], -1)
            k.set_weights([w.T, _np(t.bias)])


def read_net(path: str, member: int | None = None):
    """The inverse of `export`: a .h5 that `export` wrote, as the PyTorch net it came from, with
    its widths, dense units and dropout; with `member` i, the i-th net (from 1) of an ensemble
    that ensemble.py wrote (as stored: a mirrored member stays mirrored). Raises ValueError for any
    other model."""
    import keras
    from keras import layers
    try:
        model = keras.models.load_model(path, compile=False)
    except Exception as e:  # noqa: BLE001  (h5py, Keras and TensorFlow raise many kinds)
        raise ValueError(f"not a readable Keras model ({str(e).splitlines()[0] if str(e) else type(e).__name__})")
    model_layers = [m for m in model.layers if not isinstance(m, layers.InputLayer)]
    if member is not None:
        model_layers = [m for m in model_layers if m.name.startswith(f"m{member}_")]
        if not model_layers:
            raise ValueError(f"no ensemble member {member} (layers named m{member}_...)")
    convs = [m for m in model_layers if isinstance(m, layers.Conv2D)]
    denses = [m for m in model_layers if isinstance(m, layers.Dense)]
    drops = [m for m in model_layers if isinstance(m, layers.Dropout)]
    if not convs or len(convs) % 2 or len(denses) != 2 or not drops:
        raise ValueError("not a network train.py writes (stages of two 3x3 convolutions, two dense layers)")
    widths, dense, dropout = [c.filters for c in convs[1::2]], denses[0].units, float(drops[0].rate)
    classes = denses[1].units
    expected = build_keras(widths, dense, dropout, classes)
    shapes = [[tuple(w.shape) for w in m.get_weights()] for m in model_layers]
    if [type(m) for m in model_layers] != [type(m) for m in expected.layers] or \
            shapes != [[tuple(w.shape) for w in m.get_weights()] for m in expected.layers]:
        raise ValueError("not a network train.py writes (its layers differ from recipe.build_net's)")
    eps = {float(m.epsilon) for m in model_layers if isinstance(m, layers.BatchNormalization)}
    if eps != {1e-5}:
        raise ValueError(f"batch-norm epsilon {sorted(eps)}, not PyTorch's 1e-5")
    net = recipe.build_net(widths, dense, dropout, classes)
    with torch.no_grad():
        for t, k, flatten_channels in _paired_layers(net, model_layers):
            w = [torch.from_numpy(np.ascontiguousarray(a)).float() for a in k.get_weights()]
            if isinstance(t, nn.Conv2d):
                t.weight.copy_(w[0].permute(3, 2, 0, 1))
                t.bias.copy_(w[1])
            elif isinstance(t, (nn.BatchNorm2d, nn.BatchNorm1d)):
                for dst, src in zip((t.weight, t.bias, t.running_mean, t.running_var), w):
                    dst.copy_(src)
            else:
                kernel = w[0].t()  # (out, in)
                if flatten_channels:  # rows in Keras's (H, W, C) order -> PyTorch's (C, H, W)
                    side = int(round((kernel.shape[1] / flatten_channels) ** 0.5))
                    kernel = kernel.reshape(-1, side, side, flatten_channels).permute(0, 3, 1, 2).reshape(kernel.shape[0], -1)
                t.weight.copy_(kernel)
                t.bias.copy_(w[1])
    return net.eval(), widths, dense, dropout


def torch_probabilities(net: nn.Sequential, x: np.ndarray) -> np.ndarray:
    """x: N x 48 x 48 x 1 in [0, 1] -> softmax probabilities, PyTorch in float32, eval mode."""
    net.eval()
    with torch.no_grad():
        logits = net(torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2))).float())
        return torch.softmax(logits, 1).numpy()


def export(net: nn.Sequential, widths, dense: int, dropout: float, out: str, check_inputs: np.ndarray) -> float:
    """Writes `out` (.h5) and returns the largest difference between its outputs and PyTorch's."""
    import keras
    model = build_keras(widths, dense, dropout, net[-1].out_features)
    copy_weights(net, model)
    expected = torch_probabilities(net, check_inputs)
    tmp = out + ".tmp.h5"
    model.save(tmp)  # .h5 suffix: Keras legacy HDF5 (model_config + model_weights)
    again = keras.models.load_model(tmp, compile=False)
    got = np.asarray(again.predict(check_inputs, verbose=0))
    diff = float(np.max(np.abs(got - expected)))
    if diff > TOLERANCE:
        os.remove(tmp)
        raise RuntimeError(f"{out}: the Keras model differs from PyTorch by {diff} (> {TOLERANCE})")
    os.replace(tmp, out)
    print(f"wrote {out}: reloaded Keras model matches PyTorch within {diff:.2e} on {len(check_inputs)} faces")
    return diff


def write_torch_reference(net: nn.Sequential, model_path: str, out_json: str, seed: int = 20261125) -> None:
    """PyTorch's outputs on the synthetic faces of the Keras reference, in the same JSON layout."""
    cases = fixture_format.synthetic_faces(seed)
    xs = np.stack([c[1] for c in cases]).astype(np.float32)
    ys = torch_probabilities(net, xs)
    doc = {
        "model": os.path.basename(model_path),
        "framework": f"PyTorch {torch.__version__}, float32, eval mode",
        "input_shape": list(xs.shape[1:]),
        "preprocessing": "unit",
        "layout": fixture_format.LAYOUT,
        "output_shape": list(ys.shape[1:]),
        "cases": [{"name": name, "input": fixture_format.f32list(x), "output": fixture_format.f32short(y)}
                  for (name, _), x, y in zip(cases, xs, ys)],
    }
    with open(out_json, "w") as f:
        json.dump(doc, f, separators=(", ", ": "))
        f.write("\n")
    print(f"wrote {out_json}: PyTorch's outputs on {len(cases)} synthetic faces")
