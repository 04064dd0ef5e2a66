"""Bad input and misuse, from one table: a precise exception, and nothing changed.

Each case runs an action on two fresh models, the chapter's two-node network and
a small classifier, with an SGD and an Adam optimizer. It must raise exactly the
documented exception type, with a message that names what was wrong in the
user's terms, from nanonet's own code (never a bare error from deep inside
numpy), and must leave every weight of both models exactly as it was. (An
optimizer's own state may hold a step that failed, as its docstring says.)
"""

import math
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from support import ForgetsToSum, Returns, SumsOverBatch, Transposes

import nanonet
from nanonet import (
    SGD,
    Adam,
    BatchNorm1d,
    BatchNorm2d,
    BCEWithLogitsLoss,
    Conv2d,
    CosineAnnealingLR,
    CrossEntropyLoss,
    Dense,
    Dropout,
    ExponentialLR,
    Flatten,
    History,
    Layer,
    Linear,
    MaxPool2d,
    MSELoss,
    Optimizer,
    Parameter,
    ReLU,
    Sequential,
    Sigmoid,
    StepLR,
    Tanh,
    accuracy,
    batches,
    draw,
    gradcheck,
    init,
    load,
    save,
    summary,
    trace,
)
from nanonet.datasets import xor

NANONET_DIR = Path(nanonet.__file__).parent

NON_NUMERIC = {
    "str": "1.0",
    "None": None,
    "object": object(),
    "complex": 1 + 2j,
    "bytes": b"1",
    "dict": {"x": 1.0},
    "set": {1.0},
    "Decimal": Decimal("1.5"),
    "list with str": [1.0, "a"],
    "list with None": [1.0, None],
    "complex array": np.array([1 + 1j]),
    "str array": np.array(["a", "b"]),
    "object array": np.array([object()], dtype=object),
    "datetime array": np.array(["2026-01-01"], dtype="datetime64[D]"),
    "numpy complex": np.complex128(1j),
    "numpy str": np.str_("a"),
    "a Layer": Linear(1.0),
    "a Parameter": Parameter(1.0),
}
NON_FINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}
X = np.array([[0.5, -1.0], [1.0, 2.0], [-0.3, 0.1]])  # three samples for the classifier

CASES = []  # (id, action(m), exception type, message pattern)


def case(name, action, error, pattern):
    CASES.append(pytest.param(action, error, pattern, id=name))


def after_forward(model, x=1.0):
    model(x)
    return model


def with_grads(m, grad, index=1):
    """m.sgd, with the two-node network's gradients 0.5 but parameter ``index``'s ``grad``."""
    for p in m.net.parameters():
        p.grad = 0.5
    list(m.net.parameters())[index].grad = grad
    return m.sgd


def step(model, optimizer, loss_fn, x, target):
    """One training step, as the docs write it."""
    loss_fn(model(x), target)
    optimizer.zero_grad()
    model.backward(loss_fn.backward())
    optimizer.step()


class Returning(Optimizer):
    """An optimizer whose update returns ``what(value)``: a user's broken update."""

    def __init__(self, parameters, what):
        super().__init__(parameters, lr=0.1)
        self.what = what

    def update(self, value, grad, state):
        return self.what(value)


# -- values that are not numbers, wherever a value enters ---------------------------------

for label, bad in NON_NUMERIC.items():
    case(f"model input {label}", lambda m, b=bad: m.net(b), TypeError, "input of Sequential")
    case(f"Linear input {label}", lambda m, b=bad: m.net[0](b), TypeError, "input of Linear")
    case(f"Sigmoid input {label}", lambda m, b=bad: m.net[1](b), TypeError, "input of Sigmoid")
    case(
        f"grad given to backward {label}",
        lambda m, b=bad: after_forward(m.net).backward(b),
        TypeError,
        r"grad given to Sequential.backward\(\)",
    )
    case(f"MSELoss prediction {label}", lambda m, b=bad: MSELoss()(b, 0.7), TypeError, "prediction")
    case(f"MSELoss target {label}", lambda m, b=bad: MSELoss()(m.net(2.0), b), TypeError, "target")
    case(f"gradcheck x {label}", lambda m, b=bad: gradcheck(m.net, b), TypeError, "x must")
    case(
        f"load_state_dict value {label}",
        lambda m, b=bad: m.net.load_state_dict({**m.net.state_dict(), "2.weight": b}),
        ValueError,
        "'2.weight': Parameter value must",
    )
    case(f"Parameter {label}", lambda m, b=bad: Parameter(b), TypeError, "Parameter value")
    case(f"trace x {label}", lambda m, b=bad: trace(m.net, b, 0.7), TypeError, "x must")
    case(f"trace target {label}", lambda m, b=bad: trace(m.net, 2.0, b), TypeError, "target must")
    case(
        f"History.record loss {label}",
        lambda m, b=bad: History(m.net).record(b),
        TypeError,
        "loss must",
    )
    case(
        f"History.record output {label}",
        lambda m, b=bad: History(m.net).record(0.5, output=object() if b is None else b),
        TypeError,
        "output must",
    )
    if not isinstance(bad, (list, np.ndarray)):
        case(f"SGD lr {label}", lambda m, b=bad: SGD(m.net.parameters(), b), TypeError, "lr must")
        for option in ("eps", "atol", "rtol"):
            case(
                f"gradcheck {option} {label}",
                lambda m, b=bad, o=option: gradcheck(m.net, 1.0, **{o: b}),
                TypeError,
                f"{option} must",
            )
    if bad is not None and not isinstance(bad, (Layer, Parameter)):
        case(f"Linear weight {label}", lambda m, b=bad: Linear(b), TypeError, "weight must")
        case(f"Linear rng {label}", lambda m, b=bad: Linear(rng=b), TypeError, "rng must")
        case(
            f"Sequential layer {label}",
            lambda m, b=bad: Sequential(Linear(1.0), b),
            TypeError,
            "Sequential takes Layers, but argument 1",
        )
        case(
            f"SGD parameters {label}",
            lambda m, b=bad: SGD([Parameter(1.0), b], lr=0.1),
            TypeError,
            "but item 1",
        )
        if not isinstance(bad, dict):
            case(
                f"load_state_dict state {label}",
                lambda m, b=bad: m.net.load_state_dict(b),
                TypeError,
                "state must be a mapping",
            )
        for tool, call in {
            "save model": lambda m, b: save(b, m.tmp / "w.npz"),
            "load model": lambda m, b: load(b, m.tmp / "w.npz"),
            "gradcheck layer": lambda m, b: gradcheck(b, 1.0),
            "trace model": lambda m, b: trace(b, 1.0, 1.0),
            "History model": lambda m, b: History(b),
        }.items():
            what = tool.split()[0]
            needs = "a Layer or a Loss" if what == "gradcheck" else "a Layer"
            case(
                f"{tool} {label}",
                lambda m, b=bad, c=call: c(m, b),
                TypeError,
                f"{what} needs {needs}",
            )
        if not isinstance(bad, (str, np.str_)):
            case(f"save path {label}", lambda m, b=bad: save(m.net, b), TypeError, "path must")
            case(f"load path {label}", lambda m, b=bad: load(m.net, b), TypeError, "path must")

# -- numbers that are not finite -----------------------------------------------------------

for label, bad in NON_FINITE.items():
    case(f"Linear weight {label}", lambda m, b=bad: Linear(b), ValueError, "must be finite")
    case(f"Parameter {label}", lambda m, b=bad: Parameter([1.0, b]), ValueError, "must be finite")
    case(
        f"MSELoss prediction {label}",
        lambda m, b=bad: MSELoss()(np.array([0.5, b]), 0.7),
        ValueError,
        r"prediction must be finite, but 1 of its 2 elements .* index \(1,\)",
    )
    case(
        f"MSELoss prediction number {label}",
        lambda m, b=bad: MSELoss()(b, 0.7),
        ValueError,
        "prediction must be finite, but it is",
    )
    case(
        f"MSELoss target {label}",
        lambda m, b=bad: MSELoss()(m.net(2.0), b),
        ValueError,
        "target must be finite",
    )
    case(f"trace target {label}", lambda m, b=bad: trace(m.net, 2.0, b), ValueError, "finite")
    case(
        f"SGD lr {label}",
        lambda m, b=bad: SGD(m.net.parameters(), lr=b),
        ValueError,
        "lr must be a finite",
    )
    case(
        f"SGD step gradient {label}",
        lambda m, b=bad: with_grads(m, b).step(),
        FloatingPointError,
        r"gradient of parameter '2.weight' is not finite.* \(it is lr=0.1\); no parameter was",
    )
    case(
        f"SGD step gradient, unnamed parameter {label}",
        lambda m, b=bad: [setattr(m.net[2].weight, "grad", b), SGD(m.net.parameters(), 1.5).step()],
        FloatingPointError,
        r"gradient of parameter 1 \(shape \(\)\) is not finite",
    )
    case(
        f"Adam step array gradient {label}",
        lambda m, b=bad: [setattr(m.clf[0].weight, "grad", np.full((4, 2), b)), m.adam.step()],
        FloatingPointError,
        r"gradient of parameter 0 \(shape \(4, 2\)\) is not finite",
    )
    case(
        f"gradcheck eps {label}",
        lambda m, b=bad: gradcheck(m.net, 1.0, eps=b),
        ValueError,
        "eps must be",
    )
    case(
        f"load_state_dict {label}",
        lambda m, b=bad: m.net.load_state_dict({**m.net.state_dict(), "0.weight": b}),
        ValueError,
        "'0.weight': Parameter value must be finite",
    )
    case(
        f"assigning a parameter's value {label}",
        lambda m, b=bad: setattr(m.net[0].weight, "value", b),
        ValueError,
        "Parameter value must be finite",
    )

for label, lr in {"negative": -0.1, "bool": True}.items():
    error = TypeError if isinstance(lr, bool) else ValueError
    case(f"SGD lr {label}", lambda m, lr=lr: SGD(m.net.parameters(), lr=lr), error, "lr must be")
for label, eps in {"zero": 0.0, "negative": -1e-6}.items():
    case(f"gradcheck eps {label}", lambda m, e=eps: gradcheck(m.net, 1.0, eps=e), ValueError, "eps")
case("gradcheck rtol negative", lambda m: gradcheck(m.net, 1.0, rtol=-1.0), ValueError, "rtol must")
case(
    "an optimizer's setting",
    lambda m: SGD(m.net.parameters(), lr=0.1, momentum=-0.5),
    ValueError,
    "momentum must be a finite non-negative",
)
case("Adam betas", lambda m: Adam(m.net.parameters(), betas=(0.9, 1.0)), ValueError, r"in \[0, 1\)")

# -- shapes that do not fit ------------------------------------------------------------------

SHAPES = {
    "batch for a scalar": (1.0, np.ones(3)),
    "scalar for a batch": (np.ones(3), 1.0),
    "short batch": (np.ones(3), np.ones(2)),
    "transposed": (np.ones((2, 3)), np.ones((3, 2))),
    "extra axis": (np.ones(3), np.ones((3, 1))),
}
for label, (x, grad) in SHAPES.items():
    case(
        f"grad given to backward, {label}",
        lambda m, x=x, g=grad: after_forward(m.net, x).backward(g),
        ValueError,
        r"grad given to Sequential.backward\(\) must have the shape of the model's output",
    )
    case(
        f"MSELoss target, {label}",
        lambda m, x=x, g=grad: MSELoss()(m.net(x), g if np.ndim(g) else [g, g]),
        ValueError,
        "target must have the shape",
    )
case(
    "trace target shape",
    lambda m: trace(m.net, [1.0, 2.0], [1.0, 2.0, 3.0]),
    ValueError,
    "target must have the shape",
)
# -- names for the tools' values and parameters ---------------------------------------------

NAMED = {
    "trace": lambda m, **names: trace(m.net, 2.0, 0.7, **names),
    "draw": lambda m, **names: draw(m.net, 2.0, **names),
}
for tool, call in NAMED.items():
    case(
        f"{tool} labels not a dict",
        lambda m, c=call: c(m, labels=["w0", "w1", "w2"]),
        TypeError,
        r"labels must be a dict from parameter names to labels, such as \{'0.weight': 'w0'\}",
    )
    case(
        f"{tool} labels for a parameter the model lacks",
        lambda m, c=call: c(m, labels={"w0": "w0"}),
        ValueError,
        "labels names 'w0', which the model does not have; its parameters are: 0.weight, ",
    )
    case(
        f"{tool} two parameters, one label",
        lambda m, c=call: c(m, labels={"0.weight": "w", "4.weight": "w"}),
        ValueError,
        "'0.weight' and '4.weight' are both 'w'",
    )
    case(
        f"{tool} value_names one short",
        lambda m, c=call: c(m, value_names=["s0", "x1", "s1", "x2", "s2"]),
        ValueError,
        "value_names must hold 6 names, one for the input",
    )
    case(
        f"{tool} names and value_names",
        lambda m, c=call: c(m, value_names=["a"] * 6, names=["a"] * 6),
        TypeError,
        "give value_names only: names is its old spelling",
    )
case("draw units not a bool", lambda m: draw(m.clf, units=1), TypeError, "units must be True")
case(
    "draw units for a chain of single weights",
    lambda m: draw(m.net, units=True),
    ValueError,
    "cannot draw this network unit by unit: it has no Dense layer",
)
case(
    "draw units for one image through a CNN",
    lambda m: draw(
        Sequential(Conv2d(1, 2, 3), Flatten(), Dense(72, 2)), IMAGES[:1, :1], units=True
    ),
    ValueError,
    r"unit by unit: layer 0 \(Conv2d\) has parameters but is not a Dense layer",
)
case(
    "draw units for a batch",
    lambda m: draw(m.clf, X, units=True),
    ValueError,
    r"x holds several samples \(shape \(3, 2\)\): give one",
)
case(
    "a loss for labels, without check_target",
    lambda m: MSELoss()(m.clf(X), np.array([0, 1, 2])),
    ValueError,
    "overrides check_target",
)
case("ragged input", lambda m: m.net([[1.0], [2.0, 3.0]]), ValueError, "rectangular")
case("empty prediction", lambda m: MSELoss()(np.zeros(0), 0.7), ValueError, "not be an empty")
case(
    "Dense input of the wrong width",
    lambda m: m.clf(np.ones((3, 5))),
    ValueError,
    r"takes samples of 2 features: an array of shape \(N, 2\) or \(2,\), got shape \(3, 5\)",
)
case(
    "Dense inside a model, the wrong width",
    lambda m: Sequential(Dense(2, 4, rng=0), Dense(3, 1, rng=0))(np.ones((2, 2))),
    ValueError,
    r"Dense\(in_features=3, .* takes samples of 3 features",
)
case(
    "assigning a parameter's value of another shape",
    lambda m: setattr(m.net[0].weight, "value", [1.0, 2.0]),
    ValueError,
    r"must keep its shape \(\), got shape \(2,\)",
)

# -- what a layer's backward returns: checked by Sequential, which names the layer -----------

case(
    "backward summed over the batch",
    lambda m: after_forward(Sequential(Tanh(), SumsOverBatch()), np.ones((4, 3))).backward(
        np.ones((4, 3))
    ),
    ValueError,
    r"what layer 1 \(SumsOverBatch\) returned from backward\(\) has shape \(3,\), but the "
    r"layer's input had shape \(4, 3\)",
)
case(
    "backward transposed",
    lambda m: after_forward(Sequential(Dense(3, 2, rng=0), Transposes()), np.ones((4, 3))).backward(
        np.ones((4, 2))
    ),
    ValueError,
    r"what layer 1 \(Transposes\) returned from backward\(\) has shape \(2, 4\)",
)
case(
    "backward returns nothing",
    lambda m: after_forward(Sequential(Linear(1.0), Returns(2.0, grad=None))).backward(1.0),
    TypeError,
    r"what layer 1 \(Returns\) returned from backward\(\) is None: .* forget `return`",
)
case(
    "forward returns nothing",
    lambda m: Sequential(Linear(1.0), Returns(None))(1.0),
    TypeError,
    r"what layer 1 \(Returns\) returned from forward\(\) is None: .* forget `return`",
)

# -- what an optimizer's update returns: checked by step, which names the parameter ----------

for label, what, error, pattern in [
    ("None", lambda v: None, TypeError, r"update\(\) returned None for .*: did you forget"),
    (
        "a number for an array",
        lambda v: 1.0,
        ValueError,
        r"returned a number for .* whose value "
        r"is an array of shape \(4, 2\)",
    ),  # fmt: skip
    ("the wrong shape", lambda v: np.zeros(3), ValueError, r"returned an array of shape \(3,\)"),
    ("text", lambda v: "v", TypeError, r"what Returning.update\(\) returned for .* must be"),
    ("inf", lambda v: v * np.inf, FloatingPointError, "overflows: its new value is not finite"),
]:
    case(
        f"update returns {label}",
        lambda m, w=what: Returning(m.clf.parameters(), w).step(),
        error,
        pattern,
    )


def overflowing(m):
    """SGD over the two-node network's parameters and a huge one, whose next step overflows."""
    huge = Parameter(1.7e308)
    huge.grad = -1e308  # + 0.1 * 1e308 is above the largest float
    return SGD([*m.net.named_parameters(), ("huge", huge)], lr=0.1)


case(
    "SGD step overflow",
    lambda m: overflowing(m).step(),
    FloatingPointError,
    r"update of parameter 'huge' overflows.* \(it is lr=0.1\); no parameter was updated",
)
case(
    "SGD step, a gradient left unsummed over the batch",
    lambda m: [
        (layer := ForgetsToSum())(np.array([1.0, 2.0])),
        layer.backward(np.ones(2)),
        SGD(layer.named_parameters(), lr=0.1).step(),
    ],
    ValueError,
    r"gradient of parameter 'w' has shape \(2,\), but its value has shape \(\)",
)

# -- optimizers given what is not a list of parameters --------------------------------------

case("SGD empty", lambda m: SGD([], lr=0.1), ValueError, "empty list of parameters")
case(
    "SGD repeated",
    lambda m: SGD([m.net[0].weight, m.net[0].weight], lr=0.1),
    ValueError,
    "same Parameter twice",
)
case("SGD one Parameter", lambda m: SGD(m.net[0].weight, 0.1), TypeError, "iterable of Parameters")
case("SGD a layer", lambda m: SGD(m.net[0], lr=0.1), TypeError, "iterable of Parameters")
case(
    "SGD a model",
    lambda m: SGD(m.net, lr=0.1),
    TypeError,
    r"item 0 is a Linear; pass model.parameters\(\)",
)
case(
    "optimizer state of another model",
    lambda m: Adam([Parameter(1.0)]).load_state_dict(m.adam.state_dict()),
    ValueError,
    "lists 4 parameters; this optimizer has 1",
)

# -- layers and models used in the wrong order, or wrongly put together --------------------

for name, make in [("Linear", lambda m: m.net[0]), ("Sigmoid", lambda m: m.net[1])]:
    case(
        f"{name} backward before forward",
        lambda m, make=make: make(m).backward(1.0),
        RuntimeError,
        rf"{name}.backward\(\) needs a forward pass first: it reads self\.\w+, which",
    )
case(
    "Dense backward before forward",
    lambda m: Dense(2, 4).backward(np.ones((3, 4))),
    RuntimeError,
    r"Dense.backward\(\) needs a forward pass first",
)
case(
    "model backward before forward",
    lambda m: m.net.backward(1.0),
    RuntimeError,
    r"Sequential.backward\(\) needs a forward pass first: call model\(x\)",
)
case(
    "model backward twice",
    lambda m: after_forward(m.net).backward(1.0) and m.net.backward(1.0),
    RuntimeError,
    "Each forward pass allows one backward pass",
)
case(
    "loss backward before forward",
    lambda m: MSELoss().backward(),
    RuntimeError,
    r"MSELoss.backward\(\) needs a forward pass first: .* Call loss_fn\(prediction, target\)",
)
case(
    "one layer at two places",
    lambda m: Sequential(act := Sigmoid(), Linear(1.0), act),
    ValueError,
    r"same Sigmoid object at two places, layer 0 and layer 2",
)
case(
    "Linear with PyTorch's arguments",
    lambda m: Linear(2, 4),
    TypeError,
    r"Linear\(2, 4\): nanonet's Linear is the chapter's .* use Dense\(2, 4\)",
)
case("Linear rng negative", lambda m: Linear(rng=-1), ValueError, "rng must be a non-negative")
case("model indexed by name", lambda m: m.net["0"], TypeError, r"use model\[0\], not model\['0'\]")
case("model indexed too far", lambda m: m.net[5], IndexError, r"has 5 layers \(0 to 4\)")

# -- a classifier's data: labels, targets and inputs that do not fit ------------------------

for label, make_loss, target, error, pattern in [
    ("float labels", CrossEntropyLoss, np.array([0.0, 1.0, 2.0]), TypeError, "integer class label"),
    ("label out of range", CrossEntropyLoss, np.array([0, 1, 3]), ValueError, "from 0 to 2 .* 3"),
    ("negative label", CrossEntropyLoss, np.array([0, -1, 2]), ValueError, "got -1"),
    ("too few labels", CrossEntropyLoss, np.array([0, 1]), ValueError, "one label per sample"),
    ("BCE target above 1", BCEWithLogitsLoss, np.full((3, 3), 2.0), ValueError, "0 or 1"),
    ("BCE target shape", BCEWithLogitsLoss, np.ones(3), ValueError, "one target per logit"),
    ("BCE NaN target", BCEWithLogitsLoss, np.full((3, 3), np.nan), ValueError, "0 or 1"),
]:
    case(
        f"classifier: {label}",
        lambda m, make=make_loss, t=target: step(m.clf, m.adam, make(), X, t),
        error,
        pattern,
    )
case(
    "classifier: NaN input",
    lambda m: step(m.clf, m.adam, CrossEntropyLoss(), np.full((3, 2), np.nan), np.array([0, 1, 2])),
    ValueError,
    "prediction must be finite",
)
case(
    "batches of different lengths",
    lambda m: list(batches(X, np.array([0, 1]), 2)),
    ValueError,
    "same number of samples, got 3 and 2",
)
case("xor without samples", lambda m: xor(0), ValueError, "n must be at least 1, got 0")
case("xor noise negative", lambda m: xor(10, noise=-1), ValueError, "at least 0, got -1.0")
case("xor noise a string", lambda m: xor(10, noise="0.1"), TypeError, "noise must be a number")
case("xor seed a string", lambda m: xor(10, rng="0"), TypeError, "rng must be None, an int seed")
case("accuracy labels", lambda m: accuracy(np.zeros((3, 2)), [0, 1]), ValueError, r"shape \(3,\)")

# -- the layers of a convolutional network, dropout and batch norm -------------------------

IMAGES = np.ones((2, 3, 8, 8))  # two images of 3 channels, 8x8 pixels

for label, bad in NON_NUMERIC.items():
    for name, layer in {
        "Conv2d": Conv2d(3, 4, 3, rng=0),
        "MaxPool2d": MaxPool2d(2),
        "Flatten": Flatten(),
        "Dropout": Dropout(),
        "BatchNorm2d": BatchNorm2d(3),
    }.items():
        case(
            f"{name} input {label}",
            lambda m, b=bad, layer=layer: layer(b),
            TypeError,
            f"input of {name}",
        )
for label, kwargs, error, pattern in [
    ("in_channels 0", dict(in_channels=0), ValueError, "in_channels must be at least 1"),
    ("in_channels float", dict(in_channels=3.0), TypeError, "in_channels must be an int"),
    ("kernel_size 0", dict(kernel_size=0), ValueError, "kernel_size must be at least 1"),
    ("kernel_size triple", dict(kernel_size=(3, 3, 3)), TypeError, "an int or a pair of ints"),
    ("kernel_size str", dict(kernel_size="3"), TypeError, "kernel_size must be an int"),
    ("stride 0", dict(stride=(1, 0)), ValueError, "stride must be at least 1"),
    ("padding -1", dict(padding=-1), ValueError, "padding must be at least 0"),
    ("bias 1", dict(bias=1), TypeError, "bias must be True or False"),
    ("rng str", dict(rng="0"), TypeError, "rng must be"),
    ("dtype int", dict(dtype=int), TypeError, "float32 or float64"),
]:
    settings = {"in_channels": 3, "out_channels": 4, "kernel_size": 3, **kwargs}
    case(f"Conv2d {label}", lambda m, s=settings: Conv2d(**s), error, pattern)
case(
    "Conv2d input of the wrong channels",
    lambda m: Conv2d(1, 4, 3)(IMAGES),
    ValueError,
    r"Conv2d\(1, 4, kernel_size=\(3, 3\), .*, bias=True\) takes a batch of images of 1 "
    r"channels, of at least 3x3 pixels: an array of shape \(N, 1, H, W\), got shape \(2, 3, 8, 8\)",
)
case(
    "Conv2d one image without its batch",
    lambda m: Conv2d(3, 4, 3)(IMAGES[0]),
    ValueError,
    r"shape \(N, 3, H, W\), got shape \(3, 8, 8\)",
)
case(
    "Conv2d images smaller than the filter, padding counted",
    lambda m: Conv2d(3, 4, 5, padding=1)(np.ones((2, 3, 2, 8))),
    ValueError,
    "of at least 3x3 pixels",
)
case(
    "Conv2d inside a model, the wrong channels",
    lambda m: Sequential(Conv2d(3, 4, 3), ReLU(), Conv2d(5, 2, 3))(IMAGES),
    ValueError,
    r"Conv2d\(5, 2, .* images of 5 channels.* got shape \(2, 4, 6, 6\)",
)
case(
    "Dense after Flatten, the wrong width",
    lambda m: Sequential(Conv2d(3, 4, 3), Flatten(), Dense(100, 2))(IMAGES),
    ValueError,
    r"takes samples of 100 features: .* got shape \(2, 144\)",
)
case("MaxPool2d kernel_size 0", lambda m: MaxPool2d(0), ValueError, "kernel_size must be at least")
case("MaxPool2d stride 0.5", lambda m: MaxPool2d(2, 0.5), TypeError, "stride must be an int")
case(
    "MaxPool2d images smaller than a window",
    lambda m: MaxPool2d(3)(np.ones((2, 3, 2, 2))),
    ValueError,
    r"MaxPool2d\(kernel_size=\(3, 3\), stride=\(3, 3\)\) takes a batch of images of at least "
    r"3x3 pixels: an array of shape \(N, C, H, W\), got shape \(2, 3, 2, 2\)",
)
case(
    "MaxPool2d inside a model, rows for images",
    lambda m: Sequential(Dense(2, 4), MaxPool2d(2))(np.ones((3, 2))),
    ValueError,
    r"images of at least 2x2 pixels.* got shape \(3, 4\)",
)
case(
    "Flatten of one sample's numbers",
    lambda m: Flatten()(np.ones(5)),
    ValueError,
    r"Flatten takes a batch \(N, ...\) of 2 or more dimensions, got shape \(5,\)",
)
for label, p, error in [
    ("1", 1.0, ValueError),
    ("-0.1", -0.1, ValueError),
    ("str", "0.5", TypeError),
]:
    case(f"Dropout p {label}", lambda m, p=p: Dropout(p), error, "p")
case("Dropout p 1, why", lambda m: Dropout(1), ValueError, r"must be in \[0, 1\), got 1")
case("Dropout rng negative", lambda m: Dropout(rng=-3), ValueError, "rng must be a non-negative")
for label, kwargs, error, pattern in [
    ("num_features 0", dict(num_features=0), ValueError, "num_features must be at least 1"),
    ("eps 0", dict(eps=0.0), ValueError, "eps must be a finite positive"),
    ("momentum 2", dict(momentum=2.0), ValueError, r"momentum must be in \[0, 1\], got 2"),
    ("momentum None", dict(momentum=None), TypeError, "momentum must be a real number"),
]:
    settings = {"num_features": 3, **kwargs}
    case(f"BatchNorm1d {label}", lambda m, s=settings: BatchNorm1d(**s), error, pattern)
case(
    "BatchNorm1d the wrong number of features",
    lambda m: BatchNorm1d(3)(np.ones((4, 5))),
    ValueError,
    r"BatchNorm1d\(3, eps=1e-05, momentum=0.1\) takes an array \(N, C\) with C = 3, got \(4, 5\)",
)
case(
    "BatchNorm2d rows for images",
    lambda m: BatchNorm2d(3)(np.ones((4, 3))),
    ValueError,
    r"takes an array \(N, C, H, W\) with C = 3, got \(4, 3\)",
)
case(
    "BatchNorm1d one sample in training",
    lambda m: BatchNorm1d(3)(np.ones((1, 3))),
    ValueError,
    r"BatchNorm1d in training mode needs more than one number per feature, got shape \(1, 3\); "
    r"model.eval\(\) uses the running statistics instead",
)
case(
    "BatchNorm1d inside a model, one sample in training",
    lambda m: Sequential(Dense(2, 3), BatchNorm1d(3))(np.ones((1, 2))),
    ValueError,
    "BatchNorm1d in training mode needs more than one number per feature",
)
for name, make, grad in [
    ("Conv2d", lambda: Conv2d(3, 4, 3), np.ones((2, 4, 6, 6))),
    ("MaxPool2d", lambda: MaxPool2d(2), np.ones((2, 3, 4, 4))),
    ("Flatten", Flatten, np.ones((2, 192))),
    ("Dropout", Dropout, np.ones(3)),
    ("BatchNorm1d", lambda: BatchNorm1d(3), np.ones((2, 3))),
]:
    case(
        f"{name} backward before forward",
        lambda m, make=make, g=grad: make().backward(g),
        RuntimeError,
        rf"{name}.backward\(\) needs a forward pass first",
    )

# -- schedules, initialisation and summary ----------------------------------------------------

case(
    "StepLR without an optimizer",
    lambda m: StepLR(m.net, 3),
    TypeError,
    "StepLR needs an Optimizer",
)
case("StepLR step_size 0", lambda m: StepLR(m.sgd, 0), ValueError, "step_size must be at least 1")
case("StepLR gamma -1", lambda m: StepLR(m.sgd, 2, -1.0), ValueError, "gamma must be a finite posi")
case("ExponentialLR gamma nan", lambda m: ExponentialLR(m.adam, math.nan), ValueError, "gamma")
case("CosineAnnealingLR T_max 0", lambda m: CosineAnnealingLR(m.sgd, 0), ValueError, "T_max")
case(
    "CosineAnnealingLR eta_min negative",
    lambda m: CosineAnnealingLR(m.sgd, 10, eta_min=-0.1),
    ValueError,
    "eta_min must be a finite non-negative",
)
case(
    "schedule state of another schedule",
    lambda m: StepLR(m.sgd, 2).load_state_dict(ExponentialLR(m.sgd, 0.9).state_dict()),
    ValueError,
    r"cannot load this state into StepLR: it has the names \['base_lr', 'gamma', 'last_epoch'\]",
)
case(
    "schedule state not a mapping",
    lambda m: StepLR(m.sgd, 2).load_state_dict([("last_epoch", 3)]),
    TypeError,
    "state_dict must be a mapping",
)
for label, bad, pattern in [
    ("a step_size of 0", {"step_size": 0}, "step_size must be at least 1, got 0"),
    ("a gamma of NaN", {"gamma": math.nan}, "gamma must be a finite positive number, got nan"),
    ("a negative base_lr", {"base_lr": -0.1}, "base_lr must be a finite non-negative number"),
]:
    case(
        f"schedule state with {label}",
        lambda m, b=bad: StepLR(m.sgd, 2).load_state_dict({**StepLR(m.sgd, 2).state_dict(), **b}),
        ValueError,
        pattern,
    )
case(
    "schedule state with a negative epoch",
    lambda m: StepLR(m.sgd, 2).load_state_dict({**StepLR(m.sgd, 2).state_dict(), "last_epoch": -1}),
    ValueError,
    "last_epoch must be at least 0",
)
case("init of a layer", lambda m: init.zeros_(m.clf[0]), TypeError, "fills a Parameter .* Dense")
case("init of an array", lambda m: init.ones_(np.zeros(3)), TypeError, "got ndarray")
case(
    "init xavier of a vector",
    lambda m: init.xavier_uniform_(Parameter(np.zeros(3))),
    ValueError,
    r"fan-in and fan-out need a weight of 2 dimensions or more, \(out, in, ...\); got .* \(3,\)",
)
case(
    "init kaiming mode",
    lambda m: init.kaiming_uniform_(Parameter(np.zeros((2, 2))), mode="in"),
    ValueError,
    "mode must be 'fan_in' or 'fan_out'",
)
case(
    "init kaiming nonlinearity",
    lambda m: init.kaiming_uniform_(Parameter(np.zeros((2, 2))), nonlinearity="gelu"),
    ValueError,
    "unsupported nonlinearity 'gelu'",
)
case(
    "init uniform a > b", lambda m: init.uniform_(Parameter([1.0]), 1.0, 0.0), ValueError, "a <= b"
)
case("init normal std < 0", lambda m: init.normal_(Parameter([1.0]), std=-1.0), ValueError, "std")
case("summary of a list", lambda m: summary([m.clf], (1, 2)), TypeError, "summary needs a Layer")
case("summary shape int", lambda m: summary(m.clf, 2), TypeError, "input_shape must be a tuple")
case("summary shape 0", lambda m: summary(m.clf, (0, 2)), ValueError, "input_shape must be at")
case(
    "summary shape that does not fit",
    lambda m: summary(m.clf, (1, 5)),
    ValueError,
    r"takes samples of 2 features",
)

# -- files -----------------------------------------------------------------------------------

case("History unknown name", lambda m: History(m.net)["w0"], KeyError, "no parameter named 'w0'")
case(
    "load missing file", lambda m: load(m.net, m.tmp / "nothing.npz"), FileNotFoundError, "no file"
)
case(
    "load junk file",
    lambda m: (m.tmp / "w.npz").write_bytes(b"junk") and load(m.net, m.tmp / "w.npz"),
    ValueError,
    "cannot load weights from",
)
case(
    "load other model",
    lambda m: save(Sequential(Linear(1.0)), m.tmp / "w.npz") or load(m.net, m.tmp / "w.npz"),
    ValueError,
    "do not fit this model",
)
case(
    "save into a missing folder",
    lambda m: save(m.net, m.tmp / "no" / "w.npz"),
    FileNotFoundError,
    r"cannot save weights to '.*w\.npz': the folder '.*no' does not exist",
)

case(
    "save an optimizer that is not one",
    lambda m: save(m.clf, m.tmp / "w.npz", optimizer=m.clf),
    TypeError,
    "optimizer must be a nanonet Optimizer, got Sequential",
)
case(
    "save an optimizer as the scheduler",
    lambda m: save(m.clf, m.tmp / "w.npz", scheduler=m.adam),
    TypeError,
    "scheduler must be a nanonet LRScheduler, got Adam",
)
case(
    "load into a scheduler that is not one",
    lambda m: (
        save(m.clf, m.tmp / "w.npz", optimizer=m.adam)
        or load(m.clf, m.tmp / "w.npz", optimizer=m.adam, scheduler="StepLR")
    ),
    TypeError,
    "scheduler must be a nanonet LRScheduler, got str",
)
case(
    "train with a mode that is not a bool",
    lambda m: Sequential(Dense(2, 2), Dropout()).train("eval"),
    TypeError,
    r"train\(mode\): mode must be True or False, got str",
)


def snapshot(m):
    """Every weight of both models, as bytes."""
    return [np.asarray(p.value).tobytes() for p in [*m.net.parameters(), *m.clf.parameters()]]


@pytest.fixture
def m(tmp_path, two_node):
    """The two models, their optimizers, and a folder for files."""
    net = two_node()
    clf = Sequential(Dense(2, 4, rng=0), ReLU(), Dense(4, 3, rng=1))
    adam = Adam(clf.parameters(), lr=0.1)
    step(clf, adam, CrossEntropyLoss(), X, np.array([0, 1, 2]))  # so that Adam has state
    return SimpleNamespace(net=net, clf=clf, sgd=SGD(net.named_parameters(), lr=0.1), adam=adam,
                           tmp=tmp_path)  # fmt: skip


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # numpy's words for inf and NaN
@pytest.mark.parametrize("action, error, pattern", CASES)
def test_bad_input(m, action, error, pattern):
    before = snapshot(m)
    with pytest.raises(Exception) as info:
        action(m)
    assert type(info.value) is error, f"{type(info.value).__name__}: {info.value}"
    assert info.match(pattern)  # the message names what was wrong
    assert NANONET_DIR in Path(info.traceback[-1].path).parents, "raised outside nanonet's code"
    assert snapshot(m) == before, "a weight changed"
