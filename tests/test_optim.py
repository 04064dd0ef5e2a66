import numpy as np
import pytest

from nanonet import SGD, Linear, Parameter, Sequential


def test_step_moves_every_parameter_against_its_gradient():
    a, b = Parameter(1.0), Parameter([1.0, 2.0])
    a.grad, b.grad = 2.0, np.array([10.0, -10.0])
    SGD([a, b], lr=0.1).step()
    assert a.value == 0.8
    np.testing.assert_allclose(b.value, [0.0, 3.0])
    assert type(a.value) is float


def test_step_updates_the_parameters_own_array_in_place():
    p = Parameter([1.0, 2.0])
    held = p.value
    p.grad = np.array([1.0, 1.0])
    SGD([p], lr=0.5).step()
    assert p.value is held  # in place, as PyTorch: the parameter keeps its array
    np.testing.assert_array_equal(p.value, [0.5, 1.5])


def test_zero_grad_resets_gradients():
    a, b = Parameter(1.0), Parameter([1.0, 2.0])
    a.grad, b.grad = 3.0, np.array([1.0, 1.0])
    SGD([a, b], lr=0.1).zero_grad()
    assert a.grad == 0.0
    np.testing.assert_array_equal(b.grad, [0.0, 0.0])


def test_accepts_named_parameters_and_generators():
    model = Sequential(Linear(1.0), Linear(2.0))
    assert repr(SGD(model.named_parameters(), lr=0.1)) == "SGD(lr=0.1, momentum=0.0, parameters=2)"
    optimizer = SGD(model.parameters(), lr=0.1)
    assert optimizer.names == ["parameter '0.weight'", "parameter '1.weight'"]


def test_learning_rate_can_be_changed_and_is_checked():
    optimizer = SGD([Parameter(1.0)], lr=0.1)
    optimizer.lr = 0.01
    assert optimizer.lr == 0.01
    with pytest.raises(ValueError, match="lr must be a finite positive number"):
        optimizer.lr = -1.0
    assert optimizer.lr == 0.01


def test_a_scalar_grad_numpy_float_keeps_the_value_a_float():
    p = Parameter(1.0)
    p.grad = np.float64(1.0)
    SGD([p], lr=0.5).step()
    assert type(p.value) is float and p.value == 0.5
