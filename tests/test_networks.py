"""Real tasks, end to end: XOR, a sine curve, two moons and the handwritten digits."""

import numpy as np

from nanonet import (
    SGD,
    Adam,
    CrossEntropyLoss,
    Dense,
    MSELoss,
    ReLU,
    Sequential,
    Tanh,
    accuracy,
    batches,
    train_test_split,
)
from nanonet.datasets import load_digits, moons


def fit(model, loss_fn, optimizer, x, target, steps):
    for _ in range(steps):
        loss = loss_fn(model(x), target)
        optimizer.zero_grad()
        model.backward(loss_fn.backward())
        optimizer.step()
    return loss


def test_xor_needs_a_hidden_layer_and_dense_learns_it():
    x = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    target = np.array([[0.0], [1.0], [1.0], [0.0]])
    model = Sequential(Dense(2, 4, rng=0), Tanh(), Dense(4, 1, rng=1))
    loss = fit(model, MSELoss(), SGD(model.parameters(), lr=0.5), x, target, 1000)
    assert loss < 1e-6
    np.testing.assert_array_equal(model(x).round(), target)
    linear = Sequential(Dense(2, 1, rng=0))  # no hidden layer: a line cannot separate XOR
    assert fit(linear, MSELoss(), SGD(linear.parameters(), lr=0.5), x, target, 1000) > 0.06


def test_a_sine_curve_is_fitted():
    rng = np.random.default_rng(0)
    x = rng.uniform(-3.0, 3.0, (200, 1))
    model = Sequential(Dense(1, 16, rng=1), Tanh(), Dense(16, 1, rng=2))
    fit(model, MSELoss(), Adam(model.parameters(), lr=0.02), x, np.sin(x), 2000)
    x_test = np.linspace(-3.0, 3.0, 101)[:, None]
    rmse = np.sqrt(np.mean((model(x_test) - np.sin(x_test)) ** 2))
    assert rmse < 0.05  # predicting 0 everywhere gives 0.71


def test_two_moons_are_separated():
    x, y = moons(400, noise=0.2, rng=0)
    x_train, x_test, y_train, y_test = train_test_split(x, y, 0.25, rng=1)
    model = Sequential(Dense(2, 16, rng=1), Tanh(), Dense(16, 2, rng=2))
    fit(model, CrossEntropyLoss(), Adam(model.parameters(), lr=0.01), x_train, y_train, 1000)
    assert accuracy(model(x_test), y_test) >= 0.95


def test_digits_reach_95_percent_on_the_test_set():
    x, y = load_digits()
    x_train, x_test, y_train, y_test = train_test_split(x / 16.0, y, 0.25, rng=0)
    model = Sequential(Dense(64, 64, rng=1), ReLU(), Dense(64, 10, rng=2))
    loss_fn, optimizer = CrossEntropyLoss(), Adam(model.parameters(), lr=0.01)
    rng = np.random.default_rng(3)
    for _ in range(10):
        for x_batch, y_batch in batches(x_train, y_train, 32, shuffle=True, rng=rng):
            loss_fn(model(x_batch), y_batch)
            optimizer.zero_grad()
            model.backward(loss_fn.backward())
            optimizer.step()
    assert accuracy(model(x_test), y_test) >= 0.95
