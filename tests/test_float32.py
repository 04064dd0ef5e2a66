"""float32 end to end: weights, buffers, inputs, targets, gradients and optimizer state.

A model in float32 computes in float32 throughout: the input is cast where it
enters (the model's call), the target where it enters (the loss's call), and
no layer's math turns a float32 array into float64.
"""

import numpy as np
import pytest

from nanonet import (
    SGD,
    Adam,
    BatchNorm1d,
    BatchNorm2d,
    Conv2d,
    CrossEntropyLoss,
    Dense,
    Dropout,
    Flatten,
    MaxPool2d,
    MSELoss,
    ReLU,
    Sequential,
    Tanh,
)

F32 = np.dtype(np.float32)


def cnn(dtype=np.float64):
    rng = np.random.default_rng(0)
    return Sequential(
        Conv2d(1, 4, 3, padding=1, rng=rng, dtype=dtype),
        BatchNorm2d(4, dtype=dtype),
        ReLU(),
        MaxPool2d(2),
        Flatten(),
        Dropout(0.2, rng=1),
        Dense(64, 16, rng=rng, dtype=dtype),
        BatchNorm1d(16, dtype=dtype),
        Tanh(),
        Dense(16, 3, rng=rng, dtype=dtype),
    )


def test_to_float32_converts_parameters_gradients_and_buffers_and_returns_the_model():
    model = cnn()
    assert model.to(np.float32) is model and model.dtype == F32
    assert {p.dtype for p in model.parameters()} == {F32}
    assert {p.grad.dtype for p in model.parameters()} == {F32}
    assert {array.dtype for _, array in model.named_buffers()} == {F32}
    assert all(layer.dtype == F32 for layer in model)


def test_layers_made_with_dtype_give_a_float32_model():
    model = cnn(np.float32)
    assert model.dtype == F32  # Sequential takes its parameters' dtype
    assert {array.dtype for _, array in model.named_buffers()} == {F32}


@pytest.mark.parametrize("make", [lambda: cnn().to(np.float32), lambda: cnn(np.float32)])
def test_a_training_step_stays_in_float32(make):
    model = make()
    x = np.random.default_rng(1).normal(size=(6, 1, 8, 8))  # float64: cast where it enters
    values = [model.check_input(x)]
    assert values[0].dtype == F32
    for layer in model:
        values.append(layer.forward(values[-1]))
    assert [v.dtype for v in values] == [F32] * len(values)
    loss_fn = CrossEntropyLoss()
    optimizer = Adam(model.parameters(), lr=0.01)
    loss_fn(model(x), np.array([0, 1, 2, 0, 1, 2]))
    optimizer.zero_grad()
    grad = loss_fn.backward()
    assert grad.dtype == F32 and model.backward(grad).dtype == F32
    optimizer.step()
    assert {p.dtype for p in model.parameters()} == {p.grad.dtype for p in model.parameters()}
    assert {p.dtype for p in model.parameters()} == {F32}
    assert {v.dtype for state in optimizer.state for v in state.values() if np.ndim(v)} == {F32}
    assert {array.dtype for _, array in model.named_buffers()} == {F32}


def test_a_float32_input_is_not_copied_and_a_float64_target_is_cast():
    model = Sequential(Dense(3, 2, rng=0, dtype=np.float32))
    x = np.ones((4, 3), np.float32)
    assert model.check_input(x) is x
    loss_fn = MSELoss()
    loss_fn(model(x), np.zeros((4, 2)))  # a float64 target
    assert loss_fn.backward().dtype == F32


def test_float32_training_follows_float64_training_closely():
    x = np.random.default_rng(2).normal(size=(16, 1, 8, 8))
    labels = np.random.default_rng(3).integers(0, 3, 16)
    results = []
    for dtype in (np.float64, np.float32):
        model = cnn(dtype)
        optimizer = SGD(model.parameters(), lr=0.05, momentum=0.9)
        loss_fn = CrossEntropyLoss()
        for step in range(10):
            loss_fn(model(x), labels)
            optimizer.zero_grad()
            model.backward(loss_fn.backward())
            optimizer.step()
        results.append([p.value for p in model.parameters()])
    for a, b in zip(*results, strict=True):
        assert b.dtype == F32
        np.testing.assert_allclose(b, a, rtol=1e-3, atol=1e-4)
