"""Softmax outputs of a net on FER-2013 rows, and the per-split reports the end of a training
run (finish.py) and an ensemble (ensemble.py) print and keep."""
from __future__ import annotations

import numpy as np
import torch

from training.common import fer_data


def probabilities(net: torch.nn.Module, x_uint8: np.ndarray, flip: bool = False,
                  device: torch.device = torch.device("cpu"), channels_last: bool = False) -> np.ndarray:
    """The net's probabilities on 48x48 uint8 faces (scaled x/255), in eval mode, batches of
    512; `flip` runs it on the mirror images."""
    net.eval()
    out = []
    with torch.no_grad():
        for i in range(0, len(x_uint8), 512):
            x = torch.from_numpy(x_uint8[i:i + 512]).float().div_(255).unsqueeze(1)
            if flip:
                x = x.flip(-1)
            x = x.to(device)
            if channels_last:
                x = x.contiguous(memory_format=torch.channels_last)
            out.append(torch.softmax(net(x).float(), 1).cpu().numpy())
    return np.concatenate(out)


def vote_share(split, pred: np.ndarray, labels) -> float | None:
    """FER+: the mean share of a row's annotators (all ten columns) who chose the predicted label,
    as `emotion-live evaluate --votes` reports it; None without votes."""
    if split.votes is None:
        return None
    columns = np.array([fer_data.FERPLUS_COLUMN_OF.get(labels[k], -1) for k in range(len(labels))])
    v = np.nan_to_num(split.votes)
    chosen = columns[pred]
    got = np.where(chosen >= 0, v[np.arange(len(pred)), np.maximum(chosen, 0)], 0)
    return round(float((got / np.maximum(v.sum(1), 1)).mean()), 4)


def score_splits(probabilities_of, sets: dict, flip_note: str, labels=fer_data.LABELS) -> dict:
    """For each named split: `fer_data.class_report` of the argmax of `probabilities_of(x, flip)`,
    with the report of the average over the face and its mirror image under "flip_average" and
    its accuracy under "accuracy_flip_average"; each printed, the latter after `flip_note`."""
    reports = {}
    for name, split in sets.items():
        prob = probabilities_of(split.x, False)
        rep = fer_data.class_report(split.y, prob.argmax(1), labels)
        rep["vote_share"] = vote_share(split, prob.argmax(1), labels)
        both = (prob + probabilities_of(split.x, True)) / 2
        rep["flip_average"] = fer_data.class_report(split.y, both.argmax(1), labels)
        rep["flip_average"]["vote_share"] = vote_share(split, both.argmax(1), labels)
        rep["accuracy_flip_average"] = rep["flip_average"]["accuracy"]
        reports[name] = rep
        print(fer_data.format_report(name, rep) + (f"\n  mean annotator share of the prediction: "
                                                    f"{rep['vote_share']:.4f}" if rep["vote_share"] is not None else ""))
        print(f"  ({flip_note}: {rep['accuracy_flip_average']:.4f})")
    return reports
