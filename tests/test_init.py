"""nanonet.init: each function fills a Parameter in place, with PyTorch's distributions."""

import math

import numpy as np
import pytest

from nanonet import Conv2d, Dense, Parameter, init


def test_each_function_fills_the_parameters_own_array_and_returns_the_parameter():
    layer = Dense(30, 20, rng=0)
    array = layer.weight.value
    for fill in (init.zeros_, init.ones_, init.xavier_uniform_, init.kaiming_uniform_):
        assert fill(layer.weight) is layer.weight
        assert layer.weight.value is array  # in place: an optimizer's view still sees it
    np.testing.assert_array_equal(init.zeros_(layer.bias).value, np.zeros(20))
    np.testing.assert_array_equal(init.ones_(layer.bias).value, np.ones(20))
    assert init.normal_(Parameter(2.0), rng=0).value != 2.0  # a single number too


def test_bounds_and_spreads_are_pytorchs():
    w = Parameter(np.zeros((200, 300)))
    bound = math.sqrt(6 / 500)
    init.xavier_uniform_(w, rng=0)
    assert np.abs(w.value).max() <= bound and w.value.std() == pytest.approx(
        bound / 3**0.5, rel=0.01
    )
    init.kaiming_uniform_(w, nonlinearity="relu", rng=1)
    bound = math.sqrt(2) * math.sqrt(3 / 300)
    assert np.abs(w.value).max() <= bound and w.value.std() == pytest.approx(
        bound / 3**0.5, rel=0.01
    )
    init.kaiming_uniform_(w, mode="fan_out", nonlinearity="relu", rng=1)
    assert np.abs(w.value).max() <= math.sqrt(6 / 200) < bound * 1.3
    init.normal_(w, mean=1.0, std=0.1, rng=2)
    assert w.value.mean() == pytest.approx(1.0, abs=0.001) and w.value.std() == pytest.approx(
        0.1, rel=0.01
    )
    init.uniform_(w, -2.0, -1.0, rng=3)
    assert -2.0 <= w.value.min() and w.value.max() < -1.0


def test_conv2d_and_dense_start_as_kaiming_uniform_with_a_sqrt_5():
    conv = Conv2d(3, 8, 5, rng=0)
    assert init.fans(conv.weight) == (75, 200)
    bound = init.calculate_gain("leaky_relu", math.sqrt(5)) * math.sqrt(3 / 75)
    assert bound == pytest.approx(1 / math.sqrt(75), rel=1e-15)
    assert np.abs(conv.weight.value).max() <= bound


def test_the_same_seed_gives_the_same_numbers_and_dtype_is_kept():
    a, b = Parameter(np.zeros((4, 5)), np.float32), Parameter(np.zeros((4, 5)), np.float32)
    init.xavier_uniform_(a, rng=5)
    init.xavier_uniform_(b, rng=5)
    np.testing.assert_array_equal(a.value, b.value)
    assert a.dtype == np.float32


def test_gains_are_pytorchs():
    torch = pytest.importorskip("torch")
    for name in ("linear", "conv2d", "sigmoid", "tanh", "relu", "selu"):
        assert init.calculate_gain(name) == pytest.approx(torch.nn.init.calculate_gain(name))
    for slope in (None, 0.2, math.sqrt(5)):
        assert init.calculate_gain("leaky_relu", slope) == pytest.approx(
            torch.nn.init.calculate_gain("leaky_relu", slope)
        )
