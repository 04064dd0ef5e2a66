"""The checkers of the tutorial's exercises (docs/tutorial.md)."""

from __future__ import annotations

import math

import numpy as np

from ..layers import Linear, Sequential, Sigmoid
from ..loss import MSELoss
from ..optim import SGD
from ..tools.trace import trace
from ._common import IGNORES_GRAD, ignores_grad, local_derivative, passes_gradcheck
from .registry import Namespace, NotYet, exercise

#: The chapter's network, at another input than the page's (where no table shows the factors).
POINT, TARGET = 1.5, 0.7
NAMES = ["s0", "x1", "s1", "x2", "s2", "out"]


def chapters_network() -> Sequential:
    return Sequential(Linear(2.0), Sigmoid(), Linear(1.0), Sigmoid(), Linear(0.5))


@exercise("chain-rule", page="tutorial", title="The chain rule at another input")
def chain_rule(reader: Namespace) -> str:
    """Trace.check on the reader's numbers, with the verdict told without the factors' values."""
    numbers = reader.numbers("factors")
    result = trace(chapters_network(), POINT, TARGET, names=NAMES).check("0.weight", numbers)
    if result.correct:
        return (
            f"your {len(numbers)} numbers are the factors of dC/dw0 at s0 = {POINT}, each once, "
            "and their product is the gradient backward computes (checked with Trace.check)"
        )
    rows = trace(chapters_network(), POINT, TARGET, names=NAMES).rows
    layers = [row for row in rows if row["pass"] == "forward" and row["index"] != "C"]
    values = {NAMES[0]: POINT, **{NAMES[row["index"] + 1]: row["output"] for row in layers}}
    chapters = [float(v) for _, v in trace(chapters_network(), 2.0, TARGET).chains[0].factors]
    missing = [value for _, value, _ in result.missing]
    at_two = [n for n in result.unknown if _at_page_input(n, missing, values, chapters)]
    problems = [_why_not(n, missing, values) for n in result.unknown if n not in at_two]
    if at_two:
        listed = _listed([f"{n:g}" for n in at_two])
        verb = "is a factor" if len(at_two) == 1 else "are factors"
        problems.append(
            f"{listed} {verb} at the page's input s0 = 2, not at s0 = {POINT}: work the "
            "forward pass out again at this input"
        )
    problems += [
        f"{n:g} is there once too often: {_label(label)} is one factor of the product"
        for n, label in result.repeated
    ]
    if result.missing:
        names = ", ".join(_missing(label, layer) for label, _, layer in result.missing)
        problems.append(f"missing: {names}")
    if not problems:
        problems.append(
            "the factors are right, but their product is not the gradient: round them less"
        )
    raise NotYet("; ".join(problems))


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 2e-3 * abs(b) + 1e-12


def _why_not(number: float, missing: list[float], values: dict[str, float]) -> str:
    """Why ``number`` is none of the factors, when a usual slip explains it."""
    if any(_close(-number, value) for value in missing):
        return f"{number:g} has the wrong sign: minus it is one of the factors"
    if _close(number, 0.25):
        return (
            "0.25 is the sigmoid's largest slope, at x = 0; its slope at this point is "
            "s (1 - s) with this point's s"
        )
    named = [name for name, value in values.items() if _close(number, value)]
    if named:
        where = " and ".join(named)
        if any(name in ("s1", "s2") for name in named):
            return (
                f"{number:g} is {where}, a value of the forward pass: the factor a sigmoid "
                "adds is its slope, s (1 - s)"
            )
        return f"{number:g} is {where}, a value of the forward pass, not one of these factors"
    for value in missing:
        for ratio, words in ((2.0, "twice"), (0.5, "half")):
            if _close(number, ratio * value):
                return f"{number:g} is {words} one of the factors"
    return f"{number:g} is not a factor of dC/dw0"


def _at_page_input(
    number: float, missing: list[float], values: dict[str, float], chapters: list[float]
) -> bool:
    """Whether ``number`` is a factor at the page's input, s0 = 2, and no slip explains it."""
    explained = _why_not(number, missing, values) != f"{number:g} is not a factor of dC/dw0"
    return not explained and any(_close(number, value) for value in chapters)


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _label(label: str) -> str:
    return label.replace("d(0.weight)", "dw0")


def _missing(label: str, layer: tuple[int, str] | None) -> str:
    """``"ds1/dx1 (layer 1, Sigmoid)"``: a missing factor, named but not valued."""
    if layer is None:
        return f"{_label(label)} (the cost's slope)"
    return f"{_label(label)} (layer {layer[0]}, {layer[1]})"


@exercise("tanh-backward", page="tutorial", title="Write tanh's backward")
def tanh_backward(reader: Namespace) -> str:
    """gradcheck of the reader's MyTanh, after probes for the usual slips."""
    cls = reader.layer_class("MyTanh")
    points = [0.5, -1.2, 2.0]
    if ignores_grad(cls(), points[0]):
        raise NotYet(IGNORES_GRAD)
    for x in points:
        y = math.tanh(x)
        derivative = float(local_derivative(cls(), x))
        if _close(derivative, 1.0 - y * y):
            continue
        for wrong, words in (
            (1.0 - y, "1 - y: check tanh's derivative again (it can be written with y, but "
             "that is not it)"),
            (y * (1.0 - y), "y (1 - y), the sigmoid's derivative: tanh's is another"),
            (1.0 - x * x, "1 - x**2, written with the input x: tanh's derivative is written "
             "with its output, y = tanh(x)"),
        ):  # fmt: skip
            if _close(derivative, wrong):
                raise NotYet(f"at x = {x:g}, your dy/dx is {words}")
        passes_gradcheck(cls(), x)
    passes_gradcheck(Sequential(Linear(2.0), cls(), Linear(0.5)), 0.8)
    return (
        "gradcheck verified MyTanh's backward against finite differences of its forward at "
        "x = 0.5, -1.2 and 2, alone and between two Linear layers"
    )


def count_steps(lr: float, zero_grad: bool = True, most: int = 100_000) -> int | None:
    """Check's own count: steps of SGD until the chapter's output is within 0.001 of 0.7."""
    model = chapters_network()
    loss_fn, optimizer = MSELoss(), SGD(model.parameters(), lr=lr)
    for step in range(most):
        out = model(2.0)
        if abs(out - TARGET) < 1e-3:
            return step
        loss_fn(out, TARGET)
        if zero_grad:
            optimizer.zero_grad()
        model.backward(loss_fn.backward())
        optimizer.step()
    return None


RATES = (0.5, 0.05)  # not the page's: Check counts for itself


@exercise("steps-to-target", page="tutorial", title="Predict, then count", trains=True)
def steps_to_target(reader: Namespace) -> str:
    """The reader's steps_to_target against Check's own count, at rates the page does not use."""
    function = reader.function("steps_to_target")
    for lr in RATES:
        expected = count_steps(lr)
        assert expected is not None  # (Check's rates reach the target)
        got = function(lr)
        call = f"steps_to_target({lr})"
        if got is None:
            raise NotYet(
                f"{call} returned None: the output never came within 0.001 of the target. Does "
                "each step of your loop take a step of training (zero_grad, backward, step)?"
            )
        if isinstance(got, bool) or not isinstance(got, (int, np.integer)):
            raise NotYet(f"{call} returned {got!r}: it must return a number of steps, an int")
        if got == expected:
            continue
        if abs(got - expected) == 1:
            many = "one too many" if got > expected else "one too few"
            raise NotYet(
                f"{call} is one step off ({many}): count the steps taken before the output is "
                "within 0.001 of the target, testing before each step"
            )
        if got == count_steps(lr, zero_grad=False, most=20_000):
            raise NotYet(
                f"{call} is what a loop without optimizer.zero_grad() gives: backward adds to "
                "each .grad, so every step also carried all the earlier steps' gradients"
            )
        many = "many" if got > expected else "few"
        raise NotYet(
            f"{call} returned {got}, too {many} steps for the chapter's network at lr = {lr}: "
            "start from the chapter's weights, and take one step of SGD per loop"
        )
    rates = " and ".join(map(str, RATES))
    return (
        f"steps_to_target gave the right number of steps at learning rates {rates}, which "
        "Check counted with its own training loop"
    )
