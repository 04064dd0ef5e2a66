"""gradcheck finds wrong gradients and leaves the layer as it found it."""

import re

import numpy as np
import pytest
from support import (
    Assigns,
    ForgetsToSum,
    NoReturn,
    WipesGradient,
    WipesInput,
    WrongInputGrad,
    WrongParamGrad,
    WrongShape,
    WrongSign,
)

from nanonet import (
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    Dense,
    GradcheckError,
    Layer,
    Linear,
    Loss,
    MSELoss,
    ReLU,
    Sequential,
    Sigmoid,
    Tanh,
    gradcheck,
)


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
    with pytest.raises(GradcheckError, match=r"layer 1 \(WrongParamGrad\): .* parameter 'a' at"):
        gradcheck(Sequential(Linear(1.0), WrongParamGrad()), [1.0, 2.0])


def test_returns_false_instead_of_raising_when_asked():
    assert gradcheck(WrongInputGrad(), 1.5, raise_exception=False) is False


def test_reports_a_gradient_of_the_wrong_shape():
    class Flat(Layer):
        def forward(self, x):
            return x

        def backward(self, grad):
            return float(np.sum(grad))

    with pytest.raises(
        GradcheckError, match=r"gradient of shape \(\), but the input has shape \(2,\)"
    ):
        gradcheck(Flat(), [1.0, 2.0])


def test_leaves_weights_and_gradients_as_they_were():
    model = Sequential(Linear(2.0), Sigmoid(), WrongParamGrad())
    params = list(model.parameters())
    params[0].grad = 0.25
    params[1].grad = np.array([1.0, 2.0])
    before = [(np.copy(p.value), np.copy(p.grad)) for p in params]
    values = [p.value for p in params]
    with pytest.raises(GradcheckError):
        gradcheck(model, [0.5, -0.5])
    for p, (value, grad), original in zip(params, before, values, strict=True):
        assert p.value is original  # the parameter keeps its own array ...
        np.testing.assert_array_equal(p.value, value)  # ... with exactly its numbers
        np.testing.assert_array_equal(p.grad, grad)
    assert gradcheck(Sequential(Linear(2.0), Sigmoid()), 1.0)


def test_rejects_non_layers():
    with pytest.raises(TypeError, match="gradcheck needs a Layer"):
        gradcheck(lambda x: x, 1.0)


# -- the habits that break layers, each named in the user's terms ---------------------


HABITS = {
    WrongSign: r"the gradient of input x at index \(0,\) differs: analytic",
    Assigns: r"backward assigns the gradient of parameter 'w' instead of adding to it: .* "
    r"write `self.w.grad \+= ...`, not `= ...`",
    WipesInput: "forward changed its input array in place",
    WipesGradient: "backward changed the gradient it was given in place",
    NoReturn: r"backward returned None: did you forget `return`\?",
    WrongShape: r"backward returned a gradient of shape \(1,\), but the input has shape \(2,\)",
    ForgetsToSum: r"the gradient of the parameter 'w' has shape \(2,\), but the parameter has "
    r"shape \(\) \(a batch's gradients must be summed\)",
}


@pytest.mark.parametrize("broken", HABITS, ids=lambda cls: cls.__name__)
def test_a_broken_layer_is_told_which_habit_broke_it(broken):
    with pytest.raises(GradcheckError, match=f"failed for {broken.__name__}: {HABITS[broken]}"):
        gradcheck(broken(), [0.5, -1.0])


@pytest.mark.parametrize("broken", HABITS, ids=lambda cls: cls.__name__)
def test_inside_a_sequential_the_broken_layer_is_named_by_index_and_class(broken):
    model = Sequential(Linear(1.5), Sigmoid(), broken(), Linear(0.5))
    message = f"failed for Sequential: layer 2 \\({broken.__name__}\\): {HABITS[broken]}"
    with pytest.raises(GradcheckError, match=message):
        gradcheck(model, [0.5, -1.0])


def test_the_assign_habit_reports_both_numbers():
    with pytest.raises(GradcheckError) as info:
        gradcheck(Assigns(), 1.0)
    found = re.search(
        r"it is (\S+) after one backward pass and (\S+) after two, not (\S+)\.", str(info.value)
    )
    assert found, str(info.value)
    once, twice, expected = map(float, found.groups())
    assert once == twice and expected == pytest.approx(2 * once)


def test_a_kink_is_named_as_such():
    with pytest.raises(GradcheckError, match=r"input x at index \(0,\) is at a kink, where the "
                       r"function has no derivative: its slope is 0 on the left"):  # fmt: skip
        gradcheck(ReLU(), [0.0, 1.0])
    assert gradcheck(ReLU(), [0.3, -1.0])  # away from the kink all is well


NEW_LAYERS = {
    "Tanh": (Tanh(), [[-2.0, 0.1], [0.7, 3.0]]),
    "ReLU": (ReLU(), [-1.5, 0.2, 2.0]),
    "Dense": (Dense(3, 2, rng=0), np.ones((4, 3))),
    "Dense without bias, one sample": (Dense(3, 2, bias=False, rng=1), [0.5, -1.0, 2.0]),
    "a small network": (Sequential(Dense(2, 3, rng=2), Tanh(), Dense(3, 1, rng=3)), [[0.1, -0.2]]),
}


@pytest.mark.parametrize("layer, x", NEW_LAYERS.values(), ids=NEW_LAYERS)
def test_the_new_layers_pass(layer, x):
    assert gradcheck(layer, x)


LOSSES = {
    "MSELoss": (MSELoss(), [0.5, -1.0], [0.0, 2.0]),
    "MSELoss, one sample": (MSELoss(), 0.3, 0.7),
    "CrossEntropyLoss": (CrossEntropyLoss(), [[1.0, 2.0, 3.0], [0.0, -1.0, 0.5]], [2, 0]),
    "CrossEntropyLoss, one sample": (CrossEntropyLoss(), [0.2, -0.3], 1),
    "BCEWithLogitsLoss": (BCEWithLogitsLoss(), [-3.0, 0.5, 4.0], [0.0, 1.0, 0.3]),
}


@pytest.mark.parametrize("loss_fn, prediction, target", LOSSES.values(), ids=LOSSES)
def test_losses_pass(loss_fn, prediction, target):
    assert gradcheck(loss_fn, prediction, target)


def test_a_wrong_loss_gradient_is_caught():
    class HalfL1(Loss):
        def forward(self, prediction, target):
            self.diff = prediction - target
            return float(np.mean(np.abs(self.diff)))

        def backward(self):
            return np.sign(self.diff)  # forgot to divide by N

    with pytest.raises(
        GradcheckError,
        match=r"failed for HalfL1: the gradient of prediction at index \(0,\) differs",
    ):
        gradcheck(HalfL1(), [1.0, -2.0], [0.0, 0.0])
    with pytest.raises(ValueError, match="needs the target"):
        gradcheck(MSELoss(), [1.0])
