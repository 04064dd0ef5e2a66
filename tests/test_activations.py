"""Tanh and ReLU: the math, derivatives, and what happens at the edges."""

import math

import numpy as np
import pytest

from nanonet import ReLU, Sequential, Tanh


def test_tanh_and_its_derivative():
    layer = Tanh()
    x = np.array([-2.0, 0.0, 0.5])
    y = layer(x)
    np.testing.assert_allclose(y, np.tanh(x), rtol=1e-15)
    np.testing.assert_allclose(layer.backward(np.ones(3)), 1 - np.tanh(x) ** 2, rtol=1e-14)
    assert layer(0.5) == pytest.approx(math.tanh(0.5), rel=1e-15) and type(layer(0.5)) is float


def test_tanh_saturates_without_warnings():
    layer = Tanh()
    np.testing.assert_array_equal(layer(np.array([-1e300, 1e300])), [-1.0, 1.0])
    np.testing.assert_array_equal(layer.backward(np.ones(2)), [0.0, 0.0])


def test_relu_passes_positives_and_zeroes_the_rest_with_derivative_zero_at_zero():
    layer = ReLU()
    np.testing.assert_array_equal(layer(np.array([-1.0, 0.0, 2.5])), [0.0, 0.0, 2.5])
    np.testing.assert_array_equal(layer.backward(np.array([3.0, 3.0, 3.0])), [0.0, 0.0, 3.0])
    assert type(layer(-2.0)) is float and layer(-2.0) == 0.0
    assert layer(np.array([np.nan]))[0] != layer(np.array([np.nan]))[0]  # NaN stays NaN


def test_in_a_sequential_numpy_scalars_become_floats():
    model = Sequential(Tanh(), ReLU())
    out = model(0.5)
    assert type(out) is float and out == pytest.approx(math.tanh(0.5), rel=1e-15)
    assert type(model.backward(1.0)) is float
