"""The checks values go through where they enter nanonet, in the user's terms.

nanonet computes with two kinds of values: a Python ``float`` for a single
number (the chapter's network), and a numpy array for a batch. Values from
the user are turned into one of them, or refused with an error naming the
argument, by the functions here, once, where they enter: a layer's or a
model's call, a loss's call, a Parameter, an optimizer's settings and step.
Inside, layers, losses and optimizers trust them.
"""

from __future__ import annotations

import math
import os
from numbers import Real
from typing import Union

import numpy as np

Value = Union[float, np.ndarray]  # noqa: UP007 (an alias evaluated at run time)
"""What nanonet computes with: a float for one sample, an array for a batch.

It is one of exactly two kinds:

* a Python ``float``, when the input is one number (the chapter's network
  computes with these), or
* a numpy array of floating-point numbers (``float64`` unless the model
  was moved to ``float32``), of any shape, when it is a batch: every
  element is a sample, computed on its own.

Calling a layer (``layer(x)``) converts what you pass, an int, a list or an
array of another real dtype, to one of the two, so ``forward`` and
``backward`` only ever see a ``Value``.
"""

FLOAT64 = np.dtype(np.float64)


def as_value(value: object, name: str, dtype: np.dtype | None = FLOAT64) -> Value:
    """Convert a number or an array of numbers to one of nanonet's two kinds.

    Args:
        value: A real number (Python or numpy), or an array or (nested) list
            of real numbers.
        name: What the value is, for error messages (``"input of Linear"``).
        dtype: The floating-point dtype an array gets; None keeps an array
            of floats as it is (float32 stays float32) and makes others float64.

    Returns:
        A Python float for a number or a 0-d array; an array of ``dtype``
            for anything with dimensions (not copied if it already is one).

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
    if type(value) is float:
        return value  # already one of the two kinds: nothing to do
    if type(value) is np.ndarray and value.ndim:
        if value.dtype == dtype or (dtype is None and value.dtype.kind == "f"):
            return value
    if isinstance(value, Real) and not isinstance(value, np.ndarray):
        return float(value)  # int, bool, Fraction, numpy ints and floats
    if not isinstance(value, (np.ndarray, list, tuple, np.generic)):
        raise TypeError(
            f"{name} must be a real number or an array of real numbers, got {type(value).__name__}"
        )
    try:
        array = np.asarray(value)
    except ValueError as err:  # ragged lists
        raise ValueError(f"{name} must be a rectangular array of numbers: {err}") from None
    if array.dtype.kind not in "biuf":  # bool, signed and unsigned ints, floats
        raise TypeError(f"{name} must hold real numbers, got an array of dtype {array.dtype}")
    if array.ndim == 0:
        return float(array)
    return array.astype(dtype or (array.dtype if array.dtype.kind == "f" else FLOAT64), copy=False)


def as_float_dtype(dtype: object) -> np.dtype:
    """Return ``dtype`` as a numpy dtype if it is float32 or float64: what nanonet computes in.

    Examples:
        >>> as_float_dtype("float32")
        dtype('float32')
    """
    try:
        checked = np.dtype(dtype)  # type: ignore[call-overload]
    except TypeError:
        checked = None
    if checked not in (np.float32, np.float64):
        raise TypeError(f"nanonet computes in float32 or float64, got dtype {dtype!r}")
    return checked


def as_real_number(value: object, name: str) -> float:
    """Return ``value``, a real number (not a bool: True is almost always a mistake), as a float.

    Examples:
        >>> as_real_number(1, "lr")
        1.0
    """
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()  # a 0-d array: its number
    if isinstance(value, Real) and not isinstance(value, bool):
        return float(value)
    raise TypeError(f"{name} must be a real number, got {type(value).__name__}")


def as_positive_number(value: object, name: str, *, allow_zero: bool = False) -> float:
    """Return ``value`` as a float if it is finite and above zero (or zero, if allowed).

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
    """Return ``value`` if it is an int (not a bool) of at least ``minimum``.

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
    """Return ``rng`` if it is a Generator, else a new one seeded with it (None: fresh randomness).

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
    if isinstance(path, (str, os.PathLike)) and isinstance(os.fspath(path), str):
        return str(os.fspath(path))
    raise TypeError(
        f"path must be a str or an os.PathLike such as pathlib.Path, got {type(path).__name__}"
    )


def is_finite(value: Value) -> bool:
    """Return True if every number in ``value`` is finite (not inf or NaN).

    Examples:
        >>> is_finite(1.0), is_finite(np.array([1.0, np.nan]))
        (True, False)
    """
    return math.isfinite(value) if isinstance(value, float) else bool(np.isfinite(value).all())


def shape_of(value: object) -> tuple[int, ...]:
    """Return the shape of a value: ``()`` for a number, ``array.shape`` for an array.

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


def refuse(problems: list[str], what: str) -> None:
    """Raise one ValueError that lists every problem, if there is any."""
    if problems:
        raise ValueError(f"{what}; {len(problems)} problem(s):\n  " + "\n  ".join(problems))


def missing_forward(owner: object, error: AttributeError, forward: str, call: str) -> Exception:
    """The error for ``owner``'s backward that met ``error``, a missing attribute.

    A ``backward`` reads what its forward pass kept (``self.x``, say); before
    any forward pass that attribute is missing, and Python's AttributeError
    would not say why. `nanonet.Layer` and `nanonet.Loss` wrap every
    subclass's ``backward``, yours included, and turn such an error into
    this RuntimeError, which does. An AttributeError about another object
    is returned as it was.

    Args:
        owner: The layer or loss whose backward ran.
        error: What it raised.
        forward: What runs the forward pass, for the message: ``"layer(x)"``.
        call: What runs backward, for the message: ``"layer.backward(grad)"``.
    """
    if getattr(error, "obj", None) is not owner:
        return error
    cls = type(owner).__name__
    return RuntimeError(
        f"{cls}.backward() needs a forward pass first: it reads self.{error.name}, which the "
        f"forward pass keeps. Call {forward} before {call} (if a forward pass did come first, "
        f"{cls}'s forward never sets self.{error.name})"
    )
