"""Input checks shared by every part of nanonet.

nanonet computes with exactly two kinds of values:

* a Python ``float`` for a single number, and
* a ``float64`` numpy array for a batch of numbers.

`as_value` turns whatever a user passes in into one of those two kinds,
or raises a clear error naming the argument. `is_value` says, cheaply,
whether a value already is one of them, so that checks cost almost nothing
on the happy path.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from numbers import Real
from typing import TypeGuard, TypeVar, Union

import numpy as np

Value = Union[float, np.ndarray]  # noqa: UP007 (an alias evaluated at run time)
"""What nanonet computes with: a float for one sample, a float64 array for a batch.

It is one of exactly two kinds:

* a Python ``float``, when the input is one number (the chapter's network
  computes with these), or
* a numpy array of dtype ``float64``, of any shape, when it is a batch:
  every element is a sample, computed on its own.

Calling a layer (``layer(x)``) converts what you pass, an int, a list or an
array of another real dtype, to one of the two, so ``forward`` and
``backward`` only ever see a ``Value``.
"""

FLOAT64 = np.dtype(np.float64)
T = TypeVar("T")

# dtype kinds that hold real numbers: bool, signed int, unsigned int, float.
_REAL_KINDS = "biuf"


def is_value(value: object) -> TypeGuard[Value]:
    """Return True if ``value`` is already a float or a float64 array.

    Examples:
        >>> is_value(1.0), is_value(np.zeros(2)), is_value(1), is_value([1.0])
        (True, True, False, False)
    """
    return type(value) is float or (type(value) is np.ndarray and value.dtype is FLOAT64)


@np.errstate(all="ignore")
def quietly(function: Callable[..., T], *args: object) -> T:
    """Call ``function(*args)`` with numpy's floating-point warnings off.

    nanonet reports inf and NaN as errors where values enter a loss or an
    optimizer, in the user's terms; a warning from deep inside numpy before
    that would only be noise. (As a decorator, ``np.errstate`` costs half
    what a ``with`` block does, on a path taken at every training step.)

    Examples:
        >>> print(quietly(np.divide, 1.0, np.zeros(1)))
        [inf]
    """
    return function(*args)


def as_value(value: object, name: str) -> Value:
    """Convert a number or an array of numbers to nanonet's two value kinds.

    Args:
        value: A real number (Python or numpy), or an array or (nested) list
            of real numbers.
        name: What the value is, for error messages (``"input of Linear"``).

    Returns:
        A Python float for a number or a 0-d array; a float64 numpy array
            for anything with one or more dimensions. A float64 array is
            returned as is, never copied.

    Raises:
        TypeError: If ``value`` is not a real number or an array of them
            (for example a string, None, a complex number or an object).
        ValueError: If ``value`` is a ragged nested list.

    Examples:
        >>> as_value(2, "x")
        2.0
        >>> as_value([1, 2], "x")
        array([1., 2.])
    """
    if type(value) is float:  # the fast path: nothing to check
        return value
    if isinstance(value, np.ndarray):
        array = value
    elif isinstance(value, Real):  # int, bool, Fraction, numpy ints and floats
        return float(value)
    elif isinstance(value, (list, tuple, np.generic)):
        try:
            array = np.asarray(value)
        except ValueError as err:  # ragged lists
            raise ValueError(f"{name} must be a rectangular array of numbers: {err}") from None
    else:
        raise TypeError(
            f"{name} must be a real number or an array of real numbers, got {type(value).__name__}"
        )
    if array.dtype.kind not in _REAL_KINDS:
        raise TypeError(f"{name} must hold real numbers, got an array of dtype {array.dtype}")
    if array.ndim == 0:
        return float(array)
    return array.astype(np.float64, copy=False)


def as_real_number(value: object, name: str) -> float:
    """Check that ``value`` is a single real number and return it as a float.

    Args:
        value: The number to check.
        name: The argument's name, used in error messages.

    Returns:
        ``value`` as a Python float.

    Raises:
        TypeError: If ``value`` is not a real number (bools are refused too:
            ``True`` is almost always a mistake where a number is expected).

    Examples:
        >>> as_real_number(1, "lr")
        1.0
    """
    if type(value) is float:
        return value
    if isinstance(value, Real) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf":
        return float(value)
    raise TypeError(f"{name} must be a real number, got {type(value).__name__}")


def as_positive_number(value: object, name: str, *, allow_zero: bool = False) -> float:
    """Check that ``value`` is a finite number above zero (or at least zero).

    Args:
        value: The number to check.
        name: The argument's name, used in error messages.
        allow_zero: Accept zero as well.

    Returns:
        ``value`` as a Python float.

    Raises:
        TypeError: If ``value`` is not a real number.
        ValueError: If it is inf, NaN, negative, or zero (unless allowed).

    Examples:
        >>> as_positive_number(0.1, "lr")
        0.1
    """
    number = as_real_number(value, name)
    if not (math.isfinite(number) and (number > 0.0 or (allow_zero and number == 0.0))):
        kind = "non-negative" if allow_zero else "positive"
        raise ValueError(f"{name} must be a finite {kind} number, got {number}")
    return number


def as_count(value: object, name: str, *, minimum: int = 1) -> int:
    """Check that ``value`` is an int (not a bool) of at least ``minimum``.

    Examples:
        >>> as_count(3, "batch_size")
        3
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def as_generator(rng: object) -> np.random.Generator:
    """Return ``rng`` if it is a Generator, or a new Generator seeded with it.

    ``None`` gives a Generator seeded from the operating system: fresh
    randomness each time.

    Raises:
        TypeError: If ``rng`` is neither None, a Generator nor an int.
        ValueError: If the seed is negative.

    Examples:
        >>> as_generator(0).random() == as_generator(0).random()
        True
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is not None and (isinstance(rng, bool) or not isinstance(rng, (int, np.integer))):
        raise TypeError(
            f"rng must be a numpy.random.Generator or an int seed, got {type(rng).__name__}"
        )
    if rng is not None and rng < 0:
        raise ValueError(f"rng must be a non-negative seed, got {rng}")
    return np.random.default_rng(rng)


def as_path(path: object) -> str:
    """Return ``path`` (a str or an os.PathLike) as a str, or raise TypeError.

    Examples:
        >>> from pathlib import Path
        >>> as_path(Path("weights.npz"))
        'weights.npz'
    """
    if isinstance(path, (str, os.PathLike)):
        path = os.fspath(path)
        if isinstance(path, str):
            return path
    raise TypeError(
        f"path must be a str or an os.PathLike such as pathlib.Path, got {type(path).__name__}"
    )


def copy_value(value: Value) -> Value:
    """Return a copy that later changes to ``value`` cannot reach.

    A float is immutable, so it is its own copy; a numpy scalar or 0-d array
    becomes a float, and an array a new float64 array.

    Examples:
        >>> original = np.array([1.0, 2.0])
        >>> copy = copy_value(original)
        >>> original[0] = 5.0
        >>> copy
        array([1., 2.])
    """
    if type(value) is float:
        return value
    if np.ndim(value) == 0:
        return float(value)
    return np.array(value, dtype=np.float64)


def is_finite(value: Value) -> bool:
    """Return True if every number in ``value`` is finite (not inf or NaN).

    Examples:
        >>> is_finite(1.0), is_finite(float("nan"))
        (True, False)
    """
    if type(value) is float:
        return math.isfinite(value)
    return bool(np.isfinite(value).all())


def shape_of(value: Value) -> tuple[int, ...]:
    """Return the shape of a value: ``()`` for a float, ``array.shape`` otherwise.

    Examples:
        >>> shape_of(1.0), shape_of(np.zeros((2, 3)))
        ((), (2, 3))
    """
    return value.shape if isinstance(value, np.ndarray) else ()


def describe_nonfinite(value: Value) -> str:
    """Say where ``value`` is not finite, for an error message.

    Examples:
        >>> describe_nonfinite(float("nan"))
        'it is nan'
        >>> describe_nonfinite(np.array([1.0, np.inf, np.nan]))
        '2 of its 3 elements are inf or NaN (the first, at index (1,), is inf)'
    """
    if not isinstance(value, np.ndarray):
        return f"it is {value}"
    bad = np.flatnonzero(~np.isfinite(value))
    first = tuple(int(i) for i in np.unravel_index(bad[0], value.shape))
    return (
        f"{bad.size} of its {value.size} elements are inf or NaN "
        f"(the first, at index {first}, is {value[first]})"
    )


def largest_magnitude(value: Value) -> float:
    """The largest absolute value in ``value``, for an error message.

    Examples:
        >>> largest_magnitude(np.array([1.0, -3.0]))
        3.0
    """
    return float(np.max(np.abs(value))) if isinstance(value, np.ndarray) else abs(value)
