"""Parameter: a value that training changes, and the gradient that says how."""

from __future__ import annotations

from math import isfinite
from typing import Any

import numpy as np

from ._checks import Value, as_value, copy_value, is_finite, shape_of


class Parameter:
    """A trainable value together with its gradient.

    A layer stores each of its weights as a Parameter attribute; that is all
    it takes for `Layer.parameters` to find it and for an optimizer to
    train it.

    * ``value`` holds the number (or array of numbers) the layer computes with.
    * ``grad`` holds dC/d(value), the gradient of the cost with respect to the
      value. It has the same shape as ``value`` and starts at zero. A layer's
      ``backward`` *adds* to it, so gradients from several backward passes
      accumulate until `zero_grad` resets them (as in PyTorch).

    A single number is stored as a Python float and an array as a float64
    numpy array that the Parameter owns: the constructor copies the array
    you pass, and assigning ``value`` later copies the new numbers into it,
    so the shape never changes and no one else's array is trained.
    Assigning goes through the same checks as the constructor.

    Args:
        value: The initial value: a finite real number, or an array (or
            nested list) of finite real numbers.

    Attributes:
        grad (float | numpy.ndarray): dC/d(value), shaped like the value.
        name (str): The name under which a model last listed this parameter
            (``"0.weight"``), or ``""``; error messages use it.
        grad_resets (int): How many times `zero_grad` has reset the gradient
            (`nanonet.History` uses it to see a missing ``zero_grad()``).

    Raises:
        TypeError: If ``value`` is not a real number or an array of them.
        ValueError: If ``value`` contains inf or NaN, or (on assignment)
            its shape is not the parameter's shape.

    Examples:
        >>> w = Parameter(2.0)
        >>> w
        Parameter(2.0)
        >>> w.grad
        0.0
        >>> w.grad += 0.5   # what a layer's backward does
        >>> w.value = 1.5   # checked: finite, and the same shape
        >>> w.zero_grad()
        >>> w, w.grad
        (Parameter(1.5), 0.0)
    """

    __slots__ = ("_value", "grad", "name", "grad_resets")

    def __init__(self, value: object) -> None:
        self._value: Value = copy_value(_checked(value, "Parameter value"))  # our own copy
        self.grad: Value = 0.0
        self.name = ""
        self.grad_resets = 0
        self.zero_grad()

    @property
    def value(self) -> Any:  # a float or a float64 array (Any: layers know which they hold)
        """The number (a float) or array (float64) the layer computes with.

        Assigning a new value checks it as the constructor does and copies it
        into the parameter.
        """
        return self._value

    @value.setter
    def value(self, value: object) -> None:
        own = self._value
        if type(value) is float and type(own) is float and isfinite(value):
            self._value = value  # one number: the common case, already checked
            return
        label = f"Parameter {self.name!r} value" if self.name else "Parameter value"
        new = _checked(value, label)
        if shape_of(new) != shape_of(own):
            raise ValueError(
                f"{label} must keep its shape {shape_of(own)}, got shape {shape_of(new)}; "
                "to change a shape, make a new Parameter"
            )
        if isinstance(own, np.ndarray):
            np.copyto(own, new)  # in place: the parameter keeps its own array
        else:
            self._value = float(new)

    @property
    def shape(self) -> tuple[int, ...]:
        """The shape of the value: ``()`` for a single number."""
        return shape_of(self._value)

    def zero_grad(self) -> None:
        """Reset the gradient to zero (a new zero of the value's shape)."""
        value = self._value
        self.grad = 0.0 if type(value) is float else np.zeros(shape_of(value))
        self.grad_resets += 1

    def __repr__(self) -> str:
        value = self._value
        if not isinstance(value, np.ndarray):
            return f"Parameter({value!r})"
        values = np.array2string(value, separator=", ", prefix="Parameter(")
        return f"Parameter({values})"


def _checked(value: object, label: str) -> Value:
    """``value`` as a float or float64 array, or a TypeError/ValueError naming ``label``."""
    value = as_value(value, label)
    if not is_finite(value):
        raise ValueError(f"{label} must be finite, got {value!r}")
    return value
