"""Which precision a run trains in, and the benchmark that justifies it.

bf16 autocast pays only where the hardware has native bf16 (AVX512-BF16 or AMX on a CPU, or a
CUDA GPU with bf16): emulated bf16 is slower than float32. `compare_precision` (train.py
--compare-precision STEPS) trains the same steps both ways from the same start and prints the two
loss curves, to check bf16 before trusting it on a new CPU/library pair.
"""

from __future__ import annotations

import time

import numpy as np
import torch

from training.emotion.trainer import Trainer


def cpu_has_bf16() -> bool:
    try:
        with open("/proc/cpuinfo") as f:
            flags = next((line.split(":", 1)[1].split() for line in f if line.startswith("flags")), [])
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def choose_precision(args, device) -> str:
    if args.precision != "auto":
        return args.precision
    if device.type == "cuda":
        return "bf16" if torch.cuda.is_bf16_supported() else "fp32"
    return "bf16" if cpu_has_bf16() else "fp32"



def compare_precision(args, x, y, device):
    """Same start, same batches: the bf16 loss curve against the fp32 one."""
    curves = {}
    for precision in ("fp32", "bf16"):
        t = Trainer(args, x, y, device, precision)
        torch.manual_seed(args.seed)
        losses, t0 = [], time.time()
        for i, (xb, yb) in enumerate(t.batches(0)):
            if i == args.compare_precision:
                break
            losses.append(t.step(xb, yb, i))
        curves[precision] = np.array(losses)
        print(f"{precision}: {len(losses)} steps, {(time.time() - t0) / len(losses) * 1000:.0f} ms/step")
    a, b = curves["fp32"], curves["bf16"]
    for i in range(0, len(a), max(1, len(a) // 10)):
        w = slice(max(0, i - 9), i + 1)
        print(f"step {i + 1:>5}: loss fp32 {a[w].mean():.4f}  bf16 {b[w].mean():.4f}")
    tail = slice(-min(20, len(a)), None)
    print(f"last {len(a[tail])} steps: fp32 {a[tail].mean():.4f}, bf16 {b[tail].mean():.4f}, "
          f"relative difference {abs(a[tail].mean() - b[tail].mean()) / a[tail].mean():.2%}")

