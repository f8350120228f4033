"""A training run killed with SIGKILL in the middle of an epoch resumes and finishes, and ends
with the same weights as a run that was never interrupted (every random draw of an epoch comes
from (seed, epoch), and the checkpoint is written atomically at each epoch's end).

Runs on a synthetic FER-2013-layout CSV and a tiny network, one thread: about a minute.
    make test-training   (training/.venv-torch/bin/python -m unittest discover -s training/tests -t . -v)
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import numpy as np
import torch

from training.emotion import distill, export_keras, recipe

#: train.py as the command line runs it (the repository root on the path, as for the tests).
TRAIN = [sys.executable, "-m", "training.emotion.train"]
EPOCHS = 3


def write_csv(path: str, rows: int, seed: int) -> None:
    """Random faces whose label is readable from the picture (a bright band at a label-dependent
    row), so the tiny net learns something and the files are real FER-2013 layout."""
    rng = np.random.default_rng(seed)
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["emotion", "pixels", "Usage"])
        for i in range(rows):
            code = int(rng.integers(0, 7))
            face = rng.integers(0, 120, (48, 48))
            face[code * 6:code * 6 + 6, :] += 120
            usage = "Training" if i < rows * 3 // 4 else ("PublicTest" if i % 2 else "PrivateTest")
            w.writerow([code, " ".join(map(str, face.ravel())), usage])


def read(path: str) -> str:
    with open(path) as f:
        return f.read()


class ResumeTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="emotion-live-train-")
        cls.csv = os.path.join(cls.tmp.name, "faces.csv")
        write_csv(cls.csv, 4000, seed=7)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def command(self, run: str):
        out = os.path.join(self.tmp.name, run, "model.h5")
        return TRAIN + ["--train", self.csv, "--runs-dir", self.tmp.name, "--run-name", run,
                        "--out", out, "--reference", "", "--epochs", str(EPOCHS), "--batch-size", "32",
                        "--widths", "4,8", "--dense", "16", "--threads", "1", "--precision", "fp32"]

    def run_to_end(self, run: str, extra=()) -> str:
        done = subprocess.run(self.command(run) + list(extra), capture_output=True, text=True, timeout=600)
        self.assertEqual(done.returncode, 0, done.stdout[-2000:] + done.stderr[-2000:])
        return done.stdout

    def epochs_done(self, run: str) -> int:
        path = os.path.join(self.tmp.name, run, "checkpoint.pt")
        return torch.load(path, weights_only=False)["epoch"] if os.path.exists(path) else 0

    def kill_during_second_epoch(self, run: str) -> None:
        log = os.path.join(self.tmp.name, run + ".log")
        with open(log, "w") as out:
            child = subprocess.Popen(self.command(run), stdout=out, stderr=subprocess.STDOUT)
        deadline = time.time() + 300
        while "epoch 1/" not in read(log):
            self.assertIsNone(child.poll(), "the run ended before its first epoch:\n" + read(log)[-2000:])
            self.assertLess(time.time(), deadline, "no epoch in 300 s")
            time.sleep(0.05)
        time.sleep(0.3)  # well inside the second epoch (several seconds long)
        child.send_signal(signal.SIGKILL)
        child.wait()
        self.assertEqual(child.returncode, -signal.SIGKILL)
        self.assertEqual(self.epochs_done(run), 1, "the kill was meant to land in the second epoch")

    def test_killed_run_resumes_and_matches_an_uninterrupted_run(self):
        self.kill_during_second_epoch("killed")
        # --finish-now lands the best epoch so far and leaves the run resumable.
        landed = self.run_to_end("killed", ["--finish-now"])
        self.assertIn("wrote", landed)
        with open(os.path.join(self.tmp.name, "killed", "model.meta.json")) as f:
            meta = json.load(f)
        self.assertEqual((meta["epochs_done"], meta["epochs"], meta["selected_epoch"]), (1, EPOCHS, 1))
        self.assertEqual(self.epochs_done("killed"), 1, "--finish-now trains nothing")
        missing = subprocess.run(self.command("never-started") + ["--finish-now"], capture_output=True, text=True,
                                 timeout=600)
        self.assertEqual(missing.returncode, 1)
        self.assertIn("no checkpoint to finish from", missing.stderr)
        resumed = self.run_to_end("killed")
        self.assertIn("resuming", resumed)
        self.assertIn(f"after epoch 1 of {EPOCHS}", resumed)
        self.assertEqual(self.epochs_done("killed"), EPOCHS)
        self.assertTrue(os.path.getsize(os.path.join(self.tmp.name, "killed", "model.h5")) > 0)

        self.run_to_end("straight")
        a = torch.load(os.path.join(self.tmp.name, "killed", "checkpoint.pt"), weights_only=False)
        b = torch.load(os.path.join(self.tmp.name, "straight", "checkpoint.pt"), weights_only=False)
        self.assertEqual([h["loss"] for h in a["history"]], [h["loss"] for h in b["history"]])
        for name, tensor in b["trainer"]["net"].items():
            self.assertTrue(torch.equal(a["trainer"]["net"][name], tensor), f"{name} differs after resuming")

    def test_weight_averaging_extends_a_finished_run(self):
        self.run_to_end("averaged")
        ckpt = os.path.join(self.tmp.name, "averaged", "checkpoint.pt")
        one = self.run_to_end("averaged", ["--swa-epochs", "1"])
        self.assertIn(f"after epoch {EPOCHS} of {EPOCHS + 1}", one)
        self.assertIn("(average of 1)", one)
        first = torch.load(ckpt, weights_only=False)
        two = self.run_to_end("averaged", ["--swa-epochs", "2"])
        self.assertIn("(average of 2)", two)
        second = torch.load(ckpt, weights_only=False)
        self.assertEqual((second["epoch"], int(second["trainer"]["swa"]["n_averaged"])), (EPOCHS + 2, 2))
        # The average's parameters are the mean of the two epochs' weights (its batch-norm
        # statistics are recomputed, not averaged).
        for name, tensor in second["trainer"]["net"].items():
            if name.endswith(("weight", "bias")):
                mean = (first["trainer"]["net"][name] + tensor) / 2
                self.assertTrue(torch.allclose(second["trainer"]["swa"]["module." + name], mean, atol=1e-6), name)
        with open(os.path.join(self.tmp.name, "averaged", "model.meta.json")) as f:
            meta = json.load(f)
        self.assertEqual((meta["epochs"], meta["swa_epochs"], meta["epochs_done"]), (EPOCHS, 2, EPOCHS + 2))
        # Once averaging has begun, its learning rate is part of the run.
        changed = subprocess.run(self.command("averaged") + ["--swa-epochs", "3", "--swa-lr", "0.02"],
                                 capture_output=True, text=True, timeout=600)
        self.assertEqual(changed.returncode, 1)
        self.assertIn("weight averaging was started with other settings (swa_lr)", changed.stderr)

    def test_distillation_from_a_finished_run(self):
        one = ["--epochs", "1"]  # one epoch each: what is checked is the plumbing, not the result
        self.run_to_end("teacher", one)
        teacher = os.path.join(self.tmp.name, "teacher")
        out = self.run_to_end("student", one + ["--teacher", teacher, "--distill-weight", "0.5"])
        self.assertIn(f"teacher: {teacher}", out)
        with open(os.path.join(self.tmp.name, "student", "model.meta.json")) as f:
            meta = json.load(f)
        self.assertEqual((meta["distilled_from"], meta["distill_weight"], meta["epochs_done"]), ([teacher], 0.5, 1))
        # The teacher is part of the run: resuming with other distillation settings is refused.
        changed = subprocess.run(self.command("student") + one + ["--teacher", teacher, "--distill-weight", "0.9"],
                                 capture_output=True, text=True, timeout=600)
        self.assertEqual(changed.returncode, 1)
        self.assertIn("started with other settings (distill_weight)", changed.stderr)
        missing = subprocess.run(self.command("orphan") + ["--teacher", os.path.join(self.tmp.name, "nowhere")],
                                 capture_output=True, text=True, timeout=600)
        self.assertEqual(missing.returncode, 1)
        self.assertIn("nowhere/best.pt: no such file", missing.stderr)

    def test_fine_tuning_from_a_model_with_model_teachers(self):
        one = ["--epochs", "1"]
        self.run_to_end("base", one)
        base_run, base_h5 = os.path.join(self.tmp.name, "base"), os.path.join(self.tmp.name, "base", "model.h5")
        # A learning rate of 0 leaves the weights (not batch norm's running statistics) where
        # --init put them: the exported convolutions and dense layers are the base model's.
        out = self.run_to_end("tuned", one + ["--init", base_h5, "--lr", "0", "--teacher", base_h5,
                                              "--teacher", base_run, "--teacher-flip"])
        self.assertIn(f"starting from {base_h5}", out)
        self.assertIn(f"teacher: {base_h5}", out)
        with open(os.path.join(self.tmp.name, "tuned", "model.meta.json")) as f:
            meta = json.load(f)
        self.assertEqual((meta["initialized_from"], meta["distilled_from"], meta["teacher_flip"]),
                         (base_h5, [base_h5, base_run], True))
        base, widths, dense, _ = export_keras.read_net(base_h5)
        tuned, *_ = export_keras.read_net(os.path.join(self.tmp.name, "tuned", "model.h5"))
        self.assertEqual((widths, dense), ([4, 8], 16))
        for (name, a), (_, b) in zip(base.state_dict().items(), tuned.state_dict().items()):
            if name.endswith(("weight", "bias")):
                self.assertTrue(torch.equal(a, b), f"{name} moved at learning rate 0")
        other = subprocess.run(self.command("misfit") + one + ["--init", base_h5, "--widths", "4,6"],
                               capture_output=True, text=True, timeout=600)
        self.assertEqual(other.returncode, 1)
        self.assertIn(f"{base_h5}: widths 4,8 and dense 16, but this run has --widths 4,6 --dense 16", other.stderr)
        junk = os.path.join(self.tmp.name, "junk.h5")
        with open(junk, "w") as f:
            f.write("not hdf5")
        bad = subprocess.run(self.command("junk") + one + ["--teacher", junk], capture_output=True, text=True,
                             timeout=600)
        self.assertEqual(bad.returncode, 1)
        self.assertIn(f"{junk}: not a readable Keras model", bad.stderr)

    def test_moving_average_is_what_is_chosen_and_exported(self):
        out = self.run_to_end("ema", ["--epochs", "1", "--ema", "0.9"])
        self.assertIn("PublicTest (EMA)", out)
        with open(os.path.join(self.tmp.name, "ema", "model.meta.json")) as f:
            self.assertEqual(json.load(f)["ema"], 0.9)
        saved = torch.load(os.path.join(self.tmp.name, "ema", "checkpoint.pt"), weights_only=False)["trainer"]
        exported, *_ = export_keras.read_net(os.path.join(self.tmp.name, "ema", "model.h5"))
        moved = 0
        for name, tensor in exported.state_dict().items():
            if name.endswith(("weight", "bias", "running_mean", "running_var")):
                self.assertTrue(torch.equal(tensor, saved["ema"]["module." + name].float()), name)
                moved += not torch.equal(tensor, saved["net"][name].float())
        self.assertGreater(moved, 0, "the exported net is the raw one, not its average")
        both = subprocess.run(self.command("ema-swa") + ["--ema", "0.9", "--swa-epochs", "2"],
                              capture_output=True, text=True, timeout=600)
        self.assertEqual(both.returncode, 2)
        self.assertIn("--ema and --swa-epochs are two ways of averaging", both.stderr)

    def test_export_reads_back_as_the_same_net(self):
        torch.manual_seed(5)
        net = recipe.build_net([4, 8], 16, 0.5)
        with torch.no_grad():  # batch norm's statistics away from their defaults, so they are checked too
            for m in net:
                if isinstance(m, (torch.nn.BatchNorm2d, torch.nn.BatchNorm1d)):
                    m.running_mean.uniform_(-0.5, 0.5)
                    m.running_var.uniform_(0.5, 2.0)
        x = np.random.default_rng(1).uniform(0, 1, (8, 48, 48, 1)).astype(np.float32)
        path = os.path.join(self.tmp.name, "roundtrip.h5")
        export_keras.export(net, [4, 8], 16, 0.5, path, x)
        back, widths, dense, dropout = export_keras.read_net(path)
        self.assertEqual((widths, dense, dropout), ([4, 8], 16, 0.5))
        for (name, a), (_, b) in zip(net.state_dict().items(), back.state_dict().items()):
            self.assertTrue(torch.equal(a, b), f"{name} changed on the way through Keras")
        np.testing.assert_allclose(export_keras.torch_probabilities(back, x),
                                   export_keras.torch_probabilities(net, x), atol=0, rtol=0)

    def test_distillation_loss(self):
        g = torch.Generator().manual_seed(3)
        s, t = torch.randn(5, 7, generator=g), torch.randn(5, 7, generator=g)
        self.assertAlmostEqual(float(distill.distillation_loss(t, t, 2.0)), 0.0, places=6)
        p = torch.softmax(t / 3, 1)
        expected = (p * (p.log() - torch.log_softmax(s / 3, 1))).sum(1).mean() * 9
        self.assertAlmostEqual(float(distill.distillation_loss(s, t, 3.0)), float(expected), places=5)

    def test_teachers_average_their_logits_over_both_views(self):
        g = torch.Generator().manual_seed(4)
        x = torch.rand(3, 1, 48, 48, generator=g)
        nets = [torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(48 * 48, 7)) for _ in range(2)]
        with torch.no_grad():
            plain = distill.Teachers(nets, flip=False)(x)
            flipped = distill.Teachers(nets, flip=True)(x)
            views = [net(v) for net in nets for v in (x, x.flip(-1))]
        torch.testing.assert_close(plain, (views[0] + views[2]) / 2, rtol=1e-6, atol=1e-6)
        torch.testing.assert_close(flipped, sum(views) / 4, rtol=1e-6, atol=1e-6)

    def test_reschedule_changes_an_unfinished_runs_length(self):
        self.run_to_end("resched", ["--epochs", "2"])
        refused = subprocess.run(self.command("resched") + ["--epochs", "4"], capture_output=True, text=True,
                                 timeout=600)
        self.assertEqual(refused.returncode, 1)
        self.assertIn("other settings (epochs)", refused.stderr)
        self.assertIn("--reschedule", refused.stderr)
        longer = self.run_to_end("resched", ["--epochs", "4", "--reschedule"])
        self.assertIn("now lasts 4 epochs (was 2) from epoch 3 on", longer)
        saved = torch.load(os.path.join(self.tmp.name, "resched", "checkpoint.pt"), weights_only=False)
        self.assertEqual((saved["epoch"], saved["defining"]["epochs"]), (4, 4))
        # Epoch 2 ended the two-epoch one-cycle (learning rate near 0); epoch 3 follows the new,
        # longer one, back up the annealing curve.
        lrs = [h["lr_end"] for h in saved["history"]]
        self.assertLess(lrs[1], lrs[2])
        self.assertLess(lrs[3], lrs[2])
        with open(os.path.join(self.tmp.name, "resched", "model.meta.json")) as f:
            meta = json.load(f)
        self.assertEqual((meta["epochs"], meta["epochs_done"]), (4, 4))
        self.assertEqual(meta["rescheduled"], [{"after_epoch": 2, "from": 2, "to": 4}])
        # Without a change the run stays as it was, and it resumes as a plain run would.
        self.assertNotIn("rescheduling", self.run_to_end("resched", ["--epochs", "4", "--reschedule"]))
        shorter = subprocess.run(self.command("resched") + ["--epochs", "3", "--reschedule"], capture_output=True,
                                 text=True, timeout=600)
        self.assertEqual(shorter.returncode, 1)
        self.assertIn("must be more than the 4 epochs already trained", shorter.stderr)

    def test_mixup_is_recorded_and_part_of_the_run(self):
        one = ["--epochs", "1", "--mixup", "0.2"]
        self.run_to_end("mixed", one)
        with open(os.path.join(self.tmp.name, "mixed", "model.meta.json")) as f:
            self.assertEqual(json.load(f)["mixup"], 0.2)
        changed = subprocess.run(self.command("mixed") + ["--epochs", "1", "--mixup", "0.4"], capture_output=True,
                                 text=True, timeout=600)
        self.assertEqual(changed.returncode, 1)
        self.assertIn("started with other settings (mixup)", changed.stderr)
        negative = subprocess.run(self.command("bad-mix") + ["--mixup", "-1"], capture_output=True, text=True,
                                  timeout=600)
        self.assertEqual(negative.returncode, 2)
        self.assertIn("--mixup -1.0: must be 0 (off) or positive", negative.stderr)

    def test_changed_settings_refuse_to_resume(self):
        self.kill_during_second_epoch("changed")
        done = subprocess.run(self.command("changed") + ["--lr", "0.01"], capture_output=True, text=True, timeout=600)
        self.assertEqual(done.returncode, 1)
        self.assertIn("started with other settings (lr)", done.stderr)
        fresh = self.run_to_end("changed", ["--lr", "0.01", "--fresh"])
        self.assertNotIn("resuming", fresh)
        self.assertEqual(self.epochs_done("changed"), EPOCHS)


if __name__ == "__main__":
    unittest.main()
