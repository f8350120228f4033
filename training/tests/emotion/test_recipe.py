"""recipe.py's mixup: images and targets blended by the same weight and partner, reproducibly.
    make test-training
"""

from __future__ import annotations

import unittest

import torch

from training.emotion import recipe


class MixupTests(unittest.TestCase):
    def batch(self, n=16, classes=8):
        # Image i is the constant i: a mixed image's value tells which rows it blends, and how.
        x = torch.arange(n, dtype=torch.float32)[:, None, None, None].expand(n, 1, 4, 4).clone()
        return x, torch.arange(n) % classes

    def test_images_and_targets_share_the_weight_and_the_partner(self):
        x, y = self.batch()
        mx, my = recipe.mixup(x, y, 0.4, 8, torch.Generator().manual_seed(3))
        self.assertGreater(int((my.max(1).values < 1).sum()), 4, "too few rows mixed to check")
        self.assertEqual(my.shape, (16, 8))
        self.assertTrue(torch.allclose(my.sum(1), torch.ones(16)))
        lams = set()
        for i in range(16):
            weight_own = float(my[i, y[i]])
            value = float(mx[i, 0, 0, 0])
            self.assertTrue(torch.equal(mx[i], torch.full_like(mx[i], value)), "one blend a row")
            if weight_own == 1.0:  # mixed with itself, or with a row of the same label
                continue
            # value = lam * i + (1 - lam) * j, lam being row i's own label's weight, for the
            # partner j whose label carries 1 - lam
            others = my[i].clone()
            others[y[i]] = 0
            partner_label = int(others.argmax())
            candidates = [j for j in range(16) if int(y[j]) == partner_label
                          and abs(weight_own * i + (1 - weight_own) * j - value) < 1e-4]
            self.assertTrue(candidates, f"row {i}: image {value} is no blend matching target {my[i].tolist()}")
            lams.add(round(weight_own, 5))
        self.assertLessEqual(len(lams), 1, "one weight for the whole batch")

    def test_same_generator_same_batch_and_distribution_targets_stay_distributions(self):
        x, y = self.batch()
        soft = torch.softmax(torch.randn(16, 8), 1)
        a = recipe.mixup(x, soft, 0.4, 8, torch.Generator().manual_seed(9))
        b = recipe.mixup(x, soft, 0.4, 8, torch.Generator().manual_seed(9))
        self.assertTrue(torch.equal(a[0], b[0]) and torch.equal(a[1], b[1]))
        self.assertTrue(torch.allclose(a[1].sum(1), torch.ones(16)))
        self.assertFalse(torch.equal(a[0], x), "the batch was left unmixed")


if __name__ == "__main__":
    unittest.main()
