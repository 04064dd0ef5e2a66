"""gradcheck finds wrong gradients and leaves the layer as it found it."""

import re

import numpy as np
import pytest

from nanonet import GradcheckError, Layer, Linear, Parameter, Sequential, Sigmoid, gradcheck


class WrongInputGrad(Layer):
    """y = x**2 with a backward that forgets the factor 2."""

    def forward(self, x):
        self.x = x
        return x * x

    def backward(self, grad):
        return grad * self.x


class WrongParamGrad(Layer):
    """y = a * x**2 whose parameter gradient is off by a factor."""

    def __init__(self):
        self.a = Parameter([1.5, -0.5])

    def forward(self, x):
        self.x = x
        return self.a.value * x * x

    def backward(self, grad):
        self.a.grad += 0.5 * grad * self.x * self.x  # should be grad * x**2
        return grad * 2 * self.a.value * self.x


def test_passes_for_builtin_layers_on_scalars_and_batches():
    for layer in (Linear(0.7), Sigmoid(), Sequential(Linear(2.0), Sigmoid())):
        assert gradcheck(layer, 0.3)
        assert gradcheck(layer, [0.3, -1.2, 2.0])


def test_names_the_wrong_input_gradient_and_both_values():
    with pytest.raises(GradcheckError) as err:
        gradcheck(WrongInputGrad(), 1.5)
    message = str(err.value)
    found = re.search(
        r"^gradcheck failed for WrongInputGrad: the gradient of input x differs: "
        r"analytic \(from backward\) (\S+), numeric \(finite differences\) (\S+)$",
        message,
    )
    assert found, message
    analytic, numeric = float(found[1]), float(found[2])
    assert numeric == pytest.approx(2 * analytic, rel=1e-6)  # the forgotten factor 2


def test_names_the_wrong_parameter_gradient_and_element():
    with pytest.raises(GradcheckError, match=r"parameter 'a' at index \(0,\) differs"):
        gradcheck(WrongParamGrad(), [1.0, 2.0])


def test_finds_a_wrong_gradient_inside_a_sequential():
    with pytest.raises(GradcheckError, match="parameter '1.a'"):
        gradcheck(Sequential(Linear(1.0), WrongParamGrad()), [1.0, 2.0])


def test_returns_false_instead_of_raising_when_asked():
    assert gradcheck(WrongInputGrad(), 1.5, raise_exception=False) is False


def test_reports_a_gradient_of_the_wrong_shape():
    class Flat(Layer):
        def forward(self, x):
            return x

        def backward(self, grad):
            return float(np.sum(grad))

    with pytest.raises(GradcheckError, match=r"has shape \(\), but input x has shape \(2,\)"):
        gradcheck(Flat(), [1.0, 2.0])


def test_leaves_weights_and_gradients_as_they_were():
    model = Sequential(Linear(2.0), Sigmoid(), WrongParamGrad())
    params = list(model.parameters())
    params[0].grad = 0.25
    params[1].grad = np.array([1.0, 2.0])
    before = [(p.value, np.copy(p.grad)) for p in params]
    values = [p.value for p in params]
    with pytest.raises(GradcheckError):
        gradcheck(model, [0.5, -0.5])
    for p, (value, grad), original in zip(params, before, values, strict=True):
        assert p.value is original
        np.testing.assert_array_equal(p.value, value)
        np.testing.assert_array_equal(p.grad, grad)
    assert gradcheck(Sequential(Linear(2.0), Sigmoid()), 1.0)


def test_rejects_non_layers():
    with pytest.raises(TypeError, match="gradcheck needs a Layer"):
        gradcheck(lambda x: x, 1.0)
