import numpy as np
import pytest

from nanonet import Parameter


def test_scalar_parameter_is_a_float_with_zero_grad():
    p = Parameter(2)
    assert type(p.value) is float and p.value == 2.0
    assert type(p.grad) is float and p.grad == 0.0
    assert p.shape == ()
    assert repr(p) == "Parameter(2.0)"


def test_numpy_scalars_become_floats():
    assert type(Parameter(np.float32(1.5)).value) is float
    assert type(Parameter(np.array(3.0)).value) is float


def test_array_parameter_is_an_owned_float64_copy_with_zero_grad():
    source = np.array([[1, 2], [3, 4]])
    p = Parameter(source)
    assert p.value.dtype == np.float64 and p.shape == (2, 2)
    source[0, 0] = 100
    assert p.value[0, 0] == 1.0
    np.testing.assert_array_equal(p.grad, np.zeros((2, 2)))
    assert repr(p) == "Parameter([[1., 2.],\n           [3., 4.]])"


def test_zero_grad_zeroes_the_gradients_own_array_as_pytorch():
    p = Parameter([1.0, 2.0])
    p.grad += np.array([0.5, 0.25])
    held = p.grad
    p.zero_grad()
    assert p.grad is held  # in place, as PyTorch's zero_grad(set_to_none=False)
    np.testing.assert_array_equal(p.grad, [0.0, 0.0])
    p.grad = np.ones(3)  # a broken layer's gradient of the wrong shape is replaced
    p.zero_grad()
    np.testing.assert_array_equal(p.grad, [0.0, 0.0])
    assert p.grad_resets == 3  # the constructor's, and two


@pytest.mark.parametrize("bad", ["2", None, object(), 1 + 2j, [1, "a"], np.array([1j])])
def test_non_numeric_values_raise_type_error(bad):
    with pytest.raises(TypeError, match="Parameter value"):
        Parameter(bad)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), [1.0, float("-inf")]])
def test_non_finite_values_raise_value_error(bad):
    with pytest.raises(ValueError, match="Parameter value must be finite"):
        Parameter(bad)


def test_assigning_a_value_goes_through_the_constructors_checks():
    p = Parameter(1.0)
    for bad, error, message in [
        (float("nan"), ValueError, "Parameter value must be finite"),
        ("hello", TypeError, "Parameter value must be a real number"),
        ([1.0, 2.0], ValueError, r"must keep its shape \(\), got shape \(2,\)"),
    ]:
        with pytest.raises(error, match=message):
            p.value = bad
        assert p.value == 1.0 and repr(p) == "Parameter(1.0)"  # unchanged, and still prints
    p.value = 3  # an int is a real number
    assert type(p.value) is float and p.value == 3.0


def test_assigning_an_array_copies_into_the_parameters_own_array():
    p = Parameter([1.0, 2.0])
    own = p.value
    new = np.array([5.0, 6.0])
    p.value = new
    assert p.value is own  # the grad and any optimizer state still fit it
    new[0] = 100.0
    np.testing.assert_array_equal(p.value, [5.0, 6.0])
    with pytest.raises(ValueError, match=r"must keep its shape \(2,\), got shape \(3,\)"):
        p.value = [1.0, 2.0, 3.0]
    with pytest.raises(ValueError, match="must be finite"):
        p.value = [1.0, float("inf")]
    np.testing.assert_array_equal(p.value, [5.0, 6.0])
    assert p.grad.shape == (2,)


def test_listing_the_parameters_changes_nothing_in_them():
    from nanonet import Linear, Sequential

    shared = Linear(1.0)
    first, second = Sequential(shared, Linear(2.0)), Sequential(Linear(3.0), shared)
    assert [name for name, _ in first.named_parameters()] == ["0.weight", "1.weight"]
    assert [name for name, _ in second.named_parameters()] == ["0.weight", "1.weight"]
    assert vars(shared.weight).keys() == {"_value", "grad", "grad_resets"}  # (no name written)
