"""Tests of the training packages, mirroring their folders: `make test-training`."""
