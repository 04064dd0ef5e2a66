import numpy as np
import pytest

from nanonet import Linear, gradcheck


def test_forward_multiplies_by_the_weight():
    layer = Linear(2.0)
    assert layer(3.0) == 6.0
    np.testing.assert_array_equal(layer([1.0, -2.0]), [2.0, -4.0])


def test_backward_returns_input_gradient_and_accumulates_weight_gradient():
    layer = Linear(2.0)
    layer(3.0)
    assert layer.backward(0.5) == 1.0  # w * grad
    assert layer.weight.grad == 1.5  # x * grad
    assert layer.backward(0.5) == 1.0
    assert layer.weight.grad == 3.0  # accumulated, as in PyTorch


def test_batch_weight_gradient_is_the_sum_over_samples():
    layer = Linear(-1.5)
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    layer(x)
    grad = np.array([[0.5, -1.0], [2.0, 0.25]])
    np.testing.assert_array_equal(layer.backward(grad), -1.5 * grad)
    assert layer.weight.grad == pytest.approx(np.sum(grad * x), rel=1e-15)


def test_output_array_is_new_and_input_is_untouched():
    x = np.array([1.0, 2.0])
    out = Linear(3.0)(x)
    assert out is not x
    np.testing.assert_array_equal(x, [1.0, 2.0])


@pytest.mark.parametrize("x", [0.7, -3.0, [0.5, -1.0, 2.0], [[1.0, -2.0], [0.1, 4.0]]])
def test_gradcheck(x):
    assert gradcheck(Linear(-1.3), x)


def test_random_initial_weight_is_reproducible_and_uniform_in_minus_one_one():
    assert Linear(rng=42).weight.value == Linear(rng=42).weight.value
    assert Linear(rng=np.random.default_rng(7)).weight.value == Linear(rng=7).weight.value
    weights = [Linear(rng=seed).weight.value for seed in range(2000)]
    assert all(type(w) is float for w in weights)
    assert -1.0 <= min(weights) < -0.99 and 0.99 < max(weights) < 1.0
    assert np.mean(weights) == pytest.approx(0.0, abs=0.05)
    assert len(set(weights)) == 2000


def test_random_weights_differ_without_a_seed():
    assert Linear().weight.value != Linear().weight.value


def test_overflow_gives_inf_as_for_floats_and_numpy_says_so_for_arrays():
    assert Linear(1e300)(1e10) == float("inf")
    with pytest.warns(RuntimeWarning, match="overflow"):  # numpy's own word; the loss then stops
        np.testing.assert_array_equal(Linear(1e300)([1e10, -1e10]), [np.inf, -np.inf])


def test_pytorch_style_arguments_point_to_dense():
    with pytest.raises(TypeError, match=r"Linear\(2, 4\): nanonet's Linear is the chapter's .* "
                       r"use Dense\(2, 4\)"):  # fmt: skip
        Linear(2, 4)
