import numpy as np
import pytest

from nanonet import MSELoss


def test_scalar_loss_is_half_the_squared_error():
    loss_fn = MSELoss()
    loss = loss_fn(0.3637538067518208, 0.7)
    assert type(loss) is float
    assert loss == pytest.approx(0.056530751236945946, abs=1e-15)
    assert loss_fn.backward() == pytest.approx(0.3637538067518208 - 0.7, abs=1e-16)


def test_batch_loss_is_half_the_mean_and_gradient_is_divided_by_n():
    loss_fn = MSELoss()
    prediction = np.array([[1.0, 2.0], [3.0, 4.0]])
    target = np.array([[0.0, 2.0], [5.0, 4.5]])
    assert loss_fn(prediction, target) == pytest.approx(0.5 * (1 + 0 + 4 + 0.25) / 4, rel=1e-15)
    grad = loss_fn.backward()
    assert grad.shape == (2, 2)
    np.testing.assert_allclose(grad, (prediction - target) / 4, rtol=1e-15)


def test_scalar_target_is_compared_with_every_element():
    loss_fn = MSELoss()
    assert loss_fn([0.5, 1.0], 0.7) == pytest.approx(0.5 * (0.04 + 0.09) / 2, rel=1e-14)
    np.testing.assert_allclose(loss_fn.backward(), [-0.1, 0.15], rtol=1e-14)


def test_backward_returns_a_new_array_each_time():
    loss_fn = MSELoss()
    loss_fn([1.0, 2.0], [0.0, 0.0])
    first = loss_fn.backward()
    first[:] = 99.0
    np.testing.assert_array_equal(loss_fn.backward(), [0.5, 1.0])


def test_gradient_matches_finite_differences():
    rng = np.random.default_rng(3)
    prediction, target = rng.normal(size=5), rng.normal(size=5)
    loss_fn = MSELoss()
    loss_fn(prediction, target)
    analytic = loss_fn.backward()
    eps = 1e-6
    for i in range(5):
        plus, minus = prediction.copy(), prediction.copy()
        plus[i] += eps
        minus[i] -= eps
        numeric = (MSELoss()(plus, target) - MSELoss()(minus, target)) / (2 * eps)
        assert analytic[i] == pytest.approx(numeric, rel=1e-6)


def test_is_half_of_pytorchs_mse():
    prediction, target = np.array([1.0, 3.0]), np.array([2.0, 1.0])
    pytorch_style = np.mean((prediction - target) ** 2)
    assert MSELoss()(prediction, target) == pytorch_style / 2


def test_repr():
    assert repr(MSELoss()) == "MSELoss()"


@pytest.mark.parametrize("prediction", [1e200, np.array([0.0, 1e200])], ids=["float", "array"])
def test_a_loss_that_overflows_from_finite_values_says_the_training_diverges(prediction):
    with pytest.raises(
        FloatingPointError, match="the training is diverging. Lower the optimizer's learning rate"
    ):
        MSELoss()(prediction, -1e200)
