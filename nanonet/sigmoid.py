"""Sigmoid: the tutorial's squashing function, computed stably."""

from __future__ import annotations

from math import exp

import numpy as np

from ._checks import Value
from .layer import Layer


def sigmoid(x: Value) -> Value:
    """Return ``1 / (1 + exp(-x))``, to machine precision and warning-free for every float.

    The textbook formula is accurate wherever it can be evaluated: its only
    flaw is that ``exp(-x)`` overflows for x below about -709.78. Exactly
    there, and only there, the equivalent form ``exp(x) / (1 + exp(x))``
    takes over: it never overflows and keeps the tiny results' relative
    precision. (A shortcut through ``tanh`` would not: ``1 + tanh(x/2)``
    cancels for negative x and loses every digit.)

    Results: exactly 1.0 at +inf, exactly 0.0 at -inf, NaN stays NaN, no
    warnings. A batch gives each element the value it gets on its own.

    Args:
        x: A float or a float64 array.

    Returns:
        sigmoid(x): a float for a float, a new array for an array.

    Examples:
        >>> sigmoid(0.0)
        0.5
        >>> sigmoid(-1000.0), sigmoid(float("inf"))
        (0.0, 1.0)
    """
    if type(x) is float:
        try:
            return 1.0 / (1.0 + exp(-x))
        except OverflowError:  # x < -709.78
            e = exp(x)
            return e / (1.0 + e)
    # Arrays: the textbook formula in one new buffer, in place, in four passes.
    out = np.negative(x)
    try:
        with np.errstate(over="raise"):
            np.exp(out, out=out)
    except FloatingPointError:  # some x < -709.78
        return _sigmoid_with_tail(x)
    out += 1.0
    return np.reciprocal(out, out=out)


def _sigmoid_with_tail(x: np.ndarray) -> np.ndarray:
    """sigmoid for an array in which ``exp(-x)`` overflows somewhere.

    The textbook formula everywhere, then ``exp(x) / (1 + exp(x))`` where
    ``exp(-x)`` overflowed to inf.
    """
    with np.errstate(over="ignore"):
        exp_minus_x = np.exp(-x)
    out = 1.0 / (1.0 + exp_minus_x)
    tail = np.isinf(exp_minus_x)
    e = np.exp(x[tail])
    out[tail] = e / (1.0 + e)
    return out


class Sigmoid(Layer):
    """The logistic sigmoid, ``s = 1 / (1 + exp(-x))``, a node's activation.

    It squashes any activity into (0, 1). Its derivative can be written
    with its own output, ``ds/dx = s * (1 - s)``, so forward caches the
    output and backward needs nothing else. See `sigmoid` for how it
    stays exact and warning-free for every float, including +-inf and NaN.

    Examples:
        >>> layer = Sigmoid()
        >>> layer(0.0)
        0.5
        >>> layer.backward(1.0)       # s * (1 - s) at s = 0.5
        0.25
    """

    __slots__ = ("_output",)

    def __init__(self) -> None:
        self._output: Value | None = None

    def forward(self, x: Value) -> Value:
        """Return sigmoid(x) and cache it for backward."""
        self._output = sigmoid(x)
        return self._output

    def backward(self, grad: Value) -> Value:
        """Return ``grad * s * (1 - s)``, using the cached output ``s``."""
        s = self._output
        if type(grad) is float and type(s) is float:
            return grad * s * (1.0 - s)
        grad = self._check_grad(grad, s)
        result = np.subtract(1.0, s)  # one new array, then in place
        with np.errstate(all="ignore"):
            result *= s
            result *= grad
        return result
