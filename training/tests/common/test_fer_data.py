"""FER+'s protocol on hand-made votes: the majority label, ties, unknown and not-a-face on top,
rows without votes, and votes that are not row-aligned with their CSV.
    make test-training
"""

from __future__ import annotations

import os
import tempfile
import unittest

import numpy as np

from training.common import fer_data

HEADER = ",".join(fer_data.FERPLUS_COLUMNS)


class ProtocolTests(unittest.TestCase):
    def test_majority_ties_unknown_and_missing_votes(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "v.csv")
            with open(path, "w") as f:
                f.write(HEADER + "\n7,0,0,0,3,0,0,0,0,0\n0,0,0,0,0,0,0,6,4,0\n5,5,0,0,0,0,0,0,0,0\n"
                                 "2,0,0,0,0,0,0,0,8,0\n,,,,,,,,,\n1,0,0,0,0,0,0,0,0,9\n")
            split = fer_data.Split(np.zeros((6, 48, 48), np.uint8), np.zeros(6, np.int64), np.arange(6))
            fer_data.attach_votes({"PublicTest": split}, path)
            test = fer_data.ferplus(split, training=False)
            self.assertEqual([fer_data.FERPLUS_LABELS[k] for k in test.y], ["neutral", "contempt"])
            np.testing.assert_allclose(test.p[0][fer_data.FERPLUS_LABELS.index("angry")], 0.3)
            self.assertAlmostEqual(float(test.p.sum(1).max()), 1.0, places=6)
            train = fer_data.ferplus(split, training=True)
            self.assertEqual(len(train), 3, "a tie is a fine distribution to learn; unknown, NF and no votes are not")

    def test_misaligned_votes_are_refused(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "v.csv")
            with open(path, "w") as f:
                f.write(HEADER + "\n10,0,0,0,0,0,0,0,0,0\n")
            split = fer_data.Split(np.zeros((2, 48, 48), np.uint8), np.zeros(2, np.int64), np.arange(2))
            with self.assertRaisesRegex(ValueError, "row-aligned"):
                fer_data.attach_votes({"Training": split}, path)


if __name__ == "__main__":
    unittest.main()
