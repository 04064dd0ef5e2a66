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
    Parameter,
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
        r"^gradcheck failed for WrongInputGrad: the gradient of input x is 2 times too small "
        r"\(backward gives (\S+), finite differences (\S+)\)$",
        message,
    )
    assert found, message
    analytic, numeric = float(found[1]), float(found[2])
    assert numeric == pytest.approx(2 * analytic, rel=1e-5)  # the forgotten factor 2


def test_a_wrong_gradient_of_no_known_pattern_names_the_first_element_and_both_values():
    class Cube(Layer):
        def forward(self, x):
            self.x = x
            return x**3

        def backward(self, grad):
            return grad * (self.x**2 + 1.0)  # should be 3 x**2

    with pytest.raises(GradcheckError) as err:
        gradcheck(Cube(), [0.5, -2.0, 1.5])
    found = re.search(
        r"the gradient of input x at index \(0,\) differs: "
        r"analytic \(from backward\) (\S+), numeric \(finite differences\) (\S+)$",
        str(err.value),
    )
    assert found, str(err.value)
    assert float(found[1]) / float(found[2]) == pytest.approx(1.25 / 0.75, rel=1e-6)


def test_names_the_wrong_parameter_gradient_and_element():
    with pytest.raises(GradcheckError, match=r"parameter 'a' is 2 times too small at every"):
        gradcheck(WrongParamGrad(), [1.0, 2.0])


def test_finds_a_wrong_gradient_inside_a_sequential():
    with pytest.raises(GradcheckError, match=r"layer 1 \(WrongParamGrad\): .* parameter 'a' is"):
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
    WrongSign: r"the gradient of input x has its sign flipped at every element",
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
    assert once == twice and expected == pytest.approx(2 * once, rel=1e-5)


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
        match=r"failed for HalfL1: the gradient of prediction is 3 times too large, exactly the "
        r"batch size \(3\) at every element \(.*\): where the forward takes a mean",
    ):
        gradcheck(HalfL1(), [1.0, -2.0, 0.5], [0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="needs the target"):
        gradcheck(MSELoss(), [1.0])


# -- the usual mistakes, each named by its pattern ------------------------------------


class MeanBias(Layer):
    """y = x + b whose backward takes the mean over the batch where the sum belongs."""

    def __init__(self):
        self.b = Parameter(0.3)

    def forward(self, x):
        return x + self.b.value

    def backward(self, grad):
        self.b.grad += float(np.mean(grad))
        return grad


class TransposedDense(Dense):
    """Dense whose weight gradient is the product in the wrong order."""

    def backward(self, grad):
        self.weight.grad += self.x.T @ grad
        self.bias.grad += grad.sum(axis=0)
        return grad @ self.weight.value


class Unmasked(Layer):
    """ReLU whose backward forgets the mask."""

    def forward(self, x):
        self.x = x
        return np.maximum(x, 0.0)

    def backward(self, grad):
        return grad * 1.0


class ReLUMaskedLeaky(Layer):
    """LeakyReLU whose backward uses ReLU's mask: no gradient where x < 0."""

    def forward(self, x):
        self.x = x
        return np.where(x > 0, x, 0.01 * x)

    def backward(self, grad):
        return grad * (self.x > 0)


X4 = [[0.5, -1.0, 2.0], [1.5, 0.2, -0.3], [-0.7, 0.4, 1.1], [0.9, -1.2, 0.6]]


def test_a_mean_where_the_sum_belongs_is_off_by_exactly_the_batch_size():
    with pytest.raises(
        GradcheckError,
        match=r"parameter 'b' is 4 times too small, exactly the batch size \(4\) \(backward "
        r"gives \S+, finite differences \S+\): a parameter that every sample shares gets the "
        r"sum of the samples' gradients, not their mean",
    ):
        gradcheck(MeanBias(), [1.0, 2.0, 3.0, 4.0])


def test_a_factor_of_two_in_a_batch_of_two_is_not_blamed_on_the_batch():
    with pytest.raises(GradcheckError) as info:
        gradcheck(MeanBias(), [1.0, 2.0])
    assert "2 times too small" in str(info.value) and "batch" not in str(info.value)


def test_a_product_in_the_wrong_order_is_named_transposed():
    with pytest.raises(
        GradcheckError, match=r"parameter 'weight' is the transpose of the right one .* check "
        r"the order of the factors of the matrix product"
    ):  # fmt: skip
        gradcheck(TransposedDense(3, 3, rng=0), X4)


def test_a_gradient_of_the_transposed_shape_is_named_so():
    class Returns_T(Layer):
        def forward(self, x):
            return 2.0 * x

        def backward(self, grad):
            return 2.0 * grad.T

    with pytest.raises(GradcheckError, match=r"shape \(3, 4\), but the input has shape "
                       r"\(4, 3\): the transposed shape"):  # fmt: skip
        gradcheck(Returns_T(), X4)


def test_a_missing_mask_is_named():
    with pytest.raises(
        GradcheckError,
        match=r"backward passes on a gradient for input x where the output does not change with "
        r"it, at 2 of its 4 elements \(first at index \(0,\), where x = -1.5\).*A mask is "
        r"missing",
    ):
        gradcheck(Unmasked(), [-1.5, 0.3, 2.0, -0.2])


def test_no_gradient_where_the_output_changes_is_named():
    with pytest.raises(
        GradcheckError,
        match=r"backward gives no gradient for input x at 2 of its 4 elements \(first at index "
        r"\(0,\), where x = -1.5\), where the output does change with it",
    ):
        gradcheck(ReLUMaskedLeaky(), [-1.5, 0.3, 2.0, -0.2])


def test_a_gradient_wrong_by_a_factor_at_some_elements_only_says_so():
    class Unsloped(ReLUMaskedLeaky):
        def backward(self, grad):
            return grad * 1.0  # right where x > 0, 100 times too large where x < 0

    with pytest.raises(GradcheckError, match=r"input x is 100 times too large at 2 of its 4 "
                       r"elements .* and right at the others"):  # fmt: skip
        gradcheck(Unsloped(), [-1.5, 0.3, 2.0, -0.2])


def test_a_kink_is_reported_along_the_inputs_own_direction():
    """ReLU at 0: slopes 0 and 1, whatever the random weights gradcheck projects the output on."""
    with pytest.raises(GradcheckError) as info:
        gradcheck(ReLU(), [[0.3, 0.0], [-1.0, 2.0]])
    assert re.search(
        r"input x at index \(0, 1\) is at a kink, where the function has no derivative: its "
        r"slope is 0 on the left and 1 on the right, at x = 0\. Check the layer",
        str(info.value),
    ), str(info.value)


@pytest.mark.parametrize("near", [1e-9, -1e-9, 3e-7, -5e-8])
def test_a_smooth_point_next_to_a_kink_is_not_called_one(near):
    assert gradcheck(ReLU(), [near, 1.0, -2.0])
    assert gradcheck(Sequential(Dense(2, 2, rng=0), ReLU()), [[near, 0.5]])


class Noisy(Layer):
    """A forward that draws from numpy's global random state: not repeatable."""

    def forward(self, x):
        return x * np.random.default_rng().uniform(0.5, 1.5, np.shape(x))

    def backward(self, grad):
        return grad


class DropoutLike(Layer):
    """A training-mode dropout that keeps its Generator as an attribute, as the contract asks."""

    def __init__(self, p=0.5, rng=0):
        self.p, self.rng = p, np.random.default_rng(rng)

    def forward(self, x):
        if not self.training:
            return x
        self.mask = (self.rng.random(np.shape(x)) >= self.p) / (1.0 - self.p)
        return x * self.mask

    def backward(self, grad):
        return grad * self.mask if self.training else grad


def test_a_forward_that_is_not_repeatable_is_named_so_not_called_a_kink():
    with pytest.raises(GradcheckError) as info:
        gradcheck(Sequential(Dense(2, 3, rng=0), Noisy()), [[0.5, -1.0]])
    message = str(info.value)
    assert "layer 1 (Noisy): forward is not repeatable" in message
    assert "kink" not in message and "numpy.random.Generator as an attribute" in message


def test_a_layer_that_keeps_its_generator_is_checked_with_its_random_numbers_replayed():
    model = Sequential(Dense(3, 4, rng=0), DropoutLike(rng=1), Tanh())
    state = model[1].rng.bit_generator.state
    assert gradcheck(model, X4)
    assert model[1].rng.bit_generator.state == state  # the caller's random state: untouched

    class WrongDropout(DropoutLike):
        def backward(self, grad):
            return grad  # forgets the mask

    with pytest.raises(GradcheckError, match=r"layer 1 \(WrongDropout\)"):
        gradcheck(Sequential(Dense(3, 4, rng=0), WrongDropout(rng=1)), X4)


class BrokenInPlace(Layer):
    def forward(self, x):
        return 2.0 * x

    def backward(self, grad):
        grad *= 2.0
        return grad


def test_a_backward_that_changes_its_grad_in_place_is_named_inside_nested_models():
    model = Sequential(Sequential(Dense(2, 3, rng=0), BrokenInPlace()), Tanh(), Dense(3, 1, rng=1))
    with pytest.raises(
        GradcheckError,
        match=r"failed for Sequential: layer 0\.1 \(BrokenInPlace\): backward changed the "
        r"gradient it was given in place",
    ):
        gradcheck(model, [[0.5, -1.0]])
    deeper = Sequential(Tanh(), Sequential(Tanh(), Sequential(Dense(2, 2, rng=2), WrongSign())))
    with pytest.raises(GradcheckError, match=r"layer 1\.1\.1 \(WrongSign\): .* sign flipped"):
        gradcheck(deeper, [[0.5, -1.0]])


class Counting(Layer):
    """y = w * x with a running count (a buffer) and a cache: what gradcheck must leave alone."""

    buffers = ("seen",)

    def __init__(self):
        self.w = Parameter(np.array([1.5, -0.5], dtype=np.float32), dtype=np.float32)
        self.seen = np.zeros(2, dtype=np.float32)
        self.rng = np.random.default_rng(3)

    def forward(self, x):
        self.x = x
        self.seen = self.seen + 1.0
        self.rng.random()
        return self.w.value * x

    def backward(self, grad):
        self.w.grad += np.sum(grad * self.x, axis=0)
        return grad * self.w.value


def test_the_model_is_left_exactly_as_it_was():
    model = Sequential(Counting(), Tanh()).eval()
    model(np.array([[1.0, 2.0]], dtype=np.float32))  # a forward cache, a count, random numbers
    model[0].w.grad = np.array([0.25, 4.0], dtype=np.float32)
    before = {
        "state": model.state_dict(),
        "grad": model[0].w.grad.copy(),
        "rng": model[0].rng.bit_generator.state,
        "x": model[0].x.copy(),
        "training": [layer.training for layer in model],
        "dtypes": (model[0].w.dtype, model[0].w.grad.dtype, model.dtype),
    }
    assert gradcheck(model, [[0.5, -1.0], [1.5, 0.2]])
    assert before["state"].keys() == model.state_dict().keys()
    for name, value in before["state"].items():
        np.testing.assert_array_equal(model.state_dict()[name], value)
    np.testing.assert_array_equal(model[0].w.grad, before["grad"])
    assert model[0].rng.bit_generator.state == before["rng"]
    np.testing.assert_array_equal(model[0].x, before["x"])
    assert [layer.training for layer in model] == before["training"]
    assert (model[0].w.dtype, model[0].w.grad.dtype, model.dtype) == before["dtypes"]


def test_a_float32_model_is_checked_in_float64():
    """In float32, finite differences with eps = 1e-6 would be noise; the copy is float64."""
    model = Sequential(Dense(3, 4, rng=0), Tanh(), Dense(4, 2, rng=1)).to(np.float32)
    assert gradcheck(model, X4)
    assert model[0].weight.dtype == np.float32
    broken = Sequential(Dense(3, 3, rng=0), TransposedDense(3, 3, rng=1)).to(np.float32)
    with pytest.raises(GradcheckError, match="transpose"):
        gradcheck(broken, X4)


def test_a_layer_that_cannot_be_copied_is_refused_in_words():
    import threading

    class Locked(Linear):
        def __init__(self):
            super().__init__(1.0)
            self.lock = threading.Lock()

    with pytest.raises(TypeError, match="gradcheck checks a copy of Locked, and copying it failed"):
        gradcheck(Locked(), 1.0)
