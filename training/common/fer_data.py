"""FER-2013 loading shared by emotion/ (training, ensembles, framing) and evaluation/evaluate_keras.py
(offline only; never used at run time).

Two input layouts are understood:

* Kaggle's FER-2013 CSV (``emotion,pixels,Usage``), plain or gzipped. ``pixels`` holds 2,304
  space-separated grey values (48x48, row-major). Emotion codes: 0 Angry, 1 Disgust, 2 Fear,
  3 Happy, 4 Sad, 5 Surprise, 6 Neutral.
* A per-emotion image-folder tree, ``DIR/<emotion>/*.png|jpg`` (or ``DIR/train/<emotion>/...``
  and ``DIR/test/<emotion>/...``), with folder names such as angry, disgust(ed), fear(ful),
  happy, neutral, sad, surprise(d). Images are converted to grey and resized to 48x48.

Everything is returned in emotion-live's canonical (alphabetical) label order, see ``LABELS``.

FER+ (Barsoum et al. 2016) votes, 10 annotators an image, come in a CSV row-aligned with a FER-2013
CSV (``attach_votes``); ``ferplus`` turns a split into FER+'s protocol: the vote distribution
over eight emotions (``FERPLUS_LABELS``, contempt added) and the majority label.
"""

from __future__ import annotations

import csv
import gzip
import os
from dataclasses import dataclass

import numpy as np

#: The project's canonical output order (alphabetical). The model's softmax follows it.
LABELS = ["angry", "disgusted", "fearful", "happy", "neutral", "sad", "surprised"]

#: FER-2013 emotion code -> index into LABELS (FER's own order differs: 4 Sad, 5 Surprise, 6 Neutral).
FER_CODE_TO_INDEX = {0: 0, 1: 1, 2: 2, 3: 3, 4: 5, 5: 6, 6: 4}

#: The vote columns of FER+'s files, in their order (NF: not a face).
FERPLUS_COLUMNS = ["neutral", "happiness", "surprise", "sadness", "anger", "disgust", "fear", "contempt",
                   "unknown", "NF"]
#: The output order of a model trained on FER+ votes: the canonical order with contempt added.
FERPLUS_LABELS = ["angry", "contempt", "disgusted", "fearful", "happy", "neutral", "sad", "surprised"]
#: FERPLUS_LABELS index -> vote column (the first eight columns are the emotions).
_FERPLUS_LABEL_COLUMN = np.array([4, 7, 5, 6, 1, 0, 3, 2])
#: label -> vote column, for FER-2013's spellings too.
FERPLUS_COLUMN_OF = dict(zip(FERPLUS_LABELS, _FERPLUS_LABEL_COLUMN.tolist()))

#: Folder names seen in the wild -> index into LABELS.
FOLDER_TO_INDEX = {
    "angry": 0, "anger": 0,
    "disgust": 1, "disgusted": 1,
    "fear": 2, "fearful": 2,
    "happy": 3, "happiness": 3,
    "neutral": 4,
    "sad": 5, "sadness": 5,
    "surprise": 6, "surprised": 6,
}

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".pgm", ".gif", ".tif", ".tiff", ".webp")
SIDE = 48


@dataclass
class Split:
    """Images (uint8, N x 48 x 48) and labels (int, canonical order) of one usage; `rows`, each
    image's data row in its file (for aligning votes); `votes`, FER+'s 10 counts a row (NaN where an
    image has none); `p`, a target distribution a row (FER+ training), when there is one."""

    x: np.ndarray
    y: np.ndarray
    rows: np.ndarray | None = None
    votes: np.ndarray | None = None
    p: np.ndarray | None = None

    def take(self, idx) -> "Split":
        pick = (lambda a: None if a is None else a[idx])
        return Split(self.x[idx], self.y[idx], pick(self.rows), pick(self.votes), pick(self.p))

    def __len__(self) -> int:
        return len(self.y)


def _open_text(path: str):
    if path.endswith(".gz"):
        return gzip.open(path, "rt", newline="")
    return open(path, "r", newline="")


def load_fer_csv(path: str) -> dict[str, Split]:
    """Reads a FER-2013 CSV (plain or .gz) and returns {Usage: Split}."""
    xs: dict[str, list[np.ndarray]] = {}
    ys: dict[str, list[int]] = {}
    rows: dict[str, list[int]] = {}
    with _open_text(path) as f:
        reader = csv.reader(f)
        header = next(reader)
        cols = {name.strip().lower(): i for i, name in enumerate(header)}
        for needed in ("emotion", "pixels"):
            if needed not in cols:
                raise ValueError(f"{path}: header has no '{needed}' column: {header}")
        ie, ip, iu = cols["emotion"], cols["pixels"], cols.get("usage")
        data_row = -1
        for lineno, row in enumerate(reader, start=2):
            if not row:
                continue
            data_row += 1
            pixels = np.array(row[ip].split(), dtype=np.uint8)
            if pixels.size != SIDE * SIDE:
                raise ValueError(f"{path}:{lineno}: {pixels.size} pixels, expected {SIDE * SIDE}")
            usage = row[iu].strip() if iu is not None else "Training"
            xs.setdefault(usage, []).append(pixels.reshape(SIDE, SIDE))
            ys.setdefault(usage, []).append(FER_CODE_TO_INDEX[int(row[ie])])
            rows.setdefault(usage, []).append(data_row)
    return {u: Split(np.stack(xs[u]), np.array(ys[u], dtype=np.int64), np.array(rows[u], dtype=np.int64))
            for u in xs}


def load_votes(path: str) -> np.ndarray:
    """FER+'s votes file -> float array (rows x 10) in FERPLUS_COLUMNS order, NaN for a row with
    no votes (empty fields)."""
    out = []
    with _open_text(path) as f:
        reader = csv.reader(f)
        header = [h.strip() for h in next(reader, [])]
        if header != FERPLUS_COLUMNS:
            raise ValueError(f"{path}: header {header}, expected {','.join(FERPLUS_COLUMNS)}")
        for lineno, row in enumerate(reader, start=2):
            if len(row) != len(FERPLUS_COLUMNS):
                raise ValueError(f"{path}:{lineno}: {len(row)} fields, expected {len(FERPLUS_COLUMNS)}")
            if all(not v.strip() for v in row):
                out.append([np.nan] * len(row))
            else:
                out.append([float(v) for v in row])
    return np.array(out, dtype=np.float64).reshape(-1, len(FERPLUS_COLUMNS))


def attach_votes(sets: dict[str, Split], path: str) -> None:
    """Gives every split of one CSV its rows' votes from a file row-aligned with that CSV."""
    votes = load_votes(path)
    n_rows = sum(len(s) for s in sets.values())
    if len(votes) != n_rows:
        raise ValueError(f"{path}: {len(votes)} rows of votes for {n_rows} data rows (must be row-aligned)")
    for split in sets.values():
        split.votes = votes[split.rows]


def ferplus(split: Split, training: bool) -> Split:
    """FER+'s protocol on a split with votes: rows without votes, or whose top vote is unknown or
    not-a-face, are left out; so, outside training, are rows whose top vote is tied. `y` becomes
    the majority label and `p` the normalized votes of the eight emotions, both in FERPLUS_LABELS
    order."""
    v = split.votes
    if v is None:
        raise ValueError("split has no votes")
    has = ~np.isnan(v).any(1) & (np.nan_to_num(v).sum(1) > 0)
    v0 = np.nan_to_num(v)
    top = v0.max(1)
    top_is_emotion = v0[:, :8].max(1) == top
    keep = has & top_is_emotion & (v0[:, 8:].max(1) < top)
    if not training:
        keep &= (v0 == top[:, None]).sum(1) == 1
    emotions = v0[:, _FERPLUS_LABEL_COLUMN]
    idx = np.flatnonzero(keep)
    out = split.take(idx)
    e = emotions[idx]
    out.p = (e / e.sum(1, keepdims=True)).astype(np.float32)
    out.y = e.argmax(1).astype(np.int64)
    return out


def _load_emotion_folders(root: str) -> Split:
    from PIL import Image  # only needed for the folder layout

    xs, ys = [], []
    for name in sorted(os.listdir(root)):
        sub = os.path.join(root, name)
        if not os.path.isdir(sub):
            continue
        index = FOLDER_TO_INDEX.get(name.strip().lower())
        if index is None:
            print(f"note: skipping folder {sub!r} (not one of the 7 FER-2013 emotions)")
            continue
        for fname in sorted(os.listdir(sub)):
            if not fname.lower().endswith(IMAGE_EXTENSIONS):
                continue
            with Image.open(os.path.join(sub, fname)) as im:
                im = im.convert("L")
                if im.size != (SIDE, SIDE):
                    im = im.resize((SIDE, SIDE), Image.BILINEAR)
                xs.append(np.asarray(im, dtype=np.uint8))
            ys.append(index)
    if not xs:
        raise ValueError(f"{root}: no images found in emotion folders")
    return Split(np.stack(xs), np.array(ys, dtype=np.int64))


def load_image_tree(path: str, default_usage: str) -> dict[str, Split]:
    """Reads an image-folder tree. ``DIR/train`` -> Training, ``DIR/test`` -> Test (no
    Public/Private split exists there); a directory of emotion folders -> ``default_usage``."""
    out: dict[str, Split] = {}
    for sub, usage in (("train", "Training"), ("test", "Test"), ("val", "Validation"),
                       ("validation", "Validation")):
        if os.path.isdir(os.path.join(path, sub)):
            out[usage] = _load_emotion_folders(os.path.join(path, sub))
    if not out:
        out[default_usage] = _load_emotion_folders(path)
    return out


def load(path: str, default_usage: str) -> dict[str, Split]:
    """Loads a CSV file or an image tree; returns {Usage: Split}."""
    if os.path.isdir(path):
        return load_image_tree(path, default_usage)
    return load_fer_csv(path)


def concat(*splits: Split) -> Split:
    def join(field):
        parts = [getattr(s, field) for s in splits]
        return None if any(p is None for p in parts) else np.concatenate(parts)
    return Split(join("x"), join("y"), join("rows"), join("votes"), join("p"))


def to_input(x: np.ndarray) -> np.ndarray:
    """uint8 N x 48 x 48 -> float32 N x 48 x 48 x 1 scaled x/255 (the model's input)."""
    return (x.astype(np.float32) / 255.0)[..., None]


def class_report(y_true: np.ndarray, y_pred: np.ndarray, labels=LABELS) -> dict:
    """Accuracy, per-class precision/recall/F1 and the confusion matrix (rows = truth)."""
    n = len(labels)
    cm = np.zeros((n, n), dtype=np.int64)
    np.add.at(cm, (y_true, y_pred), 1)
    per_class = {}
    for i, name in enumerate(labels):
        tp = cm[i, i]
        prec = tp / cm[:, i].sum() if cm[:, i].sum() else 0.0
        rec = tp / cm[i, :].sum() if cm[i, :].sum() else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        per_class[name] = {"precision": round(float(prec), 4), "recall": round(float(rec), 4),
                           "f1": round(float(f1), 4), "support": int(cm[i, :].sum())}
    return {"accuracy": float((y_true == y_pred).mean()), "n": int(len(y_true)),
            "macro_f1": round(float(np.mean([c["f1"] for c in per_class.values()])), 4),
            "per_class": per_class, "confusion": cm.tolist()}


def format_report(title: str, rep: dict) -> str:
    lines = [f"{title}: accuracy {rep['accuracy']:.4f} on {rep['n']} images, macro-F1 {rep['macro_f1']:.4f}"]
    lines.append("  class       precision recall  f1     support")
    for name, c in rep["per_class"].items():
        lines.append(f"  {name:<11} {c['precision']:.4f}    {c['recall']:.4f}  {c['f1']:.4f} {c['support']:>6}")
    return "\n".join(lines)
