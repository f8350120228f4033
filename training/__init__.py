"""emotion-live's offline Python, one package per job (never used at run time):

    emotion/      train the emotion classifier (PyTorch), export it to Keras .h5, join ensembles
    fixtures/     the Keras reference fixtures of the Swift engine's tests
    detectors/    face detectors (MTCNN, YuNet) converted to Keras .h5, and their references
    evaluation/   a Keras model scored on FER-2013, the number `emotion-live evaluate` should match
    common/       what more than one job reads: FER-2013 data, the fixtures' JSON format, paths

Run a script as a module from the repository root, e.g. `python -m training.emotion.train --help`.
"""
