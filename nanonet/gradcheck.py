"""gradcheck: test a layer's backward against finite differences."""

from __future__ import annotations

import numpy as np

from ._checks import Value, as_positive_number, as_value, copy_value, shape_of
from .layer import Layer
from .parameter import Parameter


class GradcheckError(RuntimeError):
    """Raised by `gradcheck` when an analytic gradient is wrong.

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


def gradcheck(
    layer: Layer,
    x: object,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """Check every gradient ``layer.backward`` computes against finite differences.

    Backward is only worth trusting once it has been tested, and the test is
    the definition of a derivative. gradcheck turns the layer's output ``y``
    into one number, ``L = sum(v * y)`` with fixed random weights ``v``, and
    compares

    * the gradients backward computes from ``grad = v`` (the input's, which
      backward returns, and each parameter's, which it adds to ``.grad``)
    * with central differences ``(L(a + eps) - L(a - eps)) / (2 * eps)``,
      nudging each element ``a`` of the input and of every parameter.

    Each pair must satisfy ``|analytic - numeric| <= atol + rtol * |numeric|``.
    This works for any layer that follows the `Layer` contract,
    Sequential and your own layers included. It runs two forward passes per
    element, so use a small input. When it returns, every parameter's value
    and gradient is as it was before the call (the layer's forward cache is
    not: call gradcheck before a forward pass, not between one and its
    backward).

    Args:
        layer: The layer to check.
        x: An input: a number or a (small) array.
        eps: The finite-difference step.
        atol: The absolute tolerance.
        rtol: The relative tolerance.
        raise_exception: If False, return False instead of raising.

    Returns:
        True when every gradient matches.

    Raises:
        GradcheckError: If a gradient differs; the message names the
            gradient (the input's or the parameter's), the element and both
            values.
        TypeError: If ``layer`` is not a Layer, or ``x`` or a tolerance is
            not numeric.
        ValueError: If ``eps`` is not a finite positive number, or a
            tolerance is negative or not finite.

    Examples:
        >>> from nanonet import Linear, Sigmoid, Sequential
        >>> gradcheck(Sequential(Linear(2.0), Sigmoid()), [0.5, -1.0, 3.0])
        True
    """
    if not isinstance(layer, Layer):
        raise TypeError(f"gradcheck needs a Layer, got {type(layer).__name__}")
    x = as_value(x, "x")
    eps = as_positive_number(eps, "eps")
    atol = as_positive_number(atol, "atol", allow_zero=True)
    rtol = as_positive_number(rtol, "rtol", allow_zero=True)
    parameters = list(layer.named_parameters())
    saved = [(p.value, copy_value(p.grad)) for _, p in parameters]
    try:
        weights = _projection(layer(x))

        def loss(point: Value) -> float:
            """L = sum(weights * y) at input ``point`` and the current parameters."""
            return float(np.sum(weights * layer(point)))

        for _, p in parameters:
            p.zero_grad()
        grad_x = layer.backward(weights)
        problem = _compare("input x", x, grad_x, loss, eps, atol, rtol)
        for name, p in parameters:
            if problem is not None:
                break
            value = p.value

            def loss_at(new_value: Value, p: Parameter = p) -> float:
                """L with this parameter set to ``new_value``."""
                p.value = new_value
                return loss(x)

            problem = _compare(f"parameter '{name}'", value, p.grad, loss_at, eps, atol, rtol)
            p.value = value
    finally:
        for (_, p), (value, grad) in zip(parameters, saved, strict=True):
            p.value, p.grad = value, grad
    if problem is None:
        return True
    if raise_exception:
        raise GradcheckError(f"gradcheck failed for {type(layer).__name__}: {problem}")
    return False


def _projection(output: Value) -> Value:
    """Fixed random weights shaped like the output, between 0.5 and 1.5 in size."""
    rng = np.random.default_rng(12345)
    size = None if type(output) is float else np.shape(output)
    weights = rng.uniform(0.5, 1.5, size) * rng.choice([-1.0, 1.0], size)
    return float(weights) if size is None else weights


def _compare(label, point, analytic, loss, eps, atol, rtol) -> str | None:
    """Compare one analytic gradient with central differences of ``loss``.

    Returns:
        None if they match, otherwise a sentence describing the first mismatch.
    """
    try:
        analytic = as_value(analytic, "gradient")
    except (TypeError, ValueError):
        return f"the gradient of {label} is not numeric: {analytic!r}"
    if shape_of(analytic) != shape_of(point):
        return (
            f"the gradient of {label} has shape {shape_of(analytic)}, "
            f"but {label} has shape {shape_of(point)}"
        )
    if type(point) is float:
        numeric = (loss(point + eps) - loss(point - eps)) / (2.0 * eps)
        return _mismatch(label, "", analytic, numeric, atol, rtol)
    for index in np.ndindex(point.shape):
        plus, minus = point.copy(), point.copy()
        plus[index] += eps
        minus[index] -= eps
        numeric = (loss(plus) - loss(minus)) / (2.0 * eps)
        problem = _mismatch(label, f" at index {index}", analytic[index], numeric, atol, rtol)
        if problem is not None:
            return problem
    return None


def _mismatch(label, where, analytic, numeric, atol, rtol) -> str | None:
    if abs(analytic - numeric) <= atol + rtol * abs(numeric):
        return None
    return (
        f"the gradient of {label}{where} differs: analytic (from backward) "
        f"{float(analytic)!r}, numeric (finite differences) {numeric!r}"
    )
