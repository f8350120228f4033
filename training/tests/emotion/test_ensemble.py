"""ensemble.py: a net with mirrored kernels on the face is the net on the mirror image, and the
ensemble file Keras reloads is PyTorch's average of its members, views included.

    make test-training
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import tempfile
import unittest

import numpy as np
import torch

from training.emotion import ensemble, export_keras, recipe


def random_net(widths, seed: int) -> torch.nn.Sequential:
    torch.manual_seed(seed)
    net = recipe.build_net(widths, 16, 0.5)
    with torch.no_grad():  # batch-norm statistics away from their defaults, so they count too
        for m in net:
            if isinstance(m, (torch.nn.BatchNorm2d, torch.nn.BatchNorm1d)):
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 2.0)
    return net.eval()


def faces(n: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).uniform(0, 1, (n, 48, 48, 1)).astype(np.float32)


class EnsembleTests(unittest.TestCase):
    def test_mirrored_net_on_the_face_is_the_net_on_the_mirror_image(self):
        # Two and four stages: the last map is 12x12 or 3x3 (an odd side, a middle column).
        for widths in ([4, 8], [4, 8, 8, 16]):
            net = random_net(widths, seed=len(widths))
            x = torch.from_numpy(faces(4, 1).transpose(0, 3, 1, 2))
            with torch.no_grad():
                torch.testing.assert_close(ensemble.mirrored(net)(x), net(x.flip(-1)), rtol=1e-5, atol=1e-5)
                # The original is untouched.
                torch.testing.assert_close(net(x), random_net(widths, seed=len(widths))(x), rtol=0, atol=0)

    def test_ensemble_file_is_the_average_of_its_members_views(self):
        with tempfile.TemporaryDirectory(prefix="emotion-live-ensemble-") as tmp:
            a, b = random_net([4, 8], seed=1), random_net([8, 16], seed=2)
            paths = [os.path.join(tmp, n) for n in ("a.h5", "b.h5")]
            for net, widths, path in zip((a, b), ([4, 8], [8, 16]), paths):
                export_keras.export(net, widths, 16, 0.5, path, faces(4, 0))
            data = os.path.join(tmp, "faces.csv")
            rng = np.random.default_rng(3)
            with open(data, "w", newline="") as f:
                w = csv.writer(f)
                w.writerow(["emotion", "pixels", "Usage"])
                for i in range(40):
                    w.writerow([int(rng.integers(0, 7)), " ".join(map(str, rng.integers(0, 256, 48 * 48))),
                                "PublicTest" if i % 2 else "PrivateTest"])
            out, reference = os.path.join(tmp, "ens.h5"), os.path.join(tmp, "ens.reference.json")
            with contextlib.redirect_stdout(io.StringIO()):
                code = ensemble.main(["--member", paths[0], "--member", paths[1] + ":mirror", "--test", data,
                                      "--out", out, "--reference", reference])
            self.assertEqual(code, 0)

            import keras  # noqa: PLC0415
            model = keras.models.load_model(out, compile=False)
            names = [layer.name for layer in model.layers]
            self.assertEqual(len(set(names)), len(names))
            self.assertFalse(any(isinstance(layer, keras.Model) for layer in model.layers), "nested model")
            x = faces(6, 4)
            expected = (export_keras.torch_probabilities(a, x) + export_keras.torch_probabilities(b, x[:, :, ::-1])) / 2
            np.testing.assert_allclose(np.asarray(model.predict(x, verbose=0)), expected, atol=1e-5, rtol=0)

            with open(os.path.join(tmp, "ens.meta.json")) as f:
                meta = json.load(f)
            self.assertFalse(meta["flip_average"], "the mirror image is already a member's view")
            self.assertEqual([(m["model"], m["mirror"]) for m in meta["members"]], [(paths[0], False), (paths[1], True)])
            self.assertEqual(meta["mflops"], round((recipe.count_flops([4, 8], 16) + recipe.count_flops([8, 16], 16)) / 1e6, 1))
            for key in ("public_test_accuracy", "private_test_accuracy", "test_accuracy"):
                self.assertTrue(0 <= meta[key] <= 1, key)
            with open(reference) as f:
                self.assertEqual(len(json.load(f)["cases"]), 6)

    def test_bad_members_are_refused_by_name(self):
        with self.assertRaises(SystemExit) as one, contextlib.redirect_stderr(io.StringIO()):
            ensemble.main(["--member", "a.h5", "--test", "t.csv"])
        self.assertEqual(one.exception.code, 2)
        with self.assertRaises(SystemExit) as missing:
            ensemble.main(["--member", "/nonexistent/a.h5", "--member", "/nonexistent/b.h5:mirror", "--test", "t.csv"])
        self.assertEqual(missing.exception.code, "/nonexistent/a.h5: no such file")


if __name__ == "__main__":
    unittest.main()
