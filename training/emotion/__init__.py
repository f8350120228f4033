"""Training the emotion classifier: PyTorch on the CPU (or a GPU), written as the Keras .h5 the
Swift engine reads. Entry points: train, ensemble, framing (`python -m training.emotion.<name>`)."""
