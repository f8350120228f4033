#!/usr/bin/env python3
"""Train emotion-live's bundled facial-emotion CNN on FER-2013 (offline; CPU is enough).

The network is a small VGG-style CNN: stages of two 3x3 Conv2D + BatchNormalization + ReLU
followed by 2x2 max pooling, then Flatten, Dropout, Dense+ReLU, Dropout, Dense(7)+softmax.
It takes a 48x48x1 grey face already scaled to x/255 (no Rescaling layer inside the model) and
outputs probabilities in the project's canonical order:
angry, disgusted, fearful, happy, neutral, sad, surprised.

Protocol: train on the Training rows only, pick the epoch with the best PublicTest accuracy,
then report PrivateTest and PublicTest+PrivateTest once at the end. Augmentation (horizontal
flip, small rotation / shift / zoom) runs in a training-only wrapper model; the saved model is
the plain network. Loss: cross-entropy with label smoothing; optimiser: AdamW with a one-cycle
(linear warm-up, cosine decay) learning-rate schedule.

Outputs:
  --out  (e.g. models/emotion-cnn.h5)  Keras 3 legacy HDF5 (``model_config`` + ``model_weights``)
  <out without .h5>.meta.json          the sidecar the Swift app reads (labels, scaling, accuracy)
  training/runs/<run>/                 per-epoch CSV log, best.h5 so far, metrics.json (git-ignored)

Example (the command used for the bundled model is in training/README.md):
  training/.venv/bin/python training/train.py \\
      --train ../shared/data/fer2013-train.csv.gz --test ../shared/data/fer2013-test.csv \\
      --out models/emotion-cnn.h5
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

import fer_data  # noqa: E402
from fer_data import LABELS  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Data layouts: a FER-2013 CSV (emotion,pixels,Usage; .csv or .csv.gz) or an image "
               "tree DIR/train/<emotion>/*.png|jpg (+ DIR/test/...). Without PublicTest rows the "
               "checkpoint is chosen on a held-out --val-fraction of the training images.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--train", required=True,
                   help="FER-2013 CSV (plain/.gz; only its Training rows are used for training) "
                        "or an image-folder tree")
    p.add_argument("--test", default=None,
                   help="CSV with PublicTest/PrivateTest rows, or an image tree/folder of test "
                        "images; if omitted, test rows inside --train are used")
    p.add_argument("--out", default="models/emotion-cnn.h5", help="output model, must end in .h5")
    p.add_argument("--meta", default=None, help="sidecar JSON (default: <out minus .h5>.meta.json)")
    p.add_argument("--runs-dir", default=os.path.join(HERE, "runs"), help="where run logs go")
    p.add_argument("--run-name", default=None, help="run folder name (default: timestamp)")
    p.add_argument("--epochs", type=int, default=24)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=2e-3, help="peak learning rate of the one-cycle schedule")
    p.add_argument("--warmup", type=float, default=0.1, help="fraction of steps spent warming up")
    p.add_argument("--weight-decay", type=float, default=1e-2, help="AdamW decoupled weight decay")
    p.add_argument("--label-smoothing", type=float, default=0.1)
    p.add_argument("--widths", default="24,48,96,192",
                   help="filters per stage (each stage: 2x conv3x3+BN+ReLU, then 2x2 max-pool)")
    p.add_argument("--dense", type=int, default=256, help="units of the hidden dense layer")
    p.add_argument("--dropout", type=float, default=0.5, help="dropout before each dense layer")
    p.add_argument("--aug-rotation", type=float, default=10.0, help="max rotation, degrees")
    p.add_argument("--aug-shift", type=float, default=0.1, help="max shift, fraction of the side")
    p.add_argument("--aug-zoom", type=float, default=0.1, help="max zoom in/out, fraction")
    p.add_argument("--val-fraction", type=float, default=0.1,
                   help="held-out training fraction for checkpoint selection when there is no PublicTest")
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--limit", type=int, default=0, help="use only N training images (smoke tests)")
    p.add_argument("--benchmark-steps", type=int, default=0,
                   help="only time N training steps, print seconds/epoch, and exit")
    p.add_argument("--finalize-from", default=None, metavar="H5",
                   help="skip training: evaluate this checkpoint (e.g. training/runs/<run>/best.h5), "
                        "then write --out and the sidecar as if it had just been trained")
    p.add_argument("--finalize-epoch", type=int, default=None,
                   help="with --finalize-from: the epoch the checkpoint came from (for the sidecar)")
    p.add_argument("--threads", type=int, default=0, help="TF intra-op threads (0: TF default)")
    args = p.parse_args(argv)
    if not args.out.endswith(".h5"):
        p.error("--out must end in .h5 (Keras legacy HDF5, the format the Swift engine reads)")
    args.widths = [int(w) for w in args.widths.split(",") if w]
    return args


def seed_everything(seed: int):
    import keras
    os.environ["PYTHONHASHSEED"] = str(seed)
    random.seed(seed)
    np.random.seed(seed)
    keras.utils.set_random_seed(seed)  # python, numpy and the backend's RNG


def build_model(widths, dense, dropout):
    """The deployed network: only layers the Swift engine's first version supports."""
    import keras
    from keras import layers

    model = keras.Sequential(name="emotion_cnn")
    model.add(keras.Input(shape=(48, 48, 1), name="face"))
    for s, w in enumerate(widths, start=1):
        for c in (1, 2):
            model.add(layers.Conv2D(w, 3, padding="same", name=f"conv{s}_{c}"))
            model.add(layers.BatchNormalization(name=f"bn{s}_{c}"))
            model.add(layers.Activation("relu", name=f"relu{s}_{c}"))
        model.add(layers.MaxPooling2D(2, name=f"pool{s}"))
    model.add(layers.Flatten(name="flatten"))
    model.add(layers.Dropout(dropout, name="dropout1"))
    model.add(layers.Dense(dense, name="fc1"))
    model.add(layers.BatchNormalization(name="bn_fc1"))
    model.add(layers.Activation("relu", name="relu_fc1"))
    model.add(layers.Dropout(dropout, name="dropout2"))
    model.add(layers.Dense(len(LABELS), name="logits"))
    model.add(layers.Activation("softmax", name="softmax"))
    return model


def count_flops(model) -> int:
    """Multiply-adds x2 of Conv2D and Dense layers for one 48x48 face (BN/ReLU/pool not counted)."""
    from keras import layers
    total = 0
    for layer in model.layers:
        if isinstance(layer, layers.Conv2D):
            _, h, w, cout = layer.output.shape
            kh, kw = layer.kernel_size
            cin = layer.input.shape[-1]
            total += 2 * h * w * kh * kw * cin * cout
        elif isinstance(layer, layers.Dense):
            total += 2 * layer.input.shape[-1] * layer.units
    return int(total)


def build_augmenter(args, seed):
    import keras
    from keras import layers
    return keras.Sequential([
        layers.RandomFlip("horizontal", seed=seed),
        layers.RandomRotation(args.aug_rotation / 360.0, fill_mode="nearest", seed=seed + 1),
        layers.RandomTranslation(args.aug_shift, args.aug_shift, fill_mode="nearest", seed=seed + 2),
        layers.RandomZoom((-args.aug_zoom, args.aug_zoom), fill_mode="nearest", seed=seed + 3),
    ], name="augment")


def make_schedule(peak, total_steps, warmup_frac):
    import keras
    from keras import ops

    class OneCycle(keras.optimizers.schedules.LearningRateSchedule):
        """Linear warm-up from peak/25 to peak, then cosine decay to peak/1000."""

        def __init__(self, peak, total, warmup):
            self.peak, self.total, self.warmup = float(peak), float(total), float(max(1, warmup))

        def __call__(self, step):
            step = ops.cast(step, "float32")
            lo = self.peak / 25.0
            warm = lo + (self.peak - lo) * step / self.warmup
            t = ops.clip((step - self.warmup) / max(1.0, self.total - self.warmup), 0.0, 1.0)
            end = self.peak / 1000.0
            cos = end + 0.5 * (self.peak - end) * (1.0 + ops.cos(math.pi * t))
            return ops.where(step < self.warmup, warm, cos)

        def get_config(self):
            return {"peak": self.peak, "total": self.total, "warmup": self.warmup}

    return OneCycle(peak, total_steps, int(total_steps * warmup_frac))


def predict(model, x, batch=512):
    return model.predict(x, batch_size=batch, verbose=0)


def main(argv=None):
    args = parse_args(argv)
    t_start = time.time()

    # ---- data ---------------------------------------------------------------------------------
    print(f"reading {args.train}", flush=True)
    train_sets = fer_data.load(args.train, default_usage="Training")
    test_sets = fer_data.load(args.test, default_usage="Test") if args.test else {}
    for u, s in train_sets.items():
        if u != "Training":
            test_sets.setdefault(u, s)
    if "Training" not in train_sets:
        sys.exit(f"{args.train}: no Training rows")
    train = train_sets["Training"]
    print("splits: " + ", ".join(f"{u} {len(s)}" for u, s in {**{'Training': train}, **test_sets}.items()))

    seed_everything(args.seed)
    import logging

    import keras
    import tensorflow as tf
    logging.getLogger("absl").setLevel(logging.ERROR)  # "HDF5 is legacy": intended here
    if args.threads:
        tf.config.threading.set_intra_op_parallelism_threads(args.threads)

    rng = np.random.default_rng(args.seed)
    if "PublicTest" in test_sets:
        select_name, select = "PublicTest", test_sets["PublicTest"]
    else:  # no official validation split: hold out part of the training images
        perm = rng.permutation(len(train))
        n_val = max(1, int(len(train) * args.val_fraction))
        select = fer_data.Split(train.x[perm[:n_val]], train.y[perm[:n_val]])
        train = fer_data.Split(train.x[perm[n_val:]], train.y[perm[n_val:]])
        select_name = f"held-out {args.val_fraction:.0%} of training"
    if args.limit:
        idx = rng.permutation(len(train))[: args.limit]
        train = fer_data.Split(train.x[idx], train.y[idx])

    x_train = fer_data.to_input(train.x)
    y_train = keras.utils.to_categorical(train.y, len(LABELS)).astype(np.float32)
    x_sel = fer_data.to_input(select.x)
    y_sel = keras.utils.to_categorical(select.y, len(LABELS)).astype(np.float32)
    counts = np.bincount(train.y, minlength=len(LABELS))
    print("training images per class: " + ", ".join(f"{n} {c}" for n, c in zip(LABELS, counts)))

    # ---- model --------------------------------------------------------------------------------
    net = build_model(args.widths, args.dense, args.dropout)
    flops = count_flops(net)
    params = net.count_params()
    net.summary(line_length=100)
    print(f"inference cost: {flops / 1e6:.1f} MFLOP ({flops / 2e6:.1f} M multiply-adds), {params:,} parameters")

    augment = build_augmenter(args, args.seed)
    trainer = keras.Sequential([keras.Input((48, 48, 1)), augment, net], name="trainer")
    steps_per_epoch = math.ceil(len(x_train) / args.batch_size)
    total_steps = steps_per_epoch * args.epochs
    opt = keras.optimizers.AdamW(learning_rate=make_schedule(args.lr, total_steps, args.warmup),
                                 weight_decay=args.weight_decay)
    trainer.compile(optimizer=opt,
                    loss=keras.losses.CategoricalCrossentropy(label_smoothing=args.label_smoothing),
                    metrics=["accuracy"])

    if args.benchmark_steps:
        n = args.benchmark_steps * args.batch_size
        trainer.fit(x_train[: args.batch_size * 3], y_train[: args.batch_size * 3],
                    batch_size=args.batch_size, epochs=1, verbose=0)  # compile / warm up
        t0 = time.time()
        trainer.fit(x_train[:n], y_train[:n], batch_size=args.batch_size, epochs=1, verbose=0)
        dt = (time.time() - t0) / args.benchmark_steps
        t0 = time.time()
        predict(net, x_sel)
        dv = time.time() - t0
        print(f"BENCHMARK widths={args.widths} batch={args.batch_size}: {dt * 1000:.0f} ms/step, "
              f"{dt * steps_per_epoch:.0f} s/epoch train + {dv:.0f} s selection eval; "
              f"{flops / 1e6:.1f} MFLOP, {params:,} params")
        return 0

    # ---- training -----------------------------------------------------------------------------
    run_name = args.run_name or time.strftime("%Y%m%d-%H%M%S")
    run_dir = os.path.join(args.runs_dir, run_name)
    os.makedirs(run_dir, exist_ok=True)
    with open(os.path.join(run_dir, "args.json"), "w") as f:
        json.dump(vars(args), f, indent=2)
    print(f"run folder: {run_dir}")

    class SelectBest(keras.callbacks.Callback):
        """Evaluates the selection split each epoch, keeps the best weights, logs timing."""

        def __init__(self):
            super().__init__()
            self.best_acc, self.best_epoch, self.best_weights = -1.0, -1, None

        def on_epoch_begin(self, epoch, logs=None):
            self.t0 = time.time()

        def on_epoch_end(self, epoch, logs=None):
            logs = logs if logs is not None else {}
            pred = predict(net, x_sel).argmax(1)
            acc = float((pred == select.y).mean())
            logs["select_accuracy"] = acc
            logs["lr"] = float(keras.ops.convert_to_numpy(opt.learning_rate))
            logs["seconds"] = round(time.time() - self.t0, 1)
            mark = ""
            if acc > self.best_acc:
                self.best_acc, self.best_epoch = acc, epoch + 1
                self.best_weights = [w.copy() for w in net.get_weights()]
                # a usable model exists at any time, even if the run is cut short
                net.save(os.path.join(run_dir, "best.h5"))
                mark = "  <- best"
            print(f"epoch {epoch + 1}/{args.epochs}: loss {logs.get('loss', float('nan')):.4f} "
                  f"train_acc {logs.get('accuracy', float('nan')):.4f} {select_name} acc {acc:.4f} "
                  f"lr {logs['lr']:.2e} {logs['seconds']:.0f}s{mark}", flush=True)

    best = SelectBest()
    if args.finalize_from:
        # no training: evaluate / save / describe a checkpoint (e.g. runs/<run>/best.h5 of a run
        # that was cut short). Its architecture must match --widths/--dense.
        net.set_weights(keras.models.load_model(args.finalize_from, compile=False).get_weights())
        train_seconds = float("nan")
        best.best_epoch = args.finalize_epoch
        print(f"finalizing {args.finalize_from} (epoch {best.best_epoch}) without training")
    else:
        csv_log = keras.callbacks.CSVLogger(os.path.join(run_dir, "log.csv"))
        t_train = time.time()
        trainer.fit(x_train, y_train, batch_size=args.batch_size, epochs=args.epochs, shuffle=True,
                    callbacks=[best, csv_log], verbose=2)
        train_seconds = time.time() - t_train
        print(f"training took {train_seconds / 60:.1f} min; best {select_name} accuracy "
              f"{best.best_acc:.4f} at epoch {best.best_epoch}")
        net.set_weights(best.best_weights)

    # ---- final, one-time evaluation ----------------------------------------------------------
    reports = {}
    final_sets = {}
    if "PublicTest" in test_sets:
        final_sets["PublicTest"] = test_sets["PublicTest"]
    if "PrivateTest" in test_sets:
        final_sets["PrivateTest"] = test_sets["PrivateTest"]
    if "PublicTest" in test_sets and "PrivateTest" in test_sets:
        final_sets["PublicTest+PrivateTest"] = fer_data.concat(test_sets["PublicTest"], test_sets["PrivateTest"])
    for u in ("Test", "Validation"):
        if u in test_sets:
            final_sets[u] = test_sets[u]
    for name, split in final_sets.items():
        x = fer_data.to_input(split.x)
        prob = predict(net, x)
        rep = fer_data.class_report(split.y, prob.argmax(1))
        prob_flip = (prob + predict(net, x[:, :, ::-1, :])) / 2
        rep["accuracy_flip_average"] = float((prob_flip.argmax(1) == split.y).mean())
        reports[name] = rep
        print(fer_data.format_report(name, rep))
        print(f"  (with horizontal-flip averaging: {rep['accuracy_flip_average']:.4f})")

    # ---- save and verify ----------------------------------------------------------------------
    out = args.out
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    net.save(out)  # .h5 suffix -> Keras legacy HDF5 (model_config + model_weights)
    verify_h5(out, net, x_sel[:256])

    meta_path = args.meta or (out[: -len(".h5")] + ".meta.json")

    def acc_of(name):
        return round(reports[name]["accuracy"], 4) if name in reports else None

    test_name = "PublicTest+PrivateTest" if "PublicTest+PrivateTest" in reports else (
        "Test" if "Test" in reports else None)
    meta = {
        "format": "emotion-live-model",
        "version": 1,
        "labels": LABELS,
        "input_scale": "unit",
        # Trained with horizontal-flip augmentation, the net scores about a point higher when
        # each face is averaged with its mirror image: emotion-live does that by default.
        "flip_average": True,
        "description": (f"VGG-style CNN, {len(args.widths)} stages of 2x(conv3x3+BN+ReLU)+maxpool, "
                        f"widths {'-'.join(map(str, args.widths))}, dense {args.dense}; 48x48x1 grey "
                        f"input scaled x/255; {flops / 1e6:.1f} MFLOP, {params} parameters"),
        "trained_on": "FER-2013 Training rows" if "fer2013" in os.path.basename(args.train).lower()
                      or args.train.endswith((".csv", ".csv.gz")) else f"images under {args.train}",
        "public_test_accuracy": acc_of("PublicTest"),
        "private_test_accuracy": acc_of("PrivateTest"),
        "test_accuracy": acc_of(test_name) if test_name else None,
        "test_accuracy_flip_average": round(reports[test_name]["accuracy_flip_average"], 4) if test_name else None,
        "macro_f1": reports[test_name]["macro_f1"] if test_name else None,
        "per_class_f1": {k: v["f1"] for k, v in reports[test_name]["per_class"].items()} if test_name else None,
        "input_shape": [48, 48, 1],
        "mflops": round(flops / 1e6, 1),
        "parameters": int(params),
        "selected_epoch": best.best_epoch,
        "epochs": args.epochs,
        "training_minutes": None if math.isnan(train_seconds) else round(train_seconds / 60, 1),
        "seed": args.seed,
        "keras_version": keras.__version__,
        "tensorflow_version": tf.__version__,
    }
    with open(meta_path, "w") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")
    with open(os.path.join(run_dir, "metrics.json"), "w") as f:
        json.dump({"meta": meta, "reports": reports, "args": vars(args)}, f, indent=2)
    print(f"wrote {out} ({os.path.getsize(out) / 1e6:.2f} MB) and {meta_path}; "
          f"total {(time.time() - t_start) / 60:.1f} min")
    return 0


def verify_h5(path, net, x):
    """The file must be legacy HDF5 with model_config + model_weights and reload identically."""
    import h5py
    import keras
    with h5py.File(path, "r") as f:
        assert "model_config" in f.attrs, "no model_config attribute"
        assert "model_weights" in f, "no model_weights group"
        assert "keras_version" in f.attrs
    again = keras.models.load_model(path, compile=False)
    a, b = predict(net, x), predict(again, x)
    diff = float(np.max(np.abs(a - b)))
    assert diff == 0.0, f"reloaded model differs by {diff}"
    print(f"verified {path}: model_config + model_weights present, reload gives identical predictions")


if __name__ == "__main__":
    sys.exit(main())
