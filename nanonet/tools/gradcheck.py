"""gradcheck: test a layer's or a loss's backward against finite differences; say what broke."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from .._checks import FLOAT64, Value, as_positive_number, as_value, shape_of
from ..layer import Layer
from ..loss import Loss
from ._steps import copy_value

#: How much smaller the finite-difference step gets, at most, before a point is called a kink.
CLOSER_LOOKS = 5


class GradcheckError(RuntimeError):
    """Raised by `gradcheck` when a gradient is wrong; the message says which and why.

    Examples:
        A layer for y = x * x whose backward forgets the factor 2:

        >>> from nanonet import Layer
        >>> class Square(Layer):
        ...     def forward(self, x):
        ...         self.x = x
        ...         return x * x
        ...     def backward(self, grad):
        ...         return grad * self.x          # wrong: dy/dx is 2 * x
        >>> try:
        ...     gradcheck(Square(), 1.0)
        ... except GradcheckError as error:
        ...     print(str(error).split(" (")[0])
        gradcheck failed for Square: the gradient of input x is 2 times too small
        >>> gradcheck(Square(), 1.0, raise_exception=False)
        False
    """


class _Tolerance:
    """The finite-difference step and the tolerances of one gradcheck."""

    def __init__(self, eps: float, atol: float, rtol: float) -> None:
        self.eps, self.atol, self.rtol = eps, atol, rtol

    def close(self, a: float, b: float) -> bool:
        return abs(a - b) <= self.atol + self.rtol * abs(b)

    def all_close(self, a: object, b: object) -> bool:
        """Whether every element of ``a`` is close to the same element of ``b``."""
        a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
        return a.shape == b.shape and bool(np.all(np.abs(a - b) <= self.atol + self.rtol * abs(b)))


class _Replay:
    """Run a layer's forward, each time with the random state the model had at the start.

    A layer that draws random numbers (a Dropout in training mode) keeps its
    ``numpy.random.Generator`` as an attribute; putting every such generator
    back to its first state before each forward pass makes the model draw
    the same numbers each time, so finite differences can measure it.
    """

    def __init__(self, model: Layer) -> None:
        generators = model.named_generators()
        self.states = [(g, copy.deepcopy(g.bit_generator.state)) for _, g in generators]

    def __call__(self, layer: Layer, x: Value) -> Any:
        for generator, state in self.states:
            generator.bit_generator.state = state
        return layer(x)


def gradcheck(
    layer: Layer | Loss,
    x: object,
    target: object = None,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """Check every gradient ``backward`` computes against finite differences.

    Backward is only worth trusting once it has been tested, and the test is
    the definition of a derivative. For a layer, gradcheck turns the output
    ``y`` into one number, ``L = sum(v * y)`` with fixed random weights
    ``v``, and compares

    * the gradients backward computes from ``grad = v`` (the input's, which
      backward returns, and each parameter's, which it adds to ``.grad``)
    * with central differences ``(L(a + eps) - L(a - eps)) / (2 * eps)``,
      nudging each element ``a`` of the input and of every parameter.

    Each pair must satisfy ``|analytic - numeric| <= atol + rtol * |numeric|``.
    A loss is checked the same way, on ``loss_fn(x, target)`` and the
    gradient its ``backward()`` returns.

    When a gradient is wrong, gradcheck looks at all of it and names the
    pattern, when it is one of the usual mistakes: a flipped sign; a
    gradient a whole number of times too large or too small, and in
    particular exactly the batch size (a mean where a sum belongs, or the
    reverse); the transpose of the right one (the factors of a matrix
    product in the wrong order); a gradient passed on where the output
    does not change (a missing mask, as in ReLU's ``grad * (x > 0)``), or
    none where it does.

    It also catches the habits that break layers, and says which: a
    ``backward`` that *assigns* a parameter's gradient instead of adding to
    it (it runs backward twice and expects twice the gradient), one that
    returns None or an array of the wrong shape, and a ``forward`` or
    ``backward`` that changes its caller's array in place (the gradient it
    was given, say). Inside a model that is a sequence of layers (a
    `nanonet.Sequential`, nested ones too), it checks each layer on the
    input that layer saw and names the first broken one by its place
    (``layer 0.1``, the second layer of the first) and class.

    A point where the function has no derivative, such as ReLU at exactly
    0, is reported as a kink, with the output's slope on either side along
    that input; a point close to a kink (ReLU at 1e-9) is looked at again
    with smaller steps, and passes. A ``forward`` that gives another output
    each time it runs on the same input cannot be measured: gradcheck says
    so. A layer that draws random numbers from a ``numpy.random.Generator``
    it keeps as an attribute (a Dropout in training mode) is checked as it
    is: gradcheck replays its random numbers, so each pass draws the same.

    It works for any layer or loss that follows the contract, your own
    included, and on a copy of it in float64 (a float32 model too), so the
    layer you pass is left exactly as it was: weights, gradients, running
    statistics, random state and what its last forward pass kept. It runs
    two forward passes per element, so use a small input.

    Args:
        layer: The layer (or model, or loss) to check.
        x: An input (for a loss, a prediction): a number or a small array.
        target: For a loss only: the target to compare with.
        eps: The finite-difference step.
        atol: The absolute tolerance.
        rtol: The relative tolerance.
        raise_exception: If False, return False instead of raising.

    Returns:
        True when every gradient matches.

    Raises:
        GradcheckError: If a gradient is wrong; the message names the layer,
            the gradient (the input's or the parameter's), the element, both
            values, and the mistake or habit behind it when it is a known one.
        TypeError: If ``layer`` is neither a Layer nor a Loss, or cannot be
            copied, or ``x`` or a tolerance is not numeric.
        ValueError: If ``eps`` is not a finite positive number, a tolerance
            is negative or not finite, or a loss is given no target.

    Examples:
        >>> from nanonet import Linear, MSELoss, Sigmoid, Sequential
        >>> gradcheck(Sequential(Linear(2.0), Sigmoid()), [0.5, -1.0, 3.0])
        True
        >>> gradcheck(MSELoss(), [0.5, -1.0], [0.0, 0.0])
        True
    """
    if not isinstance(layer, (Layer, Loss)):
        raise TypeError(f"gradcheck needs a Layer or a Loss, got {type(layer).__name__}")
    x = as_value(x, "x")
    tolerance = _Tolerance(
        as_positive_number(eps, "eps"),
        as_positive_number(atol, "atol", allow_zero=True),
        as_positive_number(rtol, "rtol", allow_zero=True),
    )
    if isinstance(layer, Loss) and target is None:
        raise ValueError("gradcheck of a loss needs the target: gradcheck(loss_fn, x, target)")
    try:
        work = copy.deepcopy(layer)  # the caller's layer stays exactly as it is
    except Exception as error:
        raise TypeError(
            f"gradcheck checks a copy of {type(layer).__name__}, and copying it failed: {error}"
        ) from None
    if isinstance(work, Loss):
        problem = _check_loss(work, x, target, tolerance)
    else:
        work.to(FLOAT64)
        forward = _Replay(work)
        problem = None
        if isinstance(work, Iterable):  # a model: find the first broken layer, if any
            problem = _first_broken_layer(work, x, tolerance, forward)
        problem = problem or _check_layer(work, x, tolerance, forward)
    if problem is None:
        return True
    if raise_exception:
        raise GradcheckError(f"gradcheck failed for {type(layer).__name__}: {problem}")
    return False


Forward = Callable[[Layer, Value], Any]


def _first_broken_layer(
    model: Iterable, x: Value, tolerance: _Tolerance, forward: Forward, prefix: str = ""
) -> str | None:
    """Check each layer of ``model`` on the input it sees; describe the first that fails.

    A model inside the model is looked into first, so the message names the
    layer itself by its place: ``layer 0.1`` is the second layer of layer 0.
    """
    for index, layer in enumerate(model):
        place = f"{prefix}{index}"
        if isinstance(layer, Iterable):
            problem = _first_broken_layer(layer, x, tolerance, forward, f"{place}.")
            if problem is not None:
                return problem
        problem = _check_layer(layer, x, tolerance, forward)
        if problem is not None:
            return f"layer {place} ({type(layer).__name__}): {problem}"
        x = forward(layer, x)
    return None


def _check_layer(layer: Layer, x: Value, tolerance: _Tolerance, forward: Forward) -> str | None:
    """Everything gradcheck checks on one layer at input ``x``: None, or what is wrong."""
    original = copy_value(x)
    output = forward(layer, x)
    if _changed(x, original):
        return "forward changed its input array in place; compute a new array instead"
    again = forward(layer, x)
    if _changed(again, output):
        return _not_repeatable(output, again)
    weights = _projection(output)
    given = copy_value(weights)
    for parameter in layer.parameters():
        parameter.zero_grad()
    returned = layer.backward(weights)
    if _changed(x, original):
        return "backward changed the layer's input array in place; compute a new array instead"
    if _changed(weights, given):
        return "backward changed the gradient it was given in place; compute a new array instead"
    grad_x = _as_gradient(returned, x)
    if isinstance(grad_x, str):
        return grad_x
    batch = _Batch(x)
    problem = _compare(
        _Gradient("input x", "x", x, grad_x, batch),
        lambda point: forward(layer, point),
        weights,
        tolerance,
    )
    for name, parameter in layer.named_parameters():
        if problem is not None:
            return problem
        value = copy_value(parameter.value)

        def output_at(new_value: Value, parameter=parameter) -> Any:
            """The output with this parameter set to ``new_value``."""
            parameter.value = new_value
            return forward(layer, x)

        grad = _as_gradient(parameter.grad, value, f"parameter '{name}'")
        if isinstance(grad, str):
            return grad
        short = name.rsplit(".", 1)[-1]
        gradient = _Gradient(f"parameter '{name}'", short, value, grad, batch, parameter=True)
        problem = _compare(gradient, output_at, weights, tolerance)
        parameter.value = value
    return problem or _check_accumulates(layer, x, weights, tolerance, forward)


def _check_accumulates(
    layer: Layer, x: Value, weights: Value, tolerance: _Tolerance, forward: Forward
) -> str | None:
    """Backward twice (each after a forward) must give twice the parameter gradients."""
    parameters = list(layer.named_parameters())
    for _, parameter in parameters:
        parameter.zero_grad()
    forward(layer, x)
    layer.backward(weights)
    once = [copy_value(parameter.grad) for _, parameter in parameters]
    forward(layer, x)
    layer.backward(weights)
    for (name, parameter), first in zip(parameters, once, strict=True):
        twice = np.asarray(parameter.grad, dtype=float)
        expected = 2.0 * np.asarray(first)
        if not all(map(tolerance.close, twice.ravel(), expected.ravel())):
            return (
                f"backward assigns the gradient of parameter '{name}' instead of adding to it: "
                f"it is {_show(first)} after one backward pass and {_show(parameter.grad)} "
                f"after two, not {_show(expected)}. Gradients must add up until zero_grad(): "
                f"write `self.{name.rsplit('.', 1)[-1]}.grad += ...`, not `= ...`"
            )
    return None


def _check_loss(loss_fn: Loss, x: Value, target: object, tolerance: _Tolerance) -> str | None:
    """gradcheck for a loss: backward() against finite differences of loss_fn(x, target)."""
    original = copy_value(x)
    cost = loss_fn(x, target)
    if _changed(x, original):
        return "forward changed the prediction array in place; compute a new array instead"
    again = loss_fn(x, target)
    if _changed(again, cost):
        return _not_repeatable(cost, again)
    grad = _as_gradient(loss_fn.backward(), x, "prediction")
    if isinstance(grad, str):
        return grad
    gradient = _Gradient("prediction", "the prediction", x, grad, _Batch(x))
    return _compare(gradient, lambda point: loss_fn(point, target), 1.0, tolerance)


def _not_repeatable(output: Value, again: Value) -> str:
    with np.errstate(all="ignore"):
        difference = float(np.max(np.abs(np.asarray(again) - np.asarray(output))))
    return (
        "forward is not repeatable: two calls on the same input gave outputs that differ by "
        f"up to {difference:.3g}, so finite differences cannot measure its slope. A layer that "
        "draws random numbers (a Dropout in training mode) must keep its "
        "numpy.random.Generator as an attribute (self.rng), where gradcheck replays it; or "
        "check the model after model.eval()"
    )


def _as_gradient(returned: object, like: Value, whose: str = "input") -> Value | str:
    """A gradient as a value shaped like ``like``, or a sentence saying what is wrong with it.

    ``whose`` says what it is the gradient of: the layer's input, which
    backward returns, or a parameter (``"parameter 'w'"``), whose ``.grad``
    backward fills, or the prediction, which a loss's backward returns.
    """
    told = "backward returned" if whose == "input" else f"the gradient of the {whose} is"
    if returned is None:
        return f"{told} None: did you forget `return`?"
    try:
        grad = as_value(returned, "the gradient")
    except (TypeError, ValueError):
        return f"{told} {returned!r}, which is not a number or an array of numbers"
    got, expected = shape_of(grad), shape_of(like)
    if got != expected:
        shapes = f"shape {got}, but the {whose.split()[0]} has shape {expected}"
        if len(got) == 2 and got == expected[::-1]:
            shapes += (
                ": the transposed shape. Check the order of the factors of the matrix product "
                "that computes it"
            )
        elif whose.startswith("parameter") and got[1:] == expected:
            shapes += " (a batch's gradients must be summed)"
        if whose == "input":
            return f"backward returned a gradient of {shapes}: dC/d(input) must have its shape"
        return f"the gradient of the {whose} has {shapes}"
    return grad


class _Batch:
    """How many samples, and numbers, a value holds: for "exactly the batch size" messages."""

    def __init__(self, x: Value) -> None:
        self.samples = x.shape[0] if isinstance(x, np.ndarray) and x.ndim else 1
        self.numbers = x.size if isinstance(x, np.ndarray) else 1


class _Gradient:
    """One gradient to check: what it is of, its point, what backward computed."""

    def __init__(
        self,
        label: str,
        short: str,
        point: Value,
        analytic: Value,
        batch: _Batch,
        parameter: bool = False,
    ) -> None:
        self.label, self.short, self.point, self.batch = label, short, point, batch
        self.analytic = np.asarray(analytic, dtype=float)
        self.parameter = parameter

    def value_at(self, index: tuple[int, ...]) -> str:
        """``"x = -1.5"``: the value at ``index``, for a message."""
        value = self.point[index] if isinstance(self.point, np.ndarray) else self.point
        return f"{self.short} = {float(value):.6g}"


def _compare(
    gradient: _Gradient,
    output_at: Callable[[Value], Any],
    weights: Value,
    tolerance: _Tolerance,
) -> str | None:
    """Compare one analytic gradient with central differences around its point.

    ``output_at(point)`` is the layer's output (or the loss) at ``point``;
    ``weights`` project it onto one number. Returns None if they match,
    otherwise a sentence describing what is wrong.
    """
    point = gradient.point
    shape = shape_of(point)

    def at(index: tuple[int, ...], step: float) -> Any:
        """The output with element ``index`` of the point moved by ``step``."""
        if not isinstance(point, np.ndarray):
            return output_at(point + step)
        moved = point.copy()
        moved[index] += step
        return output_at(moved)

    def projected(output: Any) -> float:
        return float(np.sum(weights * output))

    eps = tolerance.eps
    numeric = np.empty(shape)
    for index in np.ndindex(shape):
        numeric[index] = (projected(at(index, eps)) - projected(at(index, -eps))) / (2.0 * eps)
    analytic = gradient.analytic
    wrong = [i for i in np.ndindex(shape) if not tolerance.close(analytic[i], numeric[i])]
    still_wrong = []
    for index in wrong:
        found = _closer_look(gradient, index, at, projected, tolerance)
        if isinstance(found, str):
            return found
        if found is not None:  # None: a smooth point near a kink, right after all
            numeric[index] = found
            still_wrong.append(index)
    if not still_wrong:
        return None
    return _describe(gradient, numeric, still_wrong, tolerance)


def _closer_look(
    gradient: _Gradient,
    index: tuple[int, ...],
    at: Callable[[tuple[int, ...], float], Any],
    projected: Callable[[Any], float],
    tolerance: _Tolerance,
) -> float | str | None:
    """Look again at one element whose gradient differs: a kink, a point near one, or wrong.

    The output's slope on the left and on the right of the point, along
    this element, must agree where there is a derivative. If they differ,
    the step may straddle a kink nearby (ReLU at x = 1e-9): smaller steps
    then bring them together, and the gradient is compared there.

    Returns:
        The numeric gradient, where it differs from backward's; None if it
            matches at a smaller step; or the sentence for a kink.
    """
    step = tolerance.eps
    for _ in range(CLOSER_LOOKS):
        middle = np.asarray(at(index, 0.0), dtype=float)
        below = np.asarray(at(index, -step), dtype=float)
        above = np.asarray(at(index, step), dtype=float)
        left, right = (middle - below) / step, (above - middle) / step
        if tolerance.all_close(left, right):
            numeric = (projected(above) - projected(below)) / (2.0 * step)
            return None if tolerance.close(gradient.analytic[index], numeric) else numeric
        step /= 10.0
    worst = np.unravel_index(int(np.argmax(np.abs(left - right))), left.shape)
    which = "" if left.ndim == 0 or worst == index else f" (the slope of output {worst})"
    return (
        f"{gradient.label}{_where(index)} is at a kink, where the function has no derivative: "
        f"its slope is {float(left[worst]) + 0.0:.6g} on the left and "
        f"{float(right[worst]) + 0.0:.6g} on "
        f"the right{which}, at {gradient.value_at(index)}. Check the layer at a point away "
        "from the kink"
    )


def _describe(
    gradient: _Gradient, numeric: np.ndarray, wrong: list[tuple[int, ...]], tolerance: _Tolerance
) -> str:
    """What is wrong with a gradient: a known mistake's pattern, or the first wrong element."""
    analytic, label = gradient.analytic, gradient.label
    first = wrong[0]
    both = f"backward gives {_show(analytic[first])}, finite differences {_show(numeric[first])}"
    values = f"({both}{_where(first, ' at')})"
    moving = np.abs(numeric) > tolerance.atol  # where the output changes with this value
    every = " at every element" if numeric.size > 1 else ""
    if moving.any() and tolerance.all_close(analytic, -numeric):
        return f"the gradient of {label} has its sign flipped{every} {values}"
    if moving.any():
        ratio = float(np.median(analytic[moving] / numeric[moving]))
        if tolerance.all_close(analytic, ratio * numeric) and (moving.sum() > 1 or _simple(ratio)):
            times, why = _times(ratio, gradient)
            return f"the gradient of {label} is {times}{every} {values}{why}"
    if analytic.ndim == 2 and analytic.shape[0] == analytic.shape[1] > 1:
        if tolerance.all_close(analytic, numeric.T):
            return (
                f"the gradient of {label} is the transpose of the right one {values}: check "
                "the order of the factors of the matrix product that computes it"
            )
    count = f"{len(wrong)} of its {numeric.size} elements" if numeric.size > 1 else "its value"
    example = f" (first at index {first}, where {gradient.value_at(first)})" if first else ""
    if not moving[first] and all(not moving[index] for index in wrong):
        return (
            f"backward passes on a gradient for {label} where the output does not change with "
            f"it, at {count}{example}: {both}. A mask is missing, as in ReLU's "
            "`grad * (x > 0)`, which passes the gradient only where x > 0"
        )
    if all(abs(analytic[index]) <= tolerance.atol for index in wrong):
        return (
            f"backward gives no gradient for {label} at {count}{example}, where the output "
            f"does change with it: {both}"
        )
    ratios = [analytic[index] / numeric[index] for index in wrong if moving[index]]
    if len(ratios) == len(wrong) and (len(ratios) > 1 or _simple(ratios[0])):
        if all(tolerance.close(r, ratios[0]) for r in ratios) and ratios[0] != 0.0:
            times, why = _times(ratios[0], gradient)
            return (
                f"the gradient of {label} is {times} at {count}{example}, and right at the "
                f"others: {both}{why}"
            )
    return (
        f"the gradient of {label}{_where(first)} differs: analytic (from backward) "
        f"{float(analytic[first])!r}, numeric (finite differences) {float(numeric[first])!r}"
    )


def _simple(ratio: float) -> bool:
    """Whether ``ratio`` (or its inverse) is a whole number, 2 or more, up to a sign."""
    size = abs(ratio)
    for value in (size, 1.0 / size) if size else ():
        if value >= 1.5 and abs(value - round(value)) <= 1e-6 * value:
            return True
    return False


def _times(ratio: float, gradient: _Gradient) -> tuple[str, str]:
    """``("4 times too small, exactly the batch size (4)", ": a parameter that ...")``.

    The batch size is named only from 3 samples on: with 2, a factor 2 has
    too many other causes.
    """
    size = abs(ratio)
    factor = size if size >= 1.0 else 1.0 / size
    shown = f"{round(factor)}" if _simple(ratio) else f"{factor:.4g}"
    words = f"{shown} times too {'large' if size >= 1.0 else 'small'}"
    if ratio < 0:
        words += ", with its sign flipped"
    batch = gradient.batch
    for count, what in (
        (batch.samples, "the batch size"),
        (batch.numbers, "the number of elements"),
    ):
        if count > 2 and abs(factor - count) <= 1e-6 * count:
            words += f", exactly {what} ({count})"
            if gradient.parameter and size < 1.0:
                why = (
                    "a parameter that every sample shares gets the sum of the samples' "
                    "gradients, not their mean"
                )
            elif size >= 1.0:
                why = "where the forward takes a mean over them, backward divides by their count"
            else:
                why = "a division by their count where none belongs (a mean where a sum belongs)"
            return words, f": {why}"
    return words, ""


def _where(index: tuple[int, ...], word: str = " at") -> str:
    return f"{word} index {index}" if index else ""


def _changed(value: Value, original: Value) -> bool:
    return not np.array_equal(value, original, equal_nan=True)


def _show(value: Value) -> str:
    if np.ndim(value) == 0:
        return f"{float(value) + 0.0:.6g}"
    return np.array2string(np.asarray(value))


def _projection(output: Value) -> Value:
    """Fixed random weights shaped like the output, between 0.5 and 1.5 in size."""
    rng = np.random.default_rng(12345)
    size = None if not isinstance(output, np.ndarray) else output.shape
    weights = rng.uniform(0.5, 1.5, size) * rng.choice([-1.0, 1.0], size)
    return float(weights) if size is None else weights
