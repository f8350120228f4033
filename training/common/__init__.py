"""Helpers more than one job reads. Import-light on purpose (NumPy at most): every venv loads them."""
