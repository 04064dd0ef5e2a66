"""Functions that layers and losses share: sigmoid, tanh, relu, softmax, log_softmax, total, numel.

They see numbers and arrays only, never layers, so losses can use them too
(as PyTorch's ``torch.nn.functional``). Each takes a Python float (one
sample, computed with Python's own math, so the chapter's network stays
fast and exact) or a numpy array (a batch), and returns the same kind.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ._checks import Value, as_value


def sigmoid(x: Any) -> Value:
    """Return ``1 / (1 + exp(-x))``, to machine precision, for every float.

    The textbook formula is accurate wherever it can be evaluated; its only
    flaw is that ``exp(-x)`` overflows for x below about -709.78. Below
    x = -700 the sigmoid is ``exp(x) / (1 + exp(x))``, which is ``exp(x)`` to
    double precision (``exp(x)`` is under 1e-304 there), so that is what it
    gives: the tiny values keep their relative precision, and nothing
    overflows. Results: exactly 1.0 at +inf, exactly 0.0 at -inf, NaN stays
    NaN, and numpy never warns. A batch gives each element the value it gets
    on its own (Python's ``math.exp`` for a number, numpy's for an array).

    Args:
        x: A real number, or an array (or nested list) of real numbers.

    Returns:
        The sigmoid of ``x``: a float for a number, a new array for an array.

    Raises:
        TypeError: If ``x`` is not a real number or an array of them.

    Examples:
        >>> sigmoid(0.0), sigmoid(4)
        (0.5, 0.9820137900379085)
        >>> sigmoid(-1000.0), sigmoid(float("inf"))
        (0.0, 1.0)
    """
    if not isinstance(x, float) and not isinstance(x, np.ndarray):
        x = as_value(x, "x", dtype=None)  # an int, a numpy number, a list: converted or refused
    if isinstance(x, float):  # one number: Python's own math, a float out
        return 1.0 / (1.0 + math.exp(-x)) if x > -700.0 else math.exp(x)
    s = 1.0 / (1.0 + np.exp(-np.maximum(x, -700.0)))  # (exp(700) is below 1e305: no overflow)
    tail = x < -700.0
    if tail.any():
        s[tail] = np.exp(x[tail])
    return s


def tanh(x: Value) -> Value:
    """Return the hyperbolic tangent of ``x``: a float for a number, a new array for an array.

    Examples:
        >>> tanh(0.0), tanh(np.array([-1e300, 1e300]))
        (0.0, array([-1.,  1.]))
    """
    return math.tanh(x) if isinstance(x, float) else np.tanh(x)


def relu(x: Value) -> Value:
    """Return ``max(x, 0)``, element by element: a float for a number, a new array for an array.

    Examples:
        >>> relu(-2.0), relu(np.array([-1.0, 0.5]))
        (0.0, array([0. , 0.5]))
    """
    return max(x, 0.0) if isinstance(x, float) else np.maximum(x, 0.0)


def log_softmax(x: object, axis: int = -1) -> np.ndarray:
    """Return ``log(softmax(x))`` along ``axis``, stable for any finite input.

    ``log(exp(x_i) / sum_j exp(x_j)) = x_i - log(sum_j exp(x_j))``, and
    subtracting the largest ``x_j`` first changes nothing in the result but
    keeps every ``exp`` at most 1: no overflow, even for inputs of 1e300.

    Args:
        x: An array (or nested list) of real numbers.
        axis: The axis that holds the classes.

    Returns:
        A new array shaped like ``x``.

    Examples:
        >>> print(np.round(log_softmax([0.0, 0.0]), 4))
        [-0.6931 -0.6931]
        >>> print(log_softmax([1000.0, 0.0]))
        [    0. -1000.]
    """
    x = np.asarray(as_value(x, "x", dtype=None))
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def softmax(x: object, axis: int = -1) -> np.ndarray:
    """Return ``exp(x) / sum(exp(x))`` along ``axis``: scores turned into probabilities.

    Computed as ``exp(log_softmax(x))``, so it is stable for any finite input.

    Examples:
        >>> p = softmax([[1.0, 2.0, 3.0], [0.0, 0.0, 1000.0]])
        >>> print(np.round(p, 4))
        [[0.09   0.2447 0.6652]
         [0.     0.     1.    ]]
        >>> print(p.sum(axis=1))
        [1. 1.]
    """
    return np.exp(log_softmax(x, axis))


def total(values: Value) -> float:
    """The sum of all the numbers in ``values``, as a float: a number is its own total.

    A weight that every sample shares gets the sum of the samples'
    gradients, ``total(grad * x)``: for the chapter's one sample, that is
    the product itself.

    Examples:
        >>> total(1.5), total(np.array([[1.0, 2.0], [3.0, 4.0]]))
        (1.5, 10.0)
    """
    return values if isinstance(values, float) else float(values.sum())


def numel(values: Value) -> int:
    """How many numbers ``values`` holds (PyTorch's ``numel``): 1 for a number.

    Examples:
        >>> numel(1.5), numel(np.zeros((4, 3)))
        (1, 12)
    """
    return 1 if isinstance(values, float) else values.size
