#!/usr/bin/env python3
"""Train emotion-live's bundled facial-emotion CNN on FER-2013 (offline; PyTorch on the CPU).

Protocol: train on the Training rows only, keep the epoch with the best PublicTest accuracy,
report PrivateTest and PublicTest+PrivateTest once at the end. The network and augmentation are
in recipe.py; export_keras.py writes the identical Keras .h5 the Swift engine reads.

Resumable: after every epoch the run folder (training/runs/<run>/) gets checkpoint.pt (model,
optimizer, epoch, history, best score) and best.pt, each written under a temporary name and
renamed. Every random draw of an epoch (shuffle, augmentation, dropout) comes from generators
seeded with (seed, epoch), so a run resumed after a kill is the run it would have been. Running
the same command again resumes an unfinished run; --fresh starts it over.

Precision: bf16 autocast where the CPU has native bf16 (AVX512-BF16 or AMX), float32 elsewhere
(emulated bf16 is slower than float32); --precision overrides, and --compare-precision N trains
N steps both ways from the same start and prints the two loss curves.

Example (the command behind the bundled model is in models/README.md):
  training/.venv-torch/bin/python training/train.py \\
      --train ../shared/data/fer2013-train.csv.gz --test ../shared/data/fer2013-test.csv \\
      --out models/emotion-cnn.h5 --run-name default
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

import distill  # noqa: E402
import finish  # noqa: E402
import fer_data  # noqa: E402
import recipe  # noqa: E402
import scoring  # noqa: E402

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


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
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
    p.add_argument("--reference", default=os.path.join(os.path.dirname(HERE), "Tests", "KerasEngineTests",
                                                       "Fixtures", "emotion-cnn.pytorch.reference.json"),
                   help="where PyTorch's outputs on synthetic faces go (the Swift engine's test); '' for none")
    p.add_argument("--runs-dir", default=os.path.join(HERE, "runs"))
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
    p.add_argument("--scale-range", default=None, metavar="LO,HI",
                   help="zoom of the framing jitter, drawn uniformly (default 0.85,1.15); e.g. 0.8,1.25 "
                        "for faces framed tighter or looser than FER-2013's, as detectors frame them")
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--limit", type=int, default=0, help="use only N training images (smoke tests)")
    p.add_argument("--precision", choices=["auto", "bf16", "fp32"], default="auto")
    p.add_argument("--compare-precision", type=int, default=0, metavar="STEPS",
                   help="train STEPS steps in fp32 and in bf16 from the same start, print both losses, exit")
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


class Trainer:
    """One network, its optimizer and data; `epoch(e)` trains epoch e from its own seeds."""

    def __init__(self, args, x_train, y_train, device, precision):
        self.args, self.device, self.precision = args, device, precision
        # y_train: class indices, or (FER+) a target distribution a row
        self.x, self.y = x_train, y_train
        torch.manual_seed(args.seed)
        self.net = recipe.build_net(args.widths, args.dense, args.dropout, classes=len(args.labels))
        if args.init:
            self.net.load_state_dict(distill.load_init(args).state_dict())
        self.net = self.net.to(device)
        self.net = self.net.to(memory_format=torch.channels_last)
        self.opt = torch.optim.SGD(self.net.parameters(), lr=args.lr, momentum=args.momentum,
                                   nesterov=True, weight_decay=args.weight_decay)
        self.augment = recipe.Augment(erase_prob=args.erase_prob,
                                      scale_range=tuple(args.scale_range or (0.85, 1.15)))
        self.steps_per_epoch = math.ceil(len(self.y) / args.batch_size)
        self.total_steps = self.steps_per_epoch * args.epochs
        self.swa = None  # the running average of the weights, from the first SWA epoch on
        self.ema = torch.optim.swa_utils.AveragedModel(
            self.net, multi_avg_fn=torch.optim.swa_utils.get_ema_multi_avg_fn(args.ema),
            use_buffers=True) if args.ema else None
        self.teacher = None
        if args.teacher:
            nets = [distill.load_teacher(t) for t in args.teacher]
            self.teacher = distill.Teachers(nets, args.teacher_flip).to(device).eval()

    def lr_at(self, step_index: int) -> float:
        if step_index >= self.total_steps:
            return self.args.swa_lr
        return recipe.one_cycle(step_index, self.total_steps, self.args.lr, self.args.warmup)

    def average(self):
        """Adds the current weights to the average and refreshes its batch-norm statistics."""
        if self.swa is None:
            self.swa = torch.optim.swa_utils.AveragedModel(self.net)
        self.swa.update_parameters(self.net)
        recipe.refresh_batch_norm(self.swa.module, self.x, self.device, self.precision == "bf16")

    def batches(self, epoch: int):
        g = torch.Generator().manual_seed(self.args.seed * 100_003 + epoch)
        order = torch.randperm(len(self.y), generator=g)
        for i in range(self.steps_per_epoch):
            idx = order[i * self.args.batch_size:(i + 1) * self.args.batch_size]
            x = torch.from_numpy(self.x[idx.numpy()]).float().div_(255).unsqueeze(1)
            y = torch.from_numpy(self.y[idx.numpy()])
            yield self.augment(x, g), (y.float() if y.dim() == 2 else y.long())

    def step(self, x, y, step_index: int) -> float:
        lr = self.lr_at(step_index)
        for group in self.opt.param_groups:
            group["lr"] = lr
        x = x.to(self.device).contiguous(memory_format=torch.channels_last)
        y = y.to(self.device)
        bf16 = self.precision == "bf16"
        with torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=bf16):
            logits = self.net(x)
            # A (N, classes) float target is a distribution (FER+ votes): cross-entropy against it.
            loss = F.cross_entropy(logits.float() if y.dim() == 2 else logits, y,
                                   label_smoothing=self.args.label_smoothing)
        if self.teacher is not None:
            with torch.no_grad(), torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=bf16):
                target = self.teacher(x).float()
            loss = (1 - self.args.distill_weight) * loss + self.args.distill_weight * distill.distillation_loss(
                logits.float(), target, self.args.distill_temperature)
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()
        if self.ema is not None:
            self.ema.update_parameters(self.net)
        return float(loss.detach())

    def epoch(self, e: int) -> float:
        torch.manual_seed(self.args.seed * 100_003 + e + 50_000)  # dropout
        self.net.train()
        losses = [self.step(x, y, e * self.steps_per_epoch + i) for i, (x, y) in enumerate(self.batches(e))]
        return float(np.mean(losses))

    def probabilities(self, x_uint8: np.ndarray, flip: bool = False, net=None) -> np.ndarray:
        return scoring.probabilities(net if net is not None else self.net, x_uint8, flip, self.device,
                                     channels_last=True)

    def state(self):
        return {"net": self.net.state_dict(), "opt": self.opt.state_dict(),
                "swa": self.swa.state_dict() if self.swa is not None else None,
                "ema": self.ema.state_dict() if self.ema is not None else None}

    def load(self, state):
        self.net.load_state_dict(state["net"])
        self.opt.load_state_dict(state["opt"])
        if state.get("swa") is not None:
            self.swa = torch.optim.swa_utils.AveragedModel(self.net)
            self.swa.load_state_dict(state["swa"])
        if self.ema is not None:  # --ema is part of the run's definition: the state has it
            self.ema.load_state_dict(state["ema"])


def save_atomically(obj, path: str):
    tmp = path + ".tmp"
    torch.save(obj, tmp)
    os.replace(tmp, path)


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


def load_data(args):
    train_sets = fer_data.load(args.train, default_usage="Training")
    test_sets = fer_data.load(args.test, default_usage="Test") if args.test else {}
    if args.targets:
        try:
            fer_data.attach_votes(train_sets, args.train_votes)
            fer_data.attach_votes(test_sets, args.test_votes)
        except (ValueError, OSError) as e:
            sys.exit(str(e))
        train_sets = {u: fer_data.ferplus(s, training=u == "Training") for u, s in train_sets.items()}
        test_sets = {u: fer_data.ferplus(s, training=False) for u, s in test_sets.items()}
    for usage, split in train_sets.items():
        if usage != "Training":
            test_sets.setdefault(usage, split)
    if "Training" not in train_sets:
        sys.exit(f"{args.train}: no Training rows")
    train = train_sets["Training"]
    rng = np.random.default_rng(args.seed)
    if "PublicTest" in test_sets:
        select_name, select = "PublicTest", test_sets["PublicTest"]
    else:  # no official validation split: hold out a tenth of the training images
        perm = rng.permutation(len(train))
        n_val = max(1, len(train) // 10)
        select, train = train.take(perm[:n_val]), train.take(perm[n_val:])
        select_name = "held-out 10% of training"
    if args.limit:
        idx = rng.permutation(len(train))[: args.limit]
        train = train.take(idx)
    return train, select_name, select, test_sets


def main(argv=None):
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device("cuda" if args.device == "auto" and torch.cuda.is_available() else
                          ("cpu" if args.device == "auto" else args.device))
    train, select_name, select, test_sets = load_data(args)
    x_train = np.ascontiguousarray(train.x)
    y_train = np.ascontiguousarray(train.p if args.targets else train.y)
    if args.compare_precision:
        return compare_precision(args, x_train, y_train, device)

    precision = choose_precision(args, device)
    why = ("native bf16 on this CPU" if cpu_has_bf16() else "this CPU has no native bf16 (AVX512-BF16/AMX)") \
        if device.type == "cpu" else torch.cuda.get_device_name()
    print(f"device {device}, {torch.get_num_threads()} threads, precision {precision} ({why})", flush=True)
    print("splits: Training %d, %s" % (len(train), ", ".join(f"{u} {len(s)}" for u, s in test_sets.items())))
    if args.targets:
        print(f"targets: FER+ vote distributions over {len(args.labels)} emotions ({', '.join(args.labels)}); "
              f"chosen on {select_name}'s majority label")
    flops = recipe.count_flops(args.widths, args.dense, classes=len(args.labels))
    print(f"network: widths {args.widths}, dense {args.dense}: {flops / 1e6:.1f} MFLOP per face")

    run_dir = os.path.join(args.runs_dir, args.run_name)
    ckpt_path, best_path = os.path.join(run_dir, "checkpoint.pt"), os.path.join(run_dir, "best.pt")
    log_path, args_path = os.path.join(run_dir, "log.csv"), os.path.join(run_dir, "args.json")
    if args.fresh:
        for path in (ckpt_path, best_path, log_path, args_path):
            if os.path.exists(path):
                os.remove(path)
    os.makedirs(run_dir, exist_ok=True)
    defining = {k: getattr(args, k) for k in RUN_DEFINING + (DISTILL_DEFINING if args.teacher else ())
                + (INIT_DEFINING if args.init else ()) + (EMA_DEFINING if args.ema else ())
                + (VOTES_DEFINING if args.targets else ()) + (SCALE_DEFINING if args.scale_range else ())}
    swa_defining = {k: getattr(args, k) for k in SWA_DEFINING}
    total = args.epochs + args.swa_epochs
    trainer = Trainer(args, x_train, y_train, device, precision)
    done, history, best = 0, [], {"accuracy": -1.0, "epoch": 0}
    rescheduled = []  # each change of the one-cycle's length: after which epoch, from and to
    if os.path.exists(ckpt_path):
        saved = torch.load(ckpt_path, map_location=device, weights_only=False)
        if args.reschedule:
            reschedule(saved, defining, ckpt_path)
        if saved["defining"] != defining:
            changed = sorted(k for k in defining if saved["defining"].get(k) != defining[k])
            hint = ", or --reschedule to change only its length" if changed == ["epochs"] else ""
            sys.exit(f"{ckpt_path}: this run was started with other settings ({', '.join(changed)}); "
                     f"pass --fresh (make train FRESH=1) to start over, or another --run-name{hint}")
        if saved["epoch"] > args.epochs and saved.get("swa_defining") != swa_defining:
            changed = sorted(k for k in swa_defining if (saved.get("swa_defining") or {}).get(k) != swa_defining[k])
            sys.exit(f"{ckpt_path}: this run's weight averaging was started with other settings "
                     f"({', '.join(changed)}); pass --fresh (make train FRESH=1) to start over, or another --run-name")
        trainer.load(saved["trainer"])
        done, history, best = saved["epoch"], saved["history"], saved["best"]
        rescheduled = saved.get("rescheduled", [])
        print(f"resuming {run_dir} after epoch {done} of {total} "
              f"(best {select_name} {best['accuracy']:.4f} at epoch {best['epoch']})", flush=True)
    elif args.finish_now:
        sys.exit(f"{ckpt_path}: no checkpoint to finish from")
    else:
        with open(args_path, "w") as f:
            json.dump(vars(args), f, indent=2)
        print(f"run folder: {run_dir}", flush=True)

    # A run that cannot finish in the time there is still lands its best epoch so far.
    for e in range(done, done if args.finish_now else total):
        t0 = time.time()
        loss = trainer.epoch(e)
        train_seconds = time.time() - t0
        scored = trainer.net if trainer.ema is None else trainer.ema.module
        if e >= args.epochs:
            trainer.average()
            scored = trainer.swa.module
        acc = float((trainer.probabilities(select.x, net=scored).argmax(1) == select.y).mean())
        seconds = time.time() - t0
        history.append({"epoch": e + 1, "loss": round(loss, 5), "select_accuracy": round(acc, 5),
                        "images_per_second": round(len(y_train) / train_seconds, 1), "seconds": round(seconds, 1),
                        "lr_end": trainer.lr_at((e + 1) * trainer.steps_per_epoch - 1),
                        "averaged": int(trainer.swa.n_averaged) if e >= args.epochs else 0})
        mark = ""
        if acc > best["accuracy"]:
            best = {"accuracy": acc, "epoch": e + 1}
            save_atomically(scored.state_dict(), best_path)
            mark = "  <- best"
        save_atomically({"trainer": trainer.state(), "epoch": e + 1, "history": history, "best": best,
                         "defining": defining, "swa_defining": swa_defining, "precision": precision,
                         "rescheduled": rescheduled}, ckpt_path)
        # A log begun by an older version keeps its columns.
        header = None
        if os.path.exists(log_path) and os.path.getsize(log_path) > 0:
            with open(log_path, newline="") as f:
                header = next(csv.reader(f), None)
        with open(log_path, "a", newline="") as f:
            w = csv.DictWriter(f, fieldnames=header or list(history[-1]), extrasaction="ignore")
            if header is None:
                w.writeheader()
            w.writerow(history[-1])
        recent = [h["seconds"] for h in history[-5:]]
        eta = (total - e - 1) * float(np.mean(recent))
        swa = f" (average of {int(trainer.swa.n_averaged)})" if e >= args.epochs else \
            (" (EMA)" if trainer.ema is not None else "")
        print(f"epoch {e + 1}/{total}: loss {loss:.4f}  {select_name}{swa} {acc:.4f}  "
              f"{len(y_train) / train_seconds:.0f} img/s  {seconds:.0f}s  ETA {eta / 60:.0f} min{mark}", flush=True)

    trainer.net.load_state_dict(torch.load(best_path, map_location=device, weights_only=True))
    return finish.finish(args, trainer, best, history, select_name, test_sets, precision, flops, device,
                         rescheduled)


def reschedule(saved: dict, defining: dict, ckpt_path: str) -> None:
    """Accepts a new --epochs for a resumed run: the learning rate is a function of (step, total
    steps), so from the next step on it follows the one-cycle of the new length. Records the change
    in `saved` (it reaches the checkpoint and the sidecar) so the run's history stays true."""
    old, new, done = saved["defining"]["epochs"], defining["epochs"], saved["epoch"]
    if old == new:
        return
    if done > old:
        sys.exit(f"{ckpt_path}: weight averaging has begun after the {old} one-cycle epochs; "
                 f"their number can no longer change")
    if new <= done:
        sys.exit(f"{ckpt_path}: --epochs {new} with --reschedule must be more than the {done} epochs "
                 f"already trained")
    saved["defining"] = dict(saved["defining"], epochs=new)
    saved["rescheduled"] = saved.get("rescheduled", []) + [{"after_epoch": done, "from": old, "to": new}]
    print(f"rescheduling: the one-cycle now lasts {new} epochs (was {old}) from epoch {done + 1} on", flush=True)


if __name__ == "__main__":
    sys.exit(main())
