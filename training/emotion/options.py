"""train.py's command line: every option, its checks, and which options define a run (a resumed
run must have been started with the same values)."""

from __future__ import annotations

import argparse
import os

from training.common import fer_data, paths

#: Arguments that define a run: a resumed run must have been started with the same values.
RUN_DEFINING = ("epochs", "batch_size", "lr", "momentum", "weight_decay", "warmup", "label_smoothing",
                "widths", "dense", "dropout", "seed", "limit", "precision", "erase_prob")
#: Settings of the weight-averaging epochs after the one-cycle ones: free to set or change until
#: the first of them is trained, so a finished run can be extended. Their number stays free: an
#: average can always take more epochs.
SWA_DEFINING = ("swa_lr",)
#: Settings of distillation, part of a run's definition only when it has a teacher (runs begun
#: before distillation existed resume unchanged).
DISTILL_DEFINING = ("teacher", "distill_weight", "distill_temperature", "teacher_flip")
#: The starting weights of a fine-tuning run, part of its definition only when given.
INIT_DEFINING = ("init",)
#: The weights' moving average, part of a run's definition only when on.
EMA_DEFINING = ("ema",)
#: The targets (FER+ votes) and the framing jitter, part of a run's definition only when given
#: (runs begun before they existed resume unchanged).
VOTES_DEFINING = ("targets",)
SCALE_DEFINING = ("scale_range",)
#: Mixup's strength, part of a run's definition only when on.
MIXUP_DEFINING = ("mixup",)



def parse_args(argv=None, description=None):
    """train.py's options, checked, with `labels` and `targets` derived and `widths` parsed."""
    p = argparse.ArgumentParser(description=description,
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--train", required=True, help="FER-2013 CSV (.csv/.csv.gz; its Training rows) or image tree")
    p.add_argument("--test", default=None, help="CSV or image tree with PublicTest/PrivateTest rows")
    p.add_argument("--train-votes", default=None, metavar="CSV",
                   help="FER+ votes row-aligned with --train: learn the annotators' vote distribution over "
                        "eight emotions (contempt added) instead of FER-2013's labels; needs --test-votes")
    p.add_argument("--test-votes", default=None, metavar="CSV",
                   help="FER+ votes row-aligned with --test: choose and report on the majority label")
    p.add_argument("--out", default="models/emotion-cnn.h5", help="output model, must end in .h5")
    p.add_argument("--meta", default=None, help="sidecar JSON (default: <out minus .h5>.meta.json)")
    p.add_argument("--reference", default=os.path.join(paths.ROOT, "Tests", "KerasEngineTests",
                                                       "Fixtures", "emotion-cnn.pytorch.reference.json"),
                   help="where PyTorch's outputs on synthetic faces go (the Swift engine's test); '' for none")
    p.add_argument("--runs-dir", default=os.path.join(paths.TRAINING, "runs"))
    p.add_argument("--run-name", default="default", help="run folder; an unfinished run there is resumed")
    p.add_argument("--fresh", action="store_true", help="delete the run folder's checkpoints and start over")
    p.add_argument("--finish-now", action="store_true",
                   help="export the best epoch so far of an unfinished run (chosen on PublicTest) without "
                        "training further; the run stays resumable")
    p.add_argument("--epochs", type=int, default=150)
    p.add_argument("--reschedule", action="store_true",
                   help="let a resumed run take a new --epochs: the one-cycle schedule is stretched or "
                        "shortened from the next step on (the change is logged in the checkpoint and the "
                        "sidecar); for a run that will not finish in the time there is")
    p.add_argument("--swa-epochs", type=int, default=0,
                   help="after the one-cycle epochs, this many more at the constant --swa-lr, the weights "
                        "averaged at each one's end (stochastic weight averaging); from then on the average, "
                        "its batch-norm statistics recomputed, is what is scored, chosen and exported")
    p.add_argument("--swa-lr", type=float, default=0.01)
    p.add_argument("--ema", type=float, default=0.0, metavar="DECAY",
                   help="keep an exponential moving average of the weights (and batch-norm statistics), "
                        "updated every step with this decay (e.g. 0.999); it is what is scored, chosen "
                        "and exported. 0: off")
    p.add_argument("--init", default=None, metavar="MODEL_H5",
                   help="start from the weights of a .h5 this script wrote (same widths and dense), "
                        "e.g. models/emotion-cnn.h5, instead of random ones: a fine-tuning run")
    p.add_argument("--teacher-flip", action="store_true",
                   help="the teachers see each image and its mirror image, their logits averaged "
                        "(the flip-averaged model the app runs; twice the teachers' cost)")
    p.add_argument("--teacher", default=None, action="append", metavar="RUN_DIR|MODEL_H5",
                   help="distil from a finished run's chosen net (its best.pt and args.json) or a .h5 "
                        "this script wrote; given more than once, from the average of their logits")
    p.add_argument("--distill-weight", type=float, default=0.7,
                   help="share of the loss that matches the teacher (the rest is the labels)")
    p.add_argument("--distill-temperature", type=float, default=2.0)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--lr", type=float, default=0.05, help="peak learning rate (SGD, Nesterov momentum)")
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--weight-decay", type=float, default=5e-4)
    p.add_argument("--warmup", type=float, default=0.2, help="fraction of the steps spent warming up")
    p.add_argument("--label-smoothing", type=float, default=None,
                   help="mixed into the target (default 0.1 on FER-2013 labels, 0 on FER+ votes, which "
                        "are a distribution already)")
    p.add_argument("--widths", default="24,48,96,192", help="filters per stage")
    p.add_argument("--dense", type=int, default=256)
    p.add_argument("--dropout", type=float, default=0.5)
    p.add_argument("--erase-prob", type=float, default=0.5, help="random-erasing probability")
    p.add_argument("--mixup", type=float, default=0.0, metavar="ALPHA",
                   help="mixup (Zhang et al. 2018): each batch blended with a shuffled copy of itself, "
                        "images and targets alike, by a weight drawn from Beta(ALPHA, ALPHA); 0: off")
    p.add_argument("--scale-range", default=None, metavar="LO,HI",
                   help="zoom of the framing jitter, drawn uniformly (default 0.85,1.15); e.g. 0.8,1.25 "
                        "for faces framed tighter or looser than FER-2013's, as detectors frame them")
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--limit", type=int, default=0, help="use only N training images (smoke tests)")
    p.add_argument("--precision", choices=["auto", "bf16", "fp32"], default="auto")
    p.add_argument("--compare-precision", type=int, default=0, metavar="STEPS",
                   help="train STEPS steps in fp32 and in bf16 from the same start, print both losses, exit "
                        "(precision.py)")
    p.add_argument("--threads", type=int, default=0, help="PyTorch threads (0: one per core)")
    p.add_argument("--device", default="auto", help="auto (CUDA when present), cpu or cuda")
    args = p.parse_args(argv)
    if not args.out.endswith(".h5"):
        p.error("--out must end in .h5 (Keras legacy HDF5, the format the Swift engine reads)")
    if not 0 <= args.distill_weight <= 1:
        p.error(f"--distill-weight {args.distill_weight}: must be between 0 and 1")
    if not 0 <= args.ema < 1:
        p.error(f"--ema {args.ema}: the decay must be in [0, 1)")
    if args.ema and args.swa_epochs:
        p.error("--ema and --swa-epochs are two ways of averaging the weights: choose one")
    if args.mixup < 0:
        p.error(f"--mixup {args.mixup}: must be 0 (off) or positive")
    if args.distill_temperature <= 0:
        p.error(f"--distill-temperature {args.distill_temperature}: must be positive")
    if bool(args.train_votes) != bool(args.test_votes):
        p.error("--train-votes and --test-votes go together")
    args.targets = "ferplus-votes" if args.train_votes else None
    if args.label_smoothing is None:
        args.label_smoothing = 0.0 if args.targets else 0.1
    if args.scale_range is not None:
        try:
            lo, hi = (float(v) for v in args.scale_range.split(","))
        except ValueError:
            p.error(f"--scale-range {args.scale_range}: expected LO,HI, e.g. 0.8,1.25")
        if not 0 < lo <= hi:
            p.error(f"--scale-range {args.scale_range}: needs 0 < LO <= HI")
        args.scale_range = [lo, hi]
    args.labels = fer_data.FERPLUS_LABELS if args.targets else fer_data.LABELS
    args.widths = [int(w) for w in args.widths.split(",") if w]
    return args



def defining(args) -> dict:
    """The settings a resumed run must have been started with (RUN_DEFINING, and the optional
    groups that are on)."""
    keys = RUN_DEFINING + (DISTILL_DEFINING if args.teacher else ()) + (INIT_DEFINING if args.init else ()) \
        + (EMA_DEFINING if args.ema else ()) + (VOTES_DEFINING if args.targets else ()) \
        + (SCALE_DEFINING if args.scale_range else ()) + (MIXUP_DEFINING if args.mixup else ())
    return {k: getattr(args, k) for k in keys}


def swa_defining(args) -> dict:
    """The weight averaging's settings, fixed once its first epoch is trained."""
    return {k: getattr(args, k) for k in SWA_DEFINING}
