"""Every public entry point against bad input, from one table.

Each case must raise exactly the documented exception type, with a message
that names the offending argument, raised by nanonet's own code (never a
bare error from deep inside numpy), and must leave every weight untouched.
"""

import math
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

import nanonet
from nanonet import (
    SGD,
    History,
    Linear,
    MSELoss,
    Parameter,
    Sequential,
    gradcheck,
    load,
    save,
    trace,
)

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


def after_forward(layer, x=1.0):
    layer(x)
    return layer


def sgd_with_grad(model, grad, index=1):
    optimizer = SGD(model.named_parameters(), lr=0.1)
    for p in model.parameters():
        p.grad = 0.5
    list(model.parameters())[index].grad = grad
    return optimizer


CASES = []  # (id, action(model, tmp_path), exception type, message pattern)


def case(name, action, error, pattern):
    CASES.append(pytest.param(action, error, pattern, id=name))


for label, bad in NON_NUMERIC.items():
    case(
        f"Sequential input {label}", lambda m, t, bad=bad: m(bad), TypeError, "input of Sequential"
    )
    case(f"Linear input {label}", lambda m, t, bad=bad: m[0](bad), TypeError, "input of Linear")
    case(f"Sigmoid input {label}", lambda m, t, bad=bad: m[1](bad), TypeError, "input of Sigmoid")
    case(
        f"Sequential grad {label}",
        lambda m, t, bad=bad: after_forward(m).backward(bad),
        TypeError,
        r"grad given to Sequential.backward\(\)",
    )
    case(
        f"MSELoss prediction {label}",
        lambda m, t, bad=bad: MSELoss()(bad, 0.7),
        TypeError,
        "prediction",
    )
    case(
        f"MSELoss target {label}", lambda m, t, bad=bad: MSELoss()(m(2.0), bad), TypeError, "target"
    )
    case(f"gradcheck x {label}", lambda m, t, bad=bad: gradcheck(m, bad), TypeError, "x must")
    case(
        f"load_state_dict value {label}",
        lambda m, t, bad=bad: m.load_state_dict({**m.state_dict(), "2.weight": bad}),
        ValueError,
        "'2.weight': Parameter value must",
    )
    case(f"Parameter {label}", lambda m, t, bad=bad: Parameter(bad), TypeError, "Parameter value")
    case(f"trace x {label}", lambda m, t, bad=bad: trace(m, bad, 0.7), TypeError, "x must")
    case(
        f"trace target {label}", lambda m, t, bad=bad: trace(m, 2.0, bad), TypeError, "target must"
    )
    case(
        f"History.record loss {label}",
        lambda m, t, bad=bad: History(m).record(bad),
        TypeError,
        "loss must",
    )
    case(
        f"History.record output {label}",
        lambda m, t, bad=bad: (
            History(m).record(0.5, output=bad)
            if bad is not None
            else History(m).record(0.5, output=object())
        ),
        TypeError,
        "output must",
    )
    if not isinstance(bad, (list, np.ndarray)):
        case(
            f"SGD lr {label}",
            lambda m, t, bad=bad: SGD(m.parameters(), lr=bad),
            TypeError,
            "lr must",
        )
        case(
            f"gradcheck eps {label}",
            lambda m, t, bad=bad: gradcheck(m, 1.0, eps=bad),
            TypeError,
            "eps must",
        )
        case(
            f"gradcheck atol {label}",
            lambda m, t, bad=bad: gradcheck(m, 1.0, atol=bad),
            TypeError,
            "atol must",
        )
        case(
            f"gradcheck rtol {label}",
            lambda m, t, bad=bad: gradcheck(m, 1.0, rtol=bad),
            TypeError,
            "rtol must",
        )
    if bad is not None and not isinstance(bad, (nanonet.Layer, Parameter)):
        case(f"Linear weight {label}", lambda m, t, bad=bad: Linear(bad), TypeError, "weight must")
        case(f"Linear rng {label}", lambda m, t, bad=bad: Linear(rng=bad), TypeError, "rng must")
        case(
            f"Sequential layer {label}",
            lambda m, t, bad=bad: Sequential(Linear(1.0), bad),
            TypeError,
            "Sequential takes Layers, but argument 1",
        )
        case(
            f"SGD parameters {label}",
            lambda m, t, bad=bad: SGD([Parameter(1.0), bad], lr=0.1),
            TypeError,
            "but item 1",
        )
        if not isinstance(bad, dict):
            case(
                f"load_state_dict state {label}",
                lambda m, t, bad=bad: m.load_state_dict(bad),
                TypeError,
                "state must be a mapping",
            )
        case(
            f"save model {label}",
            lambda m, t, bad=bad: save(bad, t / "w.npz"),
            TypeError,
            "save needs a Layer",
        )
        case(
            f"load model {label}",
            lambda m, t, bad=bad: load(bad, t / "w.npz"),
            TypeError,
            "load needs a Layer",
        )
        case(
            f"gradcheck layer {label}",
            lambda m, t, bad=bad: gradcheck(bad, 1.0),
            TypeError,
            "gradcheck needs a Layer",
        )
        case(
            f"trace model {label}",
            lambda m, t, bad=bad: trace(bad, 1.0, 1.0),
            TypeError,
            "trace needs a Layer",
        )
        case(
            f"History model {label}",
            lambda m, t, bad=bad: History(bad),
            TypeError,
            "History needs a Layer",
        )
        if not isinstance(bad, (str, np.str_)):
            case(f"save path {label}", lambda m, t, bad=bad: save(m, bad), TypeError, "path must")
            case(f"load path {label}", lambda m, t, bad=bad: load(m, bad), TypeError, "path must")

for label, bad in NON_FINITE.items():
    case(f"Linear weight {label}", lambda m, t, bad=bad: Linear(bad), ValueError, "must be finite")
    case(
        f"Parameter {label}",
        lambda m, t, bad=bad: Parameter([1.0, bad]),
        ValueError,
        "must be finite",
    )
    case(
        f"MSELoss prediction {label}",
        lambda m, t, bad=bad: MSELoss()([0.5, bad], 0.7),
        ValueError,
        "prediction must be finite",
    )
    case(
        f"MSELoss target {label}",
        lambda m, t, bad=bad: MSELoss()(m(2.0), bad),
        ValueError,
        "target must be finite",
    )
    case(
        f"trace target {label}",
        lambda m, t, bad=bad: trace(m, 2.0, bad),
        ValueError,
        "target must be finite",
    )
    case(
        f"SGD lr {label}",
        lambda m, t, bad=bad: SGD(m.parameters(), lr=bad),
        ValueError,
        "lr must be a finite",
    )
    case(
        f"SGD step gradient {label}",
        lambda m, t, bad=bad: sgd_with_grad(m, bad).step(),
        FloatingPointError,
        "gradient of parameter '2.weight' is not finite",
    )
    case(
        f"SGD step array gradient {label}",
        lambda m, t, bad=bad: sgd_with_grad(m, np.array(bad), 2).step(),
        FloatingPointError,
        "gradient of parameter '4.weight' is not finite",
    )
    case(
        f"gradcheck eps {label}",
        lambda m, t, bad=bad: gradcheck(m, 1.0, eps=bad),
        ValueError,
        "eps must be",
    )
    case(
        f"gradcheck atol {label}",
        lambda m, t, bad=bad: gradcheck(m, 1.0, atol=bad),
        ValueError,
        "atol must be",
    )
    case(
        f"load_state_dict {label}",
        lambda m, t, bad=bad: m.load_state_dict({**m.state_dict(), "0.weight": bad}),
        ValueError,
        "'0.weight': Parameter value must be finite",
    )

for label, lr in {"zero": 0.0, "negative": -0.1, "bool": True}.items():
    error = TypeError if isinstance(lr, bool) else ValueError
    case(f"SGD lr {label}", lambda m, t, lr=lr: SGD(m.parameters(), lr=lr), error, "lr must be")
for label, eps in {"zero": 0.0, "negative": -1e-6}.items():
    case(
        f"gradcheck eps {label}",
        lambda m, t, eps=eps: gradcheck(m, 1.0, eps=eps),
        ValueError,
        "eps must be",
    )
case(
    "gradcheck rtol negative", lambda m, t: gradcheck(m, 1.0, rtol=-1.0), ValueError, "rtol must be"
)

SHAPES = {
    "batch for a scalar": (1.0, np.ones(3)),
    "scalar for a batch": (np.ones(3), 1.0),
    "short batch": (np.ones(3), np.ones(2)),
    "transposed": (np.ones((2, 3)), np.ones((3, 2))),
    "extra axis": (np.ones(3), np.ones((3, 1))),
}
for label, (x, grad) in SHAPES.items():
    case(
        f"Sequential grad {label}",
        lambda m, t, x=x, g=grad: after_forward(m, x).backward(g),
        ValueError,
        r"grad given to Sequential.backward\(\) must have the shape of the model's output",
    )
    case(
        f"MSELoss target {label}",
        lambda m, t, x=x, g=grad: MSELoss()(m(x), g) if np.ndim(g) else MSELoss()(m(x), [g, g]),
        ValueError,
        "target must have the shape",
    )
case(
    "trace target shape",
    lambda m, t: trace(m, [1.0, 2.0], [1.0, 2.0, 3.0]),
    ValueError,
    "target must have the shape",
)
case("History unknown name", lambda m, t: History(m)["w0"], KeyError, "no parameter named 'w0'")
case(
    "ragged input",
    lambda m, t: m([[1.0], [2.0, 3.0]]),
    ValueError,
    "input of Sequential must be a rectangular",
)
case(
    "empty prediction",
    lambda m, t: MSELoss()(m(np.zeros(0)), 0.7),
    ValueError,
    "prediction must not be an empty",
)
case(
    "load_state_dict wrong shape",
    lambda m, t: m.load_state_dict({**m.state_dict(), "4.weight": [1.0, 2.0]}),
    ValueError,
    r"'4.weight': expected shape \(\), got \(2,\)",
)
case(
    "load_state_dict missing",
    lambda m, t: m.load_state_dict({"0.weight": 1.0}),
    ValueError,
    "'2.weight': missing",
)
case(
    "load_state_dict unexpected",
    lambda m, t: m.load_state_dict({**m.state_dict(), "5.bias": 1.0}),
    ValueError,
    "'5.bias': unexpected",
)
case("SGD empty", lambda m, t: SGD([], lr=0.1), ValueError, "empty list of parameters")
case(
    "SGD repeated",
    lambda m, t: SGD([m[0].weight, m[0].weight], lr=0.1),
    ValueError,
    "same Parameter twice",
)
case(
    "SGD one Parameter", lambda m, t: SGD(m[0].weight, lr=0.1), TypeError, "iterable of Parameters"
)
case("SGD a layer", lambda m, t: SGD(m[0], lr=0.1), TypeError, "iterable of Parameters")
case(
    "SGD a model",
    lambda m, t: SGD(m, lr=0.1),
    TypeError,
    r"item 0 is a Linear; pass model.parameters\(\)",
)


def overflowing_step(model):
    optimizer = sgd_with_grad(model, -1e308)
    model[2].weight.value = 1.7e308  # + 0.1 * 1e308 is above the largest float
    return optimizer.step()


case(
    "SGD step overflow",
    lambda m, t: overflowing_step(m),
    FloatingPointError,
    "update of parameter '2.weight' overflows",
)
case(
    "Linear rng negative",
    lambda m, t: Linear(rng=-1),
    ValueError,
    "rng must be a non-negative seed",
)
for name, make in {"Linear": lambda m: m[0], "Sigmoid": lambda m: m[1]}.items():
    case(
        f"{name} backward before forward",
        lambda m, t, make=make: make(m).backward(1.0),
        AttributeError,
        r"run a forward pass first",
    )
case(
    "Sequential backward before forward",
    lambda m, t: m.backward(1.0),
    RuntimeError,
    r"Sequential.backward\(\) needs a forward pass first",
)
case(
    "Sequential backward twice",
    lambda m, t: after_forward(m).backward(1.0) and m.backward(1.0),
    RuntimeError,
    r"Each forward pass allows one backward pass",
)
case(
    "MSELoss backward before forward",
    lambda m, t: MSELoss().backward(),
    AttributeError,
    r"call loss_fn\(prediction, target\) before loss_fn.backward\(\)",
)
case("load missing file", lambda m, t: load(m, t / "nothing.npz"), FileNotFoundError, "no file at")
case(
    "load junk file",
    lambda m, t: (t / "w.npz").write_bytes(b"junk") and load(m, t / "w.npz"),
    ValueError,
    "cannot load weights from",
)
case(
    "load other model",
    lambda m, t: save(Sequential(Linear(1.0)), t / "w.npz") or load(m, t / "w.npz"),
    ValueError,
    "do not fit this model",
)
case(
    "save into a missing folder",
    lambda m, t: save(m, t / "no" / "w.npz"),
    FileNotFoundError,
    r"cannot save weights to '.*w\.npz': the folder '.*no' does not exist",
)


@pytest.mark.parametrize("action, error, pattern", CASES)
def test_bad_input(tmp_path, two_node, action, error, pattern):
    model = two_node()
    before = [p.value for p in model.parameters()]
    with pytest.raises(Exception) as info:
        action(model, tmp_path)
    assert type(info.value) is error, f"{type(info.value).__name__}: {info.value}"
    assert info.match(pattern)  # the message names what was wrong
    assert Path(info.traceback[-1].path).parent == NANONET_DIR, "raised outside nanonet's own code"
    after = [p.value for p in model.parameters()]
    if "overflow" in pattern:  # the test itself set this weight; the step must not have changed it
        before[1] = 1.7e308
    assert after == before
