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

The pieces: options.py (the command line), trainer.py (the step and the epoch), recipe.py (the
network, augmentation and schedule), distill.py (teachers, --init), finish.py (the final scores
and the files written), precision.py (the choice of bf16 and its benchmark).

Example, from the repository root (the command behind the bundled model is in models/README.md):
  training/.venv-torch/bin/python -m training.emotion.train \\
      --train ../shared/data/fer2013-train.csv.gz --test ../shared/data/fer2013-test.csv \\
      --out models/emotion-cnn.h5 --run-name default
"""

from __future__ import annotations

import csv
import json
import os
import sys
import time

import numpy as np
import torch

from training.common import fer_data
from training.emotion import finish, options, recipe
from training.emotion.precision import choose_precision, compare_precision, cpu_has_bf16
from training.emotion.trainer import Trainer


def save_atomically(obj, path: str):
    tmp = path + ".tmp"
    torch.save(obj, tmp)
    os.replace(tmp, path)


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
    args = options.parse_args(argv, description=__doc__.split("\n\n")[0])
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
    defining, swa_defining = options.defining(args), options.swa_defining(args)
    total = args.epochs + args.swa_epochs
    trainer = Trainer(args, x_train, y_train, device, precision)
    done, history, best = 0, [], {"accuracy": -1.0, "epoch": 0}
    rescheduled = []  # each change of the one-cycle's length: after which epoch, from and to
    if os.path.exists(ckpt_path):
        saved = torch.load(ckpt_path, map_location=device, weights_only=False)
        if args.reschedule:
            reschedule(saved, defining, ckpt_path)
        refuse_other_settings(saved, defining, swa_defining, args.epochs, ckpt_path)
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
        append_log(log_path, history[-1])
        recent = [h["seconds"] for h in history[-5:]]
        eta = (total - e - 1) * float(np.mean(recent))
        swa = f" (average of {int(trainer.swa.n_averaged)})" if e >= args.epochs else \
            (" (EMA)" if trainer.ema is not None else "")
        print(f"epoch {e + 1}/{total}: loss {loss:.4f}  {select_name}{swa} {acc:.4f}  "
              f"{len(y_train) / train_seconds:.0f} img/s  {seconds:.0f}s  ETA {eta / 60:.0f} min{mark}", flush=True)

    trainer.net.load_state_dict(torch.load(best_path, map_location=device, weights_only=True))
    return finish.finish(args, trainer, best, history, select_name, test_sets, precision, flops, device,
                         rescheduled)


def append_log(log_path: str, row: dict) -> None:
    """One epoch's row of log.csv; a log begun by an older version keeps its columns."""
    header = None
    if os.path.exists(log_path) and os.path.getsize(log_path) > 0:
        with open(log_path, newline="") as f:
            header = next(csv.reader(f), None)
    with open(log_path, "a", newline="") as f:
        w = csv.DictWriter(f, fieldnames=header or list(row), extrasaction="ignore")
        if header is None:
            w.writeheader()
        w.writerow(row)


def refuse_other_settings(saved: dict, defining: dict, swa_defining: dict, epochs: int, ckpt_path: str) -> None:
    """Exits, naming the settings that differ, when a checkpoint was begun with other settings
    than these (the weight averaging's only once it has begun)."""
    if saved["defining"] != defining:
        changed = sorted(k for k in defining if saved["defining"].get(k) != defining[k])
        hint = ", or --reschedule to change only its length" if changed == ["epochs"] else ""
        sys.exit(f"{ckpt_path}: this run was started with other settings ({', '.join(changed)}); "
                 f"pass --fresh (make train FRESH=1) to start over, or another --run-name{hint}")
    if saved["epoch"] > epochs and saved.get("swa_defining") != swa_defining:
        changed = sorted(k for k in swa_defining if (saved.get("swa_defining") or {}).get(k) != swa_defining[k])
        sys.exit(f"{ckpt_path}: this run's weight averaging was started with other settings "
                 f"({', '.join(changed)}); pass --fresh (make train FRESH=1) to start over, or another --run-name")


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
