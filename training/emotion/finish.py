"""The end of a training run (PyTorch, offline): the chosen epoch scored once on every test split,
then written as the Keras .h5 the app loads, with its sidecar, the run's metrics and PyTorch's
reference outputs for the Swift engine's test."""

from __future__ import annotations

import json
import os

import numpy as np
import torch

from training.common import fer_data
from training.emotion import scoring


def finish(args, trainer, best, history, select_name, test_sets, precision, flops, device, rescheduled=()):
    """One-time evaluation of the chosen epoch, then the Keras file, its sidecar and the reference."""
    from training.emotion import export_keras  # noqa: PLC0415  (imports Keras on the PyTorch backend)
    trainer.net = trainer.net.float().cpu().to(memory_format=torch.contiguous_format)
    trainer.device = torch.device("cpu")
    final_sets = {u: test_sets[u] for u in ("PublicTest", "PrivateTest", "Test", "Validation") if u in test_sets}
    if "PublicTest" in final_sets and "PrivateTest" in final_sets:
        final_sets["PublicTest+PrivateTest"] = fer_data.concat(test_sets["PublicTest"], test_sets["PrivateTest"])
    reports = scoring.score_splits(lambda x, flip: trainer.probabilities(x, flip=flip), final_sets,
                                   "with horizontal-flip averaging", args.labels)

    out = args.out
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    check = fer_data.to_input(next(iter(final_sets.values())).x[:256]) if final_sets else \
        np.random.default_rng(0).uniform(0, 1, (16, 48, 48, 1)).astype(np.float32)
    export_keras.export(trainer.net, args.widths, args.dense, args.dropout, out, check)
    if args.reference:
        export_keras.write_torch_reference(trainer.net, out, args.reference)

    def acc_of(name, key="accuracy"):
        return round(reports[name][key], 4) if name in reports else None

    test_name = next((n for n in ("PublicTest+PrivateTest", "Test") if n in reports), None)
    params = sum(p.numel() for p in trainer.net.parameters())
    minutes = sum(h["seconds"] for h in history) / 60
    meta = {
        "format": "emotion-live-model",
        "version": 1,
        "labels": list(args.labels),
        "input_scale": "unit",
        # Trained with flip augmentation, the net scores higher on a face averaged with its
        # mirror image: emotion-live does that by default.
        "flip_average": True,
        "description": (f"VGG-style CNN, {len(args.widths)} stages of 2x(conv3x3+BN+ReLU)+maxpool, "
                        f"widths {'-'.join(map(str, args.widths))}, dense {args.dense}; 48x48x1 grey "
                        f"input scaled x/255; {flops / 1e6:.1f} MFLOP, {params} parameters"),
        "trained_on": ("FER-2013 Training rows, FER+ vote distributions (Barsoum et al. 2016); scored on "
                       "the FER+ majority label" if args.targets else "FER-2013 Training rows"),
        "framing_scale_range": args.scale_range or [0.85, 1.15],
        "public_test_accuracy": acc_of("PublicTest"),
        "private_test_accuracy": acc_of("PrivateTest"),
        "private_test_accuracy_flip_average": acc_of("PrivateTest", "accuracy_flip_average"),
        "test_accuracy": acc_of(test_name) if test_name else None,
        "test_accuracy_flip_average": acc_of(test_name, "accuracy_flip_average") if test_name else None,
        "macro_f1": reports[test_name]["macro_f1"] if test_name else None,
        "per_class_f1": {k: v["f1"] for k, v in reports[test_name]["per_class"].items()} if test_name else None,
        "input_shape": [48, 48, 1],
        "mflops": round(flops / 1e6, 1),
        "parameters": int(params),
        "selected_epoch": best["epoch"],
        # With weight averaging, the chosen model may be the average of this many epochs' weights.
        "selected_average_of": next((h.get("averaged", 0) for h in history if h["epoch"] == best["epoch"]), 0),
        "selected_on": select_name,
        "epochs": args.epochs,
        # Set only when the run's length changed on the way (--reschedule): the earlier epochs
        # followed the one-cycle of the earlier length.
        "rescheduled": list(rescheduled) or None,
        "swa_epochs": args.swa_epochs,
        "swa_lr": args.swa_lr,
        "ema": args.ema or None,
        "mixup": args.mixup or None,
        "distilled_from": args.teacher,
        "distill_weight": args.distill_weight if args.teacher else None,
        "distill_temperature": args.distill_temperature if args.teacher else None,
        "teacher_flip": args.teacher_flip if args.teacher else None,
        "initialized_from": args.init,
        "epochs_done": len(history),
        "training_minutes": round(minutes, 1),
        "precision": precision,
        "device": str(device),
        "seed": args.seed,
        "framework": f"PyTorch {torch.__version__}",
    }
    meta_path = args.meta or (out[: -len(".h5")] + ".meta.json")
    with open(meta_path, "w") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")
    run_dir = os.path.join(args.runs_dir, args.run_name)
    with open(os.path.join(run_dir, "metrics.json"), "w") as f:
        json.dump({"meta": meta, "reports": reports, "history": history, "args": vars(args)}, f, indent=2)
    print(f"wrote {out} and {meta_path}; {minutes:.1f} min of training")
    return 0
