"""Bad input and misuse: a precise exception, and the model's weights untouched."""

import math

import numpy as np
import pytest

from nanonet import (
    SGD,
    Adam,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    Dense,
    Layer,
    Linear,
    MSELoss,
    Parameter,
    ReLU,
    Sequential,
    Sigmoid,
    accuracy,
    batches,
)

NON_NUMERIC = ["abc", None, object(), 1 + 2j, [1.0, "a"], np.array([1 + 1j]), {"x": 1}]


def weights(model):
    return [p.value for p in model.parameters()]


@pytest.mark.parametrize("bad", NON_NUMERIC, ids=repr)
@pytest.mark.parametrize("kind", ["Linear", "Sigmoid", "Sequential"])
def test_layers_reject_non_numeric_input(two_node, kind, bad):
    layer = {"Linear": Linear(1.0), "Sigmoid": Sigmoid(), "Sequential": two_node()}[kind]
    before = weights(layer)
    with pytest.raises(TypeError, match=r"input of (Linear|Sigmoid|Sequential) must"):
        layer(bad)
    assert weights(layer) == before


def test_ragged_input_is_a_value_error():
    with pytest.raises(ValueError, match="input of Linear must be a rectangular array"):
        Linear(1.0)([[1.0, 2.0], [3.0]])


@pytest.mark.parametrize(
    "bad", [b for b in NON_NUMERIC if b is not None] + [True, np.array([1.0, 2.0])], ids=repr
)
def test_linear_rejects_a_non_numeric_weight(bad):  # (None asks for a random weight)
    with pytest.raises(TypeError, match="weight must be a real number"):
        Linear(bad)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_linear_rejects_a_non_finite_weight(bad):
    with pytest.raises(ValueError, match="must be finite"):
        Linear(bad)


@pytest.mark.parametrize("bad", NON_NUMERIC, ids=repr)
def test_loss_rejects_non_numeric_prediction_and_target(bad):
    with pytest.raises(TypeError, match="prediction must"):
        MSELoss()(bad, 0.7)
    with pytest.raises(TypeError, match="target must"):
        MSELoss()(0.5, bad)


@pytest.mark.parametrize(
    "prediction, target",
    [
        (np.zeros(3), np.zeros(4)),
        (np.zeros((2, 2)), np.zeros(4)),
        (0.5, [0.5, 0.5]),
        (np.zeros(2), [[0.0, 0.0]]),
    ],
)
def test_loss_rejects_a_target_that_fits_neither_the_prediction_nor_a_scalar(prediction, target):
    with pytest.raises(ValueError, match="target must have the shape of the prediction"):
        MSELoss()(prediction, target)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_loss_rejects_non_finite_predictions_and_targets(bad):
    with pytest.raises(ValueError, match="prediction must be finite, but it is"):
        MSELoss()(bad, 0.7)
    with pytest.raises(ValueError, match="target must be finite"):
        MSELoss()(0.5, bad)
    with pytest.raises(
        ValueError, match=r"prediction must be finite, but 1 of its 3 elements .* index \(1,\)"
    ):
        MSELoss()(np.array([0.0, bad, 1.0]), 0.7)
    with pytest.raises(ValueError, match="target must be finite"):
        MSELoss()(np.zeros(3), np.array([0.0, 0.0, bad]))


def test_loss_rejects_an_empty_prediction():
    with pytest.raises(ValueError, match="prediction must not be an empty array"):
        MSELoss()(np.zeros(0), 0.7)


def test_failed_loss_keeps_the_previous_gradient():
    loss_fn = MSELoss()
    loss_fn(0.5, 0.7)
    with pytest.raises(ValueError):
        loss_fn(math.nan, 0.7)
    assert loss_fn.backward() == pytest.approx(-0.2)


@pytest.mark.parametrize(
    "bad", [[Linear(1.0), "layer"], [lambda x: x], [Parameter(1.0)], [MSELoss()]]
)
def test_sequential_takes_only_layers(bad):
    with pytest.raises(TypeError, match="Sequential takes Layers, but argument"):
        Sequential(*bad)


def test_sequential_refuses_one_layer_object_at_two_places(two_node):
    """`act = Sigmoid()` used twice: its second forward overwrites what the first kept for
    backward, so the gradients would be silently wrong (gradcheck fails on such a model)."""
    act, weight = Sigmoid(), Linear(2.0)
    with pytest.raises(ValueError, match=r"same Sigmoid object at two places, layer 1 and layer 3"):
        Sequential(weight, act, Linear(1.0), act, Linear(0.5))
    with pytest.raises(ValueError, match=r"same Linear object at two places, layer 0 and layer 2"):
        Sequential(weight, Sigmoid(), weight)
    # inside a nested Sequential too, named by its path as in the parameters' names
    with pytest.raises(
        ValueError, match=r"same Sigmoid object at two places, layer 0\.1 and layer 1"
    ):
        Sequential(Sequential(Linear(1.0), act), act)
    with pytest.raises(ValueError, match=r"Create one layer for each place \(two Sigmoid layers\)"):
        Sequential(act, act)
    # two layers of the same class are of course fine, and so is reusing a model's layers
    # in a new Sequential once the old one is no longer used
    model = two_node()
    assert len(Sequential(*model)) == 5


def test_a_layer_may_hold_one_sublayer_under_two_names(two_node):
    """An alias inside a user's layer is that layer's business, not a second place."""

    class Wrapper(Layer):
        def __init__(self, inner):
            self.inner, self.first = inner, inner[0]  # `first` is an alias into `inner`

        def forward(self, x):
            return self.inner.forward(x)

        def backward(self, grad):
            return self.inner.backward(grad)

    model = Sequential(Wrapper(two_node()), Linear(1.0))
    assert model(2.0) == pytest.approx(two_node()(2.0))


@pytest.mark.parametrize("bad", [[1.0, 2.0], ["w"], [Linear(1.0)], [(1, Parameter(1.0))]], ids=repr)
def test_sgd_takes_only_parameters(bad):
    with pytest.raises(TypeError, match="SGD expects Parameters, but item"):
        SGD(bad, lr=0.1)


@pytest.mark.parametrize("bad", [Parameter(1.0), 3.0, None, Linear(1.0)], ids=repr)
def test_sgd_needs_an_iterable_of_parameters(bad):
    with pytest.raises(TypeError, match="SGD expects an iterable of Parameters"):
        SGD(bad, lr=0.1)


def test_sgd_rejects_empty_and_repeated_parameters():
    with pytest.raises(ValueError, match="empty"):
        SGD([], lr=0.1)
    p = Parameter(1.0)
    with pytest.raises(ValueError, match="the same Parameter twice"):
        SGD([p, p], lr=0.1)


@pytest.mark.parametrize("lr", [0.0, -0.1, math.nan, math.inf, -math.inf])
def test_sgd_rejects_a_learning_rate_that_is_not_finite_and_positive(lr):
    with pytest.raises(ValueError, match="lr must be a finite positive number"):
        SGD([Parameter(1.0)], lr=lr)


@pytest.mark.parametrize("lr", ["0.1", None, True, [0.1], 1j])
def test_sgd_rejects_a_non_numeric_learning_rate(lr):
    with pytest.raises(TypeError, match="lr must be a real number"):
        SGD([Parameter(1.0)], lr=lr)


@pytest.mark.parametrize("kind, cached", [("Linear", "x"), ("Sigmoid", "s")])
def test_a_bare_layers_backward_before_forward_names_the_missing_value(kind, cached):
    layer = {"Linear": Linear(1.0), "Sigmoid": Sigmoid()}[kind]
    with pytest.raises(AttributeError, match=f"'{kind}' object has no attribute '{cached}'"):
        layer.backward(1.0)
    assert all(p.grad == 0.0 for p in layer.parameters())


def test_a_models_backward_before_forward_is_a_runtime_error(two_node):
    model = two_node()
    with pytest.raises(RuntimeError, match=r"needs a forward pass first: call model\(x\)"):
        model.backward(1.0)
    assert all(p.grad == 0.0 for p in model.parameters())


def test_loss_backward_before_forward_says_so():
    with pytest.raises(AttributeError, match=r"call loss_fn\(prediction, target\) before"):
        MSELoss().backward()


@pytest.mark.parametrize("grad", [np.ones(2), [1.0, 2.0, 3.0]], ids=["short", "long"])
def test_backward_with_a_gradient_of_the_wrong_shape_changes_nothing(two_node, grad):
    model = two_node()
    model([1.0, 2.0, 3.0]) if len(grad) == 2 else model(1.0)
    with pytest.raises(ValueError, match=r"must have the shape of the model's output"):
        model.backward(grad)
    assert all(np.all(p.grad == 0.0) for p in model.parameters())


@pytest.mark.parametrize("bad", ["g", None, object()], ids=repr)
def test_backward_rejects_a_non_numeric_gradient(two_node, bad):
    model = two_node()
    model(1.0)
    with pytest.raises(TypeError, match=r"grad given to Sequential.backward\(\)"):
        model.backward(bad)
    assert all(p.grad == 0.0 for p in model.parameters())


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_sgd_step_never_writes_a_non_finite_weight(two_node, bad):
    model = two_node()
    optimizer = SGD(model.named_parameters(), lr=0.1)
    params = list(model.parameters())
    for p in params:
        p.grad = 0.5
    params[1].grad = bad  # the middle one: the first is updated before it is seen
    with pytest.raises(FloatingPointError, match=r"gradient of parameter '2.weight' is not finite"):
        optimizer.step()
    assert weights(model) == [2.0, 1.0, 0.5]


def test_sgd_step_names_an_unnamed_parameter_by_position_and_reports_overflow():
    a, b = Parameter(1.0), Parameter([1e308, 0.0])
    b.grad = np.array([-1e308, 0.0])
    with pytest.raises(FloatingPointError, match="update of parameter 1 overflows"):
        SGD([a, b], lr=10.0).step()
    assert a.value == 1.0 and b.value[0] == 1e308


def test_sgd_step_rejects_a_gradient_of_the_wrong_shape():
    class Forgetful(Layer):
        """A user layer that forgets to sum its weight gradient over the batch."""

        def __init__(self):
            self.w = Parameter(1.0)

        def forward(self, x):
            self.x = x
            return self.w.value * x

        def backward(self, grad):
            self.w.grad = self.w.grad + grad * self.x  # an array, not a number
            return grad * self.w.value

    layer = Forgetful()
    layer(np.array([1.0, 2.0]))
    layer.backward(np.ones(2))
    with pytest.raises(
        ValueError,
        match=r"gradient of parameter 'w' has shape \(2,\), but its value has shape \(\)",
    ):
        SGD(layer.named_parameters(), lr=0.1).step()
    assert layer.w.value == 1.0


def test_a_diverging_training_is_stopped_at_the_first_infinite_loss_and_named():
    """The issue's example: y = w * x with x = 10 and lr = 1.5 grows w 150-fold per step."""
    model = Sequential(Linear(1.0))
    loss_fn, optimizer = MSELoss(), SGD(model.parameters(), lr=1.5)
    losses = []
    with pytest.raises(FloatingPointError) as info:
        for _ in range(1000):
            losses.append(loss_fn(model(10.0), 0.0))
            optimizer.zero_grad()
            model.backward(loss_fn.backward())
            optimizer.step()
    message = str(info.value)
    assert (
        "the training is diverging" in message and "Lower the optimizer's learning rate" in message
    )
    assert "MSELoss is inf" in message
    assert all(math.isfinite(loss) for loss in losses) and len(losses) < 80
    assert math.isfinite(model[0].weight.value)


def test_a_non_finite_gradient_names_the_parameter_and_the_learning_rate(two_node):
    model = two_node()
    optimizer = SGD(model.parameters(), lr=1.5)  # parameters(), not named_parameters()
    model[2].weight.grad = math.inf
    with pytest.raises(FloatingPointError) as info:
        optimizer.step()
    message = str(info.value)
    assert "the gradient of parameter '2.weight' is not finite" in message
    assert "lower the learning rate first (it is lr=1.5)" in message
    assert weights(model) == [2.0, 1.0, 0.5]  # exactly: no parameter was updated


# -- a classifier: bad labels, targets and inputs are refused, the weights untouched --------


X = np.array([[0.5, -1.0], [1.0, 2.0], [-0.3, 0.1]])
BAD_STEPS = {
    "float labels": (
        CrossEntropyLoss,
        X,
        np.array([0.0, 1.0, 2.0]),
        TypeError,
        "integer class labels",
    ),
    "label out of range": (
        CrossEntropyLoss,
        X,
        np.array([0, 1, 3]),
        ValueError,
        "from 0 to 2 .* got 3",
    ),
    "negative label": (CrossEntropyLoss, X, np.array([0, -1, 2]), ValueError, "got -1"),
    "too few labels": (CrossEntropyLoss, X, np.array([0, 1]), ValueError, "one label per sample"),
    "NaN input": (
        CrossEntropyLoss,
        np.array([[np.nan, 0.0]] * 3),
        np.array([0, 1, 2]),
        ValueError,
        "prediction must be finite",
    ),  # fmt: skip
    "wrong width": (
        CrossEntropyLoss,
        np.ones((3, 5)),
        np.array([0, 1, 2]),
        ValueError,
        "takes samples of 2 features",
    ),  # fmt: skip
    "BCE target above 1": (BCEWithLogitsLoss, X, np.full((3, 3), 2.0), ValueError, "0 or 1"),
    "BCE target shape": (BCEWithLogitsLoss, X, np.ones(3), ValueError, "one target per logit"),
    "BCE NaN target": (BCEWithLogitsLoss, X, np.full((3, 3), np.nan), ValueError, "0 or 1"),
}


@pytest.mark.parametrize("loss, x, target, error, message", BAD_STEPS.values(), ids=BAD_STEPS)
def test_a_classifier_refuses_bad_data_and_keeps_its_weights(loss, x, target, error, message):
    model = Sequential(Dense(2, 4, rng=0), ReLU(), Dense(4, 3, rng=1))
    optimizer = Adam(model.parameters(), lr=0.1)
    before = {name: value.copy() for name, value in model.state_dict().items()}
    loss_fn = loss()
    with pytest.raises(error, match=message):
        loss_fn(model(x), target)
        optimizer.zero_grad()
        model.backward(loss_fn.backward())
        optimizer.step()
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(value, before[name])  # exactly: untouched
    assert optimizer.state == [{}, {}, {}, {}]


def test_batches_and_accuracy_name_the_problem():
    with pytest.raises(ValueError, match="same number of samples, got 3 and 2"):
        list(batches(X, np.array([0, 1]), 2))
    with pytest.raises(ValueError, match=r"labels must have shape \(3,\)"):
        accuracy(np.zeros((3, 2)), [0, 1])
