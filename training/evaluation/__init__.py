"""A Keras model scored on FER-2013 by Keras itself: the reference for `emotion-live evaluate`.
Entry point: `python -m training.evaluation.evaluate_keras` (training/.venv)."""
