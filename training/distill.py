"""Where a run's weights come from besides its own training: distillation teachers (finished
runs or .h5 models, alone or averaged, optionally flip-averaged) and the starting weights of a
fine-tuning run (--init). Both read .h5 files through export_keras.read_net, the inverse of the
export, so the app's bundled model can teach or be fine-tuned without its run folder.
"""

from __future__ import annotations

import json
import os
import sys

import torch
import torch.nn.functional as F
from torch import nn

import recipe


def read_h5_net(path: str):
    """A .h5 train.py wrote, as (net, widths, dense, dropout); exits with a one-line error otherwise."""
    import export_keras  # noqa: PLC0415  (imports Keras on the PyTorch backend)
    if not os.path.isfile(path):
        sys.exit(f"{path}: no such file")
    try:
        return export_keras.read_net(path)
    except ValueError as e:
        sys.exit(f"{path}: {e}")


def load_init(args) -> torch.nn.Module:
    """--init: the starting net, which must be the one --widths and --dense describe."""
    net, widths, dense, _ = read_h5_net(args.init)
    if (widths, dense) != (args.widths, args.dense):
        sys.exit(f"{args.init}: widths {','.join(map(str, widths))} and dense {dense}, but this run has "
                 f"--widths {','.join(map(str, args.widths))} --dense {args.dense}")
    print(f"starting from {args.init}", flush=True)
    return net


class Teachers(nn.Module):
    """Frozen nets whose logits are averaged; with `flip`, over each image and its mirror too."""

    def __init__(self, nets, flip: bool):
        super().__init__()
        self.nets, self.flip = nn.ModuleList(nets), flip

    def forward(self, x):
        views = (x, x.flip(-1)) if self.flip else (x,)
        logits = [net(v).float() for net in self.nets for v in views]
        return torch.stack(logits).mean(0)


def load_teacher(path: str) -> torch.nn.Module:
    """The chosen net of a finished run, or a .h5 model, frozen, in eval mode (batch norm on its
    running statistics)."""
    if path.endswith(".h5"):
        net, widths, *_ = read_h5_net(path)
    else:
        net, widths = load_run_net(path)
    net = net.to(memory_format=torch.channels_last).eval()
    for p in net.parameters():
        p.requires_grad_(False)
    print(f"teacher: {path} (widths {','.join(map(str, widths))})", flush=True)
    return net


def load_run_net(run_dir: str):
    best, args_path = os.path.join(run_dir, "best.pt"), os.path.join(run_dir, "args.json")
    for path in (best, args_path):
        if not os.path.exists(path):
            sys.exit(f"{path}: no such file (--teacher wants a run folder with best.pt and args.json)")
    with open(args_path) as f:
        targs = json.load(f)
    widths = targs["widths"]  # args.json holds the parsed list (parse_args)
    net = recipe.build_net(widths, targs["dense"], targs["dropout"])
    try:
        net.load_state_dict(torch.load(best, map_location="cpu", weights_only=True))
    except (RuntimeError, OSError, KeyError) as e:
        sys.exit(f"{best}: not the net its args.json describes ({str(e).splitlines()[0]})")
    return net, widths


def distillation_loss(student: torch.Tensor, teacher: torch.Tensor, temperature: float) -> torch.Tensor:
    """Hinton et al. 2015: KL(teacher || student) on logits softened by the temperature, scaled by
    its square so the gradients keep their size as the temperature changes."""
    return F.kl_div(F.log_softmax(student / temperature, 1), F.log_softmax(teacher / temperature, 1),
                    reduction="batchmean", log_target=True) * temperature ** 2
