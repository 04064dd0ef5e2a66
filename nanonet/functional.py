"""Functions on arrays that layers and losses share: sigmoid, softmax and log_softmax.

They see numbers and arrays only, never layers, so losses can use them too
(as PyTorch's ``torch.nn.functional``).
"""

from __future__ import annotations

from math import exp

import numpy as np

from ._checks import Value, as_value, is_value


def sigmoid(x: object) -> Value:
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
        x: A real number, or an array (or nested list) of real numbers.

    Returns:
        The sigmoid of ``x``, a float for a number, a new float64 array for
            an array.

    Raises:
        TypeError: If ``x`` is not a real number or an array of them.

    Examples:
        >>> sigmoid(0.0), sigmoid(4)
        (0.5, 0.9820137900379085)
        >>> sigmoid(-1000.0), sigmoid(float("inf"))
        (0.0, 1.0)
    """
    if type(x) is not float and not is_value(x):
        x = as_value(x, "x")
    if type(x) is float:
        try:
            return 1.0 / (1.0 + exp(-x))
        except OverflowError:  # x < -709.78
            e = exp(x)
            return e / (1.0 + e)
    assert isinstance(x, np.ndarray)  # (for mypy: as_value gives a float or an array)
    # The textbook formula in one new array, computed in place (fewer temporaries
    # is what makes a large batch fast); numpy reports the rare overflow.
    out = np.negative(x)
    try:
        _exp_in_place(out)
    except FloatingPointError:  # some x < -709.78
        return _sigmoid_with_tail(x)
    out += 1.0
    return np.reciprocal(out, out=out)


@np.errstate(over="raise")  # (as a decorator, errstate costs half what a with block does)
def _exp_in_place(values: np.ndarray) -> None:
    """Replace ``values`` by their exp; raise FloatingPointError if one overflows."""
    np.exp(values, out=values)


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


def log_softmax(x: object, axis: int = -1) -> np.ndarray:
    """Return ``log(softmax(x))`` along ``axis``, stable for any finite input.

    ``log(exp(x_i) / sum_j exp(x_j)) = x_i - log(sum_j exp(x_j))``, and
    subtracting the largest ``x_j`` first changes nothing in the result but
    keeps every ``exp`` at most 1: no overflow, even for inputs of 1e300.

    Args:
        x: An array (or nested list) of real numbers.
        axis: The axis that holds the classes.

    Returns:
        A new float64 array shaped like ``x``.

    Examples:
        >>> print(np.round(log_softmax([0.0, 0.0]), 4))
        [-0.6931 -0.6931]
        >>> print(log_softmax([1000.0, 0.0]))
        [    0. -1000.]
    """
    if not isinstance(x, np.ndarray):
        x = np.asarray(as_value(x, "x"))
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
