"""The network, the augmentation and the learning-rate schedule of `train.py` (PyTorch, offline).

The network is the one the Swift engine runs: stages of two 3x3 convolutions + batch norm + ReLU
and a 2x2 max pool, then Flatten, Dropout, Dense + BN + ReLU, Dropout, Dense(7). `export_keras.py`
writes the identical Keras model. Augmentation runs on the CPU, a whole batch at a time, from a
generator the caller seeds: the same (seed, epoch) gives the same images, which is what makes a
resumed run the run it would have been.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

SIDE = 48


def build_net(widths, dense: int, dropout: float, classes: int = 7) -> nn.Sequential:
    layers: list[nn.Module] = []
    cin = 1
    for w in widths:
        for _ in range(2):
            layers += [nn.Conv2d(cin, w, 3, padding=1), nn.BatchNorm2d(w), nn.ReLU(inplace=True)]
            cin = w
        layers.append(nn.MaxPool2d(2))
    side = SIDE // (2 ** len(widths))
    layers += [nn.Flatten(), nn.Dropout(dropout), nn.Linear(cin * side * side, dense),
               nn.BatchNorm1d(dense), nn.ReLU(inplace=True), nn.Dropout(dropout), nn.Linear(dense, classes)]
    return nn.Sequential(*layers)


def count_flops(widths, dense: int, classes: int = 7) -> int:
    """Multiply-adds x2 of the convolutions and dense layers for one 48x48 face."""
    total, cin, side = 0, 1, SIDE
    for w in widths:
        total += 2 * side * side * 9 * cin * w + 2 * side * side * 9 * w * w
        cin, side = w, side // 2
    return total + 2 * cin * side * side * dense + 2 * dense * classes


class Augment:
    """Flip, rotation, scale, shift, brightness/contrast and random erasing on a batch in [0, 1]."""

    def __init__(self, rotation=15.0, scale_range=(0.85, 1.15), shift=0.10, brightness=0.15, contrast=0.2,
                 erase_prob=0.5, erase_area=(0.02, 0.2)):
        self.rotation, self.scale_range, self.shift = rotation, scale_range, shift
        self.brightness, self.contrast = brightness, contrast
        self.erase_prob, self.erase_area = erase_prob, erase_area

    def __call__(self, x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
        b = x.shape[0]

        def uniform(lo, hi, n=b):
            return torch.rand(n, generator=g) * (hi - lo) + lo

        flip = torch.rand(b, generator=g) < 0.5
        x = torch.where(flip[:, None, None, None], x.flip(-1), x)
        # affine_grid maps output to input coordinates: a zoom by s samples 1/s of the picture;
        # coordinates run -1..1, so a shift of a fraction f of the side is 2f.
        angle = uniform(-self.rotation, self.rotation) * math.pi / 180
        s = uniform(*self.scale_range)
        tx, ty = uniform(-2 * self.shift, 2 * self.shift), uniform(-2 * self.shift, 2 * self.shift)
        cos, sin = torch.cos(angle) / s, torch.sin(angle) / s
        theta = torch.stack([torch.stack([cos, -sin, tx], 1), torch.stack([sin, cos, ty], 1)], 1)
        grid = F.affine_grid(theta, list(x.shape), align_corners=False)
        x = F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)
        mean = x.mean(dim=(1, 2, 3), keepdim=True)
        c = uniform(1 - self.contrast, 1 + self.contrast)[:, None, None, None]
        d = uniform(-self.brightness, self.brightness)[:, None, None, None]
        x = ((x - mean) * c + mean + d).clamp(0, 1)
        return self._erase(x, g)

    def _erase(self, x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
        """Random erasing (Zhong et al. 2017): one rectangle of noise per chosen image."""
        b, _, h, w = x.shape
        area = (torch.rand(b, generator=g) * (self.erase_area[1] - self.erase_area[0]) + self.erase_area[0]) * h * w
        log_ratio = torch.rand(b, generator=g) * (math.log(3.3) - math.log(0.3)) + math.log(0.3)
        ratio = torch.exp(log_ratio)
        eh = torch.sqrt(area * ratio).clamp(1, h).floor()
        ew = torch.sqrt(area / ratio).clamp(1, w).floor()
        y0 = (torch.rand(b, generator=g) * (h - eh + 1)).floor()
        x0 = (torch.rand(b, generator=g) * (w - ew + 1)).floor()
        chosen = torch.rand(b, generator=g) < self.erase_prob
        rows = torch.arange(h, dtype=torch.float32)[None, :, None]
        cols = torch.arange(w, dtype=torch.float32)[None, None, :]
        inside = ((rows >= y0[:, None, None]) & (rows < (y0 + eh)[:, None, None])
                  & (cols >= x0[:, None, None]) & (cols < (x0 + ew)[:, None, None])
                  & chosen[:, None, None])
        noise = torch.rand(x.shape, generator=g)
        return torch.where(inside[:, None], noise, x)


def mixup(x: torch.Tensor, y: torch.Tensor, alpha: float, classes: int, g: torch.Generator):
    """Mixup (Zhang et al. 2018): the batch blended with a shuffled copy of itself by one weight
    drawn from Beta(alpha, alpha), images and targets alike; class-index targets become
    distributions."""
    # torch's Beta sampler takes no generator: NumPy's, seeded from the caller's.
    lam = float(np.random.default_rng(int(torch.randint(2**31, (1,), generator=g))).beta(alpha, alpha))
    perm = torch.randperm(len(y), generator=g)
    if y.dim() == 1:
        y = F.one_hot(y, classes).float()
    return lam * x + (1 - lam) * x[perm], lam * y + (1 - lam) * y[perm]


def one_cycle(step: int, total: int, peak: float, warmup: float) -> float:
    """Linear warm-up from peak/25 to peak over `warmup` of the steps, then cosine to peak/1e4."""
    n_warm = max(1, int(total * warmup))
    lo, end = peak / 25, peak / 1e4
    if step < n_warm:
        return lo + (peak - lo) * step / n_warm
    t = min(1.0, (step - n_warm) / max(1, total - n_warm))
    return end + 0.5 * (peak - end) * (1 + math.cos(math.pi * t))


def refresh_batch_norm(net: nn.Module, images, device, bf16: bool, batch: int = 512) -> None:
    """Batch-norm statistics recomputed as the plain average over `images` (uint8, N x 48 x 48,
    un-augmented), with dropout off. Averaged weights (SWA) need statistics of their own: the
    running ones of the epochs they average belong to other weights."""
    norms = [m for m in net.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    momenta = [m.momentum for m in norms]
    for m in norms:
        m.reset_running_stats()
        m.momentum = None  # a cumulative average over the batches
    net.train()
    for m in net.modules():
        if isinstance(m, nn.Dropout):
            m.eval()
    with torch.no_grad(), torch.autocast(device.type, dtype=torch.bfloat16, enabled=bf16):
        for i in range(0, len(images), batch):
            x = torch.from_numpy(images[i:i + batch]).float().div_(255).unsqueeze(1)
            net(x.to(device).contiguous(memory_format=torch.channels_last))
    for m, momentum in zip(norms, momenta):
        m.momentum = momentum
    net.eval()
