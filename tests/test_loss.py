import numpy as np
import pytest

from nanonet import BCEWithLogitsLoss, CrossEntropyLoss, MSELoss


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
@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")  # numpy's, for arrays
def test_a_loss_that_overflows_from_finite_values_says_the_training_diverges(prediction):
    with pytest.raises(
        FloatingPointError, match="the training is diverging. Lower the optimizer's learning rate"
    ):
        MSELoss()(prediction, -1e200)


# -- CrossEntropyLoss and BCEWithLogitsLoss ------------------------------------------


def test_cross_entropy_by_hand():
    logits = np.array([[2.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    loss_fn = CrossEntropyLoss()
    expected = (np.log(1 + 2 * np.exp(-2.0)) + np.log(3.0)) / 2  # -log softmax at the labels
    assert loss_fn(logits, [0, 2]) == pytest.approx(expected, rel=1e-14)
    p = np.exp(2.0) / (np.exp(2.0) + 2)
    expected_grad = np.array([[p - 1, (1 - p) / 2, (1 - p) / 2], [1 / 3, 1 / 3, -2 / 3]]) / 2
    np.testing.assert_allclose(loss_fn.backward(), expected_grad, rtol=1e-14)


def test_cross_entropy_of_one_sample_and_extreme_logits():
    loss_fn = CrossEntropyLoss()
    assert loss_fn(np.array([0.0, 0.0]), 1) == pytest.approx(np.log(2.0), rel=1e-15)
    assert loss_fn.backward().shape == (2,)
    assert loss_fn([[1e3, 0.0], [0.0, 1e300]], [0, 0]) == pytest.approx(5e299, rel=1e-15)
    np.testing.assert_allclose(loss_fn.backward(), [[0.0, 0.0], [-0.5, 0.5]], atol=1e-300)


BAD_LABELS = [
    ([0.0, 1.0], TypeError, r"dtype float64; convert them with labels.astype\(int\)"),
    ([0, 3], ValueError, "class indices from 0 to 2 .* got 3"),
    ([-1, 0], ValueError, "got -1"),
    ([0], ValueError, r"logits of shape \(2, 3\) need labels of shape \(2,\), got shape \(1,\)"),
    ("a", TypeError, "integer class labels"),
    ([True, False], TypeError, "integer class labels"),
]


@pytest.mark.parametrize("labels, error, message", BAD_LABELS)
def test_cross_entropy_refuses_bad_labels(labels, error, message):
    with pytest.raises(error, match=message):
        CrossEntropyLoss()(np.zeros((2, 3)), labels)


def test_cross_entropy_needs_logits_per_class():
    with pytest.raises(ValueError, match=r"needs logits of shape \(N, C\)"):
        CrossEntropyLoss()(0.5, 0)


def test_bce_with_logits_by_hand_and_stable():
    loss_fn = BCEWithLogitsLoss()
    z, t = np.array([0.0, 2.0, -1e3]), np.array([1.0, 0.0, 0.0])
    s = 1 / (1 + np.exp(-z[:2]))
    expected = (-np.log(s[0]) - np.log(1 - s[1]) + 0.0) / 3
    assert loss_fn(z, t) == pytest.approx(expected, rel=1e-14)
    np.testing.assert_allclose(loss_fn.backward(), (np.append(s, 0.0) - t) / 3, rtol=1e-14)
    with pytest.raises(ValueError, match="targets must be 0 or 1"):
        loss_fn(z, np.array([1.0, 2.0, 0.0]))
    with pytest.raises(ValueError, match="one target per logit"):
        loss_fn(z, np.array([1.0, 0.0]))


def test_a_failed_call_keeps_the_last_gradient():
    loss_fn = CrossEntropyLoss()
    loss_fn([[0.0, 1.0]], [1])
    before = loss_fn.backward()
    with pytest.raises(ValueError):
        loss_fn([[0.0, 1.0]], [5])
    np.testing.assert_array_equal(loss_fn.backward(), before)  # exactly: the last good call's


def test_a_misspelled_method_is_an_attribute_error_with_pythons_suggestion():
    with pytest.raises(
        AttributeError, match="'MSELoss' object has no attribute 'backwards'"
    ) as info:
        MSELoss().backwards()
    assert "needs" not in str(info.value)  # no hint about a forward pass: it is a typo
    assert info.value.name == "backwards"  # (so Python's "Did you mean: 'backward'?" shows)
