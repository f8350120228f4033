"""The JSON layout of the engine's reference fixtures, and the synthetic faces both references
of an emotion model are computed on: Keras's (fixtures/make_fixtures.py) and PyTorch's
(emotion/export_keras.py). NumPy only, so that either venv can import it.

A fixture: {"model": "<file>.h5", "input_shape": [H, W, C], "preprocessing": "raw"|"unit",
"layout": LAYOUT, "output_shape": [...], "cases": [{"name": ..., "input": [floats], "output":
[floats]}]}; inputs are exact float32 values (`f32list`), outputs float32 values in their
shortest round-trip form (`f32short`).
"""

from __future__ import annotations

import numpy as np

LAYOUT = "NHWC, row-major, flattened"


def f32list(a) -> list[float]:
    """Exact float32 values as JSON numbers (the double that equals the float32)."""
    return [float(v) for v in np.asarray(a, dtype=np.float32).ravel()]


def f32short(a) -> list[float]:
    """Float32 values in their shortest round-trip decimal form (parse as Float32 to get them back)."""
    return [float(np.format_float_positional(v, unique=True, trim="0")) if 1e-4 <= abs(v) < 1e7 or v == 0
            else float(np.format_float_scientific(v, unique=True, trim="0"))
            for v in np.asarray(a, dtype=np.float32).ravel()]


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
