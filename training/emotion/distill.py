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

from training.common import fer_data
from training.emotion import recipe


def read_h5_net(spec: str):
    """A .h5 train.py wrote, as (net, widths, dense, dropout); `FILE.h5#N` names the N-th member of
    an ensemble ensemble.py wrote. Exits with a one-line error otherwise."""
    from training.emotion import export_keras  # noqa: PLC0415  (imports Keras on the PyTorch backend)
    path, _, member = spec.partition("#")
    if not os.path.isfile(path):
        sys.exit(f"{path}: no such file")
    try:
        return export_keras.read_net(path, int(member) if member else None)
    except ValueError as e:
        sys.exit(f"{spec}: {e}")


def load_init(args) -> torch.nn.Module:
    """--init: the starting net, which must be the one --widths and --dense describe. A model of
    other labels (FER-2013's seven, for a run on FER+'s eight) gives its output rows by label name;
    a label it lacks (contempt) starts from random weights."""
    net, widths, dense, dropout = read_h5_net(args.init)
    if (widths, dense) != (args.widths, args.dense):
        sys.exit(f"{args.init}: widths {','.join(map(str, widths))} and dense {dense}, but this run has "
                 f"--widths {','.join(map(str, args.widths))} --dense {args.dense}")
    init_labels = model_labels(args.init.partition("#")[0], net[-1].out_features)
    if init_labels != list(args.labels):
        fresh = recipe.build_net(widths, dense, dropout, classes=len(args.labels))
        state = {k: v for k, v in net.state_dict().items() if not k.startswith(f"{len(net) - 1}.")}
        head = fresh[-1]
        with torch.no_grad():
            for i, name in enumerate(args.labels):
                if name in init_labels:
                    head.weight[i].copy_(net[-1].weight[init_labels.index(name)])
                    head.bias[i].copy_(net[-1].bias[init_labels.index(name)])
        fresh.load_state_dict(state, strict=False)
        new = [n for n in args.labels if n not in init_labels]
        print(f"starting from {args.init} (output rows matched by label; new: {', '.join(new) or 'none'})", flush=True)
        return fresh
    print(f"starting from {args.init}", flush=True)
    return net


def model_labels(path: str, classes: int) -> list:
    """The labels a model's sidecar names, or FER-2013's canonical seven for a 7-class model."""
    meta = path[: -len(".h5")] + ".meta.json"
    if os.path.isfile(meta):
        with open(meta) as f:
            labels = json.load(f).get("labels")
        if labels and len(labels) == classes:
            return list(labels)
    if classes == len(fer_data.LABELS):
        return list(fer_data.LABELS)
    sys.exit(f"{path}: {classes} outputs and no sidecar naming them")


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
    net = recipe.build_net(widths, targs["dense"], targs["dropout"], classes=len(targs.get("labels") or range(7)))
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
