"""gradcheck: test a layer's or a loss's backward against finite differences; say what broke."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from .._checks import Value, as_positive_number, as_value, shape_of
from ..layer import Layer
from ..loss import Loss
from ._steps import copy_value


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
        ...     print("caught", type(error).__name__)
        caught GradcheckError
        >>> gradcheck(Square(), 1.0, raise_exception=False)
        False
    """


class _Tolerance:
    """The finite-difference step and the tolerances of one gradcheck."""

    def __init__(self, eps: float, atol: float, rtol: float) -> None:
        self.eps, self.atol, self.rtol = eps, atol, rtol

    def close(self, a: float, b: float) -> bool:
        return abs(a - b) <= self.atol + self.rtol * abs(b)


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

    gradcheck also catches the habits that break layers, and says which:
    a ``backward`` that *assigns* a parameter's gradient instead of adding
    to it (it runs backward twice and expects twice the gradient), one that
    returns None or an array of the wrong shape, and a ``forward`` or
    ``backward`` that changes its caller's array in place. At a kink, such
    as ReLU at exactly 0, it says the point is not differentiable. Inside a
    model that is a sequence of layers (a `nanonet.Sequential`), it checks
    each layer on the input that layer saw and names the first broken one.

    It works for any layer or loss that follows the contract, your own
    included. It runs two forward passes per element, so use a small input.
    When it returns, every parameter's value and gradient is as it was
    before the call (the layer's forward cache is not: call gradcheck
    before a forward pass, not between one and its backward).

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
            values, and the habit that broke it when it is a known one.
        TypeError: If ``layer`` is neither a Layer nor a Loss, or ``x`` or a
            tolerance is not numeric.
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
    if isinstance(layer, Loss):
        if target is None:
            raise ValueError("gradcheck of a loss needs the target: gradcheck(loss_fn, x, target)")
        problem = _check_loss(layer, x, target, tolerance)
    else:
        parameters = list(layer.parameters())
        saved = [(p, copy_value(p.value), copy_value(p.grad)) for p in parameters]
        try:
            problem = None
            if isinstance(layer, Iterable):  # a model: find the first broken layer, if any
                problem = _first_broken_layer(layer, x, tolerance)
            problem = problem or _check_layer(layer, x, tolerance)
        finally:
            for p, value, grad in saved:
                p.value, p.grad = value, grad
    if problem is None:
        return True
    if raise_exception:
        raise GradcheckError(f"gradcheck failed for {type(layer).__name__}: {problem}")
    return False


def _first_broken_layer(model: Iterable, x: Value, tolerance: _Tolerance) -> str | None:
    """Check each layer of ``model`` on the input it sees; describe the first that fails."""
    for index, layer in enumerate(model):
        problem = _check_layer(layer, x, tolerance)
        if problem is not None:
            return f"layer {index} ({type(layer).__name__}): {problem}"
        x = layer(x)
    return None


def _check_layer(layer: Layer, x: Value, tolerance: _Tolerance) -> str | None:
    """Everything gradcheck checks on one layer at input ``x``: None, or what is wrong."""
    original = copy_value(x)
    output = layer(x)
    if _changed(x, original):
        return "forward changed its input array in place; compute a new array instead"
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

    def loss(point: Value) -> float:
        """L = sum(weights * y) at input ``point`` and the current parameters."""
        return float(np.sum(weights * layer(point)))

    problem = _compare("input x", x, grad_x, loss, tolerance)
    for name, parameter in layer.named_parameters():
        if problem is not None:
            return problem
        value = copy_value(parameter.value)

        def loss_at(new_value: Value, parameter=parameter) -> float:
            """L with this parameter set to ``new_value``."""
            parameter.value = new_value
            return loss(x)

        grad = _as_gradient(parameter.grad, value, f"parameter '{name}'")
        if isinstance(grad, str):
            return grad
        problem = _compare(f"parameter '{name}'", value, grad, loss_at, tolerance)
        parameter.value = value
    return problem or _check_accumulates(layer, x, weights, tolerance)


def _check_accumulates(layer: Layer, x: Value, weights: Value, tolerance: _Tolerance) -> str | None:
    """Backward twice (each after a forward) must give twice the parameter gradients."""
    parameters = list(layer.named_parameters())
    for _, parameter in parameters:
        parameter.zero_grad()
    layer(x)
    layer.backward(weights)
    once = [copy_value(parameter.grad) for _, parameter in parameters]
    layer(x)
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
    loss_fn(x, target)
    if _changed(x, original):
        return "forward changed the prediction array in place; compute a new array instead"
    grad = _as_gradient(loss_fn.backward(), x, "prediction")
    if isinstance(grad, str):
        return grad
    return _compare("prediction", x, grad, lambda point: loss_fn(point, target), tolerance)


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
    if shape_of(grad) != shape_of(like):
        shapes = f"shape {shape_of(grad)}, but the {whose.split()[0]} has shape {shape_of(like)}"
        if whose == "input":
            return f"backward returned a gradient of {shapes}: dC/d(input) must have its shape"
        return f"the gradient of the {whose} has {shapes} (a batch's gradients must be summed)"
    return grad


def _changed(value: Value, original: Value) -> bool:
    return not np.array_equal(value, original, equal_nan=True)


def _show(value: Value) -> str:
    return repr(float(value)) if np.ndim(value) == 0 else np.array2string(np.asarray(value))


def _projection(output: Value) -> Value:
    """Fixed random weights shaped like the output, between 0.5 and 1.5 in size."""
    rng = np.random.default_rng(12345)
    size = None if not isinstance(output, np.ndarray) else output.shape
    weights = rng.uniform(0.5, 1.5, size) * rng.choice([-1.0, 1.0], size)
    return float(weights) if size is None else weights


def _compare(
    label: str,
    point: Value,
    analytic: Value,
    loss: Callable[[Value], float],
    tolerance: _Tolerance,
) -> str | None:
    """Compare one analytic gradient with central differences of ``loss`` around ``point``.

    Returns:
        None if they match, otherwise a sentence describing the first mismatch.
    """
    for index in np.ndindex(shape_of(point)):

        def nudged(step: float, index: tuple[int, ...] = index) -> float:
            """The loss with element ``index`` of ``point`` moved by ``step``."""
            if not isinstance(point, np.ndarray):
                return loss(point + step)
            moved = point.copy()
            moved[index] += step
            return loss(moved)

        eps = tolerance.eps
        numeric = (nudged(eps) - nudged(-eps)) / (2.0 * eps)
        value = float(analytic[index] if isinstance(analytic, np.ndarray) else analytic)
        if tolerance.close(value, numeric):
            continue
        where = f" at index {index}" if index else ""
        left = (nudged(0.0) - nudged(-eps)) / eps
        right = (nudged(eps) - nudged(0.0)) / eps
        if not tolerance.close(left, right):
            return (
                f"{label}{where} is at a kink, where the function has no derivative: its "
                f"slope is {left:.6g} on the left and {right:.6g} on the right (backward "
                f"gave {value + 0.0:.6g}). Check the layer at a point away from the kink"
            )
        return (
            f"the gradient of {label}{where} differs: analytic (from backward) "
            f"{value!r}, numeric (finite differences) {numeric!r}"
        )
    return None
