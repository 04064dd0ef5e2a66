"""The exact code from the core issue runs and trains."""

import numpy as np
import pytest

import nanonet


def test_the_issue_snippet_runs_as_written():
    from nanonet import SGD, Linear, MSELoss, Sequential, Sigmoid

    model = Sequential(Linear(2.0), Sigmoid(), Linear(1.0), Sigmoid(), Linear(0.5))
    loss_fn = MSELoss()
    optimizer = SGD(model.parameters(), lr=0.1)

    for step in range(1000):
        out = model(2.0)  # forward pass
        loss = loss_fn(out, 0.7)  # C = 1/2 * mean((out - target)**2)
        optimizer.zero_grad()
        model.backward(loss_fn.backward())  # gradients flow back through every layer
        optimizer.step()  # w <- w - lr * dC/dw, all weights at once

    assert out == pytest.approx(0.7, abs=1e-12)
    assert loss < 1e-25
    assert isinstance(loss, float)


def test_public_api():
    assert sorted(nanonet.__all__) == sorted(
        [
            *["Layer", "Parameter", "Sequential", "Linear", "Dense", "Sigmoid", "Tanh", "ReLU"],
            *["Conv2d", "MaxPool2d", "Flatten", "Dropout", "BatchNorm1d", "BatchNorm2d"],
            *["Loss", "MSELoss", "CrossEntropyLoss", "BCEWithLogitsLoss"],
            *["Optimizer", "SGD", "Adam", "AdamW"],
            *["LRScheduler", "StepLR", "ExponentialLR", "CosineAnnealingLR", "init"],
            *["batches", "one_hot", "train_test_split", "accuracy"],
            *["sigmoid", "softmax", "log_softmax", "gradcheck", "GradcheckError"],
            *["save", "load", "trace", "Trace", "ChainRule", "History", "TrainingWarning"],
            *["draw", "Drawing", "summary", "Summary"],
        ]
    )
    for name in nanonet.__all__:
        assert getattr(nanonet, name).__doc__, name


def test_version_matches_package_metadata():
    from importlib.metadata import version

    assert nanonet.__version__ == version("nanonet")


def test_py_typed_marker_is_shipped():
    from importlib.resources import files

    assert files("nanonet").joinpath("py.typed").is_file()


def test_batch_training_fits_a_small_data_set():
    rng = np.random.default_rng(0)
    x = rng.uniform(-2.0, 2.0, size=64)
    target = 0.8 / (1 + np.exp(-1.5 * x))  # made by a Linear-Sigmoid-Linear net
    model = nanonet.Sequential(nanonet.Linear(0.5), nanonet.Sigmoid(), nanonet.Linear(0.5))
    loss_fn = nanonet.MSELoss()
    optimizer = nanonet.SGD(model.parameters(), lr=2.0)
    first = loss_fn(model(x), target)
    for _ in range(3000):
        loss = loss_fn(model(x), target)
        optimizer.zero_grad()
        model.backward(loss_fn.backward())
        optimizer.step()
    assert loss < first / 1000
    assert [p.value for p in model.parameters()] == pytest.approx([1.5, 0.8], abs=1e-2)
