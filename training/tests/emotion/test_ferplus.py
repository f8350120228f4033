"""FER+ targets in training: the soft cross-entropy, and a tiny run trained on votes (eight
classes, contempt included) whose sidecar, reports and loss follow from them. The protocol itself
(majority, ties, missing votes) is tested in tests/common/test_fer_data.py.
    make test-training
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import unittest

import numpy as np
import torch
import torch.nn.functional as F

from training.common import fer_data
from training.tests.emotion.test_train_resume import TRAIN, write_csv

HEADER = ",".join(fer_data.FERPLUS_COLUMNS)


def write_votes(path: str, rows: int, seed: int, blank=()) -> None:
    """Votes that agree with write_csv's band-coded labels for most rows (same seed, same draws),
    with contempt and ties sprinkled in; `blank` rows have no votes."""
    rng = np.random.default_rng(seed)
    code_to_column = {0: 4, 1: 5, 2: 6, 3: 1, 4: 3, 5: 2, 6: 0}  # FER-2013 code -> vote column
    with open(path, "w") as f:
        f.write(HEADER + "\n")
        for i in range(rows):
            code = int(rng.integers(0, 7))
            rng.integers(0, 120, (48, 48))  # write_csv's face draw, kept in step
            if i in blank:
                f.write(",,,,,,,,,\n")
                continue
            v = [0] * 10
            v[code_to_column[code]] = 7
            v[7 if i % 5 == 0 else 8] += 3  # contempt or unknown as the minority
            f.write(",".join(map(str, v)) + "\n")


class SoftTargetTests(unittest.TestCase):
    def test_soft_cross_entropy_is_the_expected_formula(self):
        logits = torch.tensor([[1.0, 2.0, 0.5]])
        target = torch.tensor([[0.7, 0.3, 0.0]])
        expected = -(target * torch.log_softmax(logits, 1)).sum()
        self.assertAlmostEqual(float(F.cross_entropy(logits, target)), float(expected), places=6)


class VotesRunTests(unittest.TestCase):
    def test_a_run_on_votes_has_eight_labels_and_scores_the_majority(self):
        with tempfile.TemporaryDirectory() as tmp:
            data, votes = os.path.join(tmp, "faces.csv"), os.path.join(tmp, "votes.csv")
            write_csv(data, 1200, seed=11)
            write_votes(votes, 1200, seed=11, blank={3, 4})
            out = os.path.join(tmp, "m.h5")
            done = subprocess.run(
                TRAIN + ["--train", data, "--test", data, "--train-votes", votes, "--test-votes", votes,
                 "--runs-dir", tmp, "--run-name", "v", "--out", out, "--reference", "", "--epochs", "2",
                 "--batch-size", "32", "--widths", "4,8", "--dense", "16", "--threads", "1", "--precision", "fp32",
                 "--scale-range", "0.8,1.25"],
                capture_output=True, text=True, timeout=600)
            self.assertEqual(done.returncode, 0, done.stdout[-2000:] + done.stderr[-2000:])
            self.assertIn("FER+ vote distributions over 8 emotions", done.stdout)
            self.assertIn("mean annotator share of the prediction", done.stdout)
            with open(os.path.join(tmp, "m.meta.json")) as f:
                meta = json.load(f)
            self.assertEqual(meta["labels"], fer_data.FERPLUS_LABELS)
            self.assertEqual(meta["framing_scale_range"], [0.8, 1.25])
            self.assertIn("FER+", meta["trained_on"])
            with open(os.path.join(tmp, "v", "args.json")) as f:
                self.assertEqual(json.load(f)["label_smoothing"], 0.0, "votes are a distribution already")
            one_sided = subprocess.run(TRAIN + ["--train", data, "--train-votes", votes],
                                       capture_output=True, text=True, timeout=600)
            self.assertEqual(one_sided.returncode, 2)
            self.assertIn("go together", one_sided.stderr)


if __name__ == "__main__":
    unittest.main()
