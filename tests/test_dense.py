"""Dense: PyTorch's nn.Linear layout and initialisation, batches and single samples."""

import math

import numpy as np
import pytest

from nanonet import Dense, Parameter


def test_layout_and_default_initialisation_follow_pytorch():
    layer = Dense(16, 3, rng=0)
    assert layer.weight.shape == (3, 16) and layer.bias.shape == (3,)
    bound = 1 / math.sqrt(16)
    weights = np.concatenate([Dense(16, 3, rng=seed).weight.value.ravel() for seed in range(200)])
    assert -bound <= weights.min() < -0.99 * bound and 0.99 * bound < weights.max() < bound
    assert np.all(np.abs(layer.bias.value) <= bound)
    assert repr(layer) == "Dense(in_features=16, out_features=3, bias=True)"


def test_the_same_seed_gives_the_same_weights():
    a, b, c = Dense(4, 2, rng=5), Dense(4, 2, rng=5), Dense(4, 2, rng=6)
    np.testing.assert_array_equal(a.weight.value, b.weight.value)  # exactly: same numbers drawn
    assert not np.array_equal(a.weight.value, c.weight.value)
    generator = np.random.default_rng(1)
    assert not np.array_equal(
        Dense(4, 2, rng=generator).weight.value, Dense(4, 2, rng=generator).weight.value
    )


def test_forward_and_backward_are_the_matrix_products():
    layer = Dense(2, 1, rng=0)
    layer.weight.value = [[2.0, -1.0]]
    layer.bias.value = [0.5]
    x = np.array([[1.0, 3.0], [0.0, 1.0]])
    np.testing.assert_array_equal(layer(x), [[-0.5], [-0.5]])
    grad_x = layer.backward(np.array([[1.0], [2.0]]))
    np.testing.assert_array_equal(grad_x, [[2.0, -1.0], [4.0, -2.0]])  # grad @ W
    np.testing.assert_array_equal(layer.weight.grad, [[1.0, 5.0]])  # grad.T @ x
    np.testing.assert_array_equal(layer.bias.grad, [3.0])  # grad summed over the samples


def test_one_sample_is_a_batch_of_one():
    layer = Dense(3, 2, rng=1)
    x = np.array([0.5, -1.0, 2.0])
    y = layer(x)
    assert y.shape == (2,)
    np.testing.assert_allclose(y, layer(x[None, :])[0], rtol=1e-15)
    layer.zero_grad()
    grad_x = layer.backward(np.array([1.0, -1.0]))
    assert grad_x.shape == (3,)
    np.testing.assert_allclose(layer.weight.grad, np.outer([1.0, -1.0], x), rtol=1e-15)


def test_without_bias_there_is_no_bias_parameter():
    layer = Dense(3, 2, bias=False, rng=0)
    assert layer.bias is None
    assert [name for name, _ in layer.named_parameters()] == ["weight"]
    np.testing.assert_allclose(layer(np.ones(3)), layer.weight.value.sum(axis=1), rtol=1e-15)


@pytest.mark.parametrize("x", [np.ones((4, 3)), np.ones(3), np.ones((2, 2, 2)), 1.0])
def test_inputs_of_the_wrong_shape_say_what_is_expected(x):
    layer = Dense(2, 1, rng=0)
    before = layer.weight.value.copy()
    with pytest.raises(
        ValueError, match=r"takes samples of 2 features: an array of shape \(N, 2\) or \(2,\)"
    ):
        layer(x)
    np.testing.assert_array_equal(layer.weight.value, before)


BAD_ARGUMENTS = [
    ((2.0, 3), {}, TypeError, "in_features must be an int"),
    ((2, 0), {}, ValueError, "out_features must be at least 1"),
    ((2, 3), {"bias": 1}, TypeError, "bias must be True or False"),
    ((2, 3), {"rng": "x"}, TypeError, "rng must be"),
]


@pytest.mark.parametrize("args, kwargs, error, message", BAD_ARGUMENTS)
def test_bad_arguments(args, kwargs, error, message):
    with pytest.raises(error, match=message):
        Dense(*args, **kwargs)


def test_weights_are_parameters_found_by_name():
    layer = Dense(2, 2, rng=0)
    assert all(isinstance(p, Parameter) for p in layer.parameters())
    assert layer.state_dict().keys() == {"weight", "bias"}
