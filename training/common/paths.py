"""Where things are: the repository, training/ and the shared data folder beside the checkout.
Scripts' defaults are built from these so they work from any working directory."""

from __future__ import annotations

import os

#: training/
TRAINING = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
#: The repository root (models/, Tests/, the Makefile).
ROOT = os.path.dirname(TRAINING)
#: ../shared beside the checkout: data sets, media, upstream models.
SHARED = os.path.join(os.path.dirname(ROOT), "shared")
#: Where the face detectors' reference fixtures go (detectors/mtcnn_reference.py, yunet_reference.py).
DETECTOR_FIXTURES = os.path.join(ROOT, "Tests", "FaceDetectionTests", "Fixtures")
