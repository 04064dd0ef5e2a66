"""Parameter: a value that training changes, and the gradient that says how."""

from __future__ import annotations

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
    numpy array (a copy of the one you pass, so the Parameter owns it).

    Args:
        value: The initial value: a finite real number, or an array (or
            nested list) of finite real numbers.

    Raises:
        TypeError: If ``value`` is not a real number or an array of them.
        ValueError: If ``value`` contains inf or NaN.

    Examples:
        >>> w = Parameter(2.0)
        >>> w
        Parameter(2.0)
        >>> w.grad
        0.0
        >>> w.grad += 0.5   # what a layer's backward does
        >>> w.zero_grad()
        >>> w.grad
        0.0
    """

    __slots__ = ("value", "grad")

    def __init__(self, value: object) -> None:
        value = as_value(value, "Parameter value")
        if not is_finite(value):
            raise ValueError(f"Parameter value must be finite, got {value!r}")
        self.value: Value = copy_value(value)  # our own copy
        self.grad: Value = 0.0
        self.zero_grad()

    @property
    def shape(self) -> tuple:
        """The shape of the value: ``()`` for a single number."""
        return shape_of(self.value)

    def zero_grad(self) -> None:
        """Reset the gradient to zero (a new zero of the value's shape)."""
        self.grad = 0.0 if type(self.value) is float else np.zeros_like(self.value)

    def __repr__(self) -> str:
        if type(self.value) is float:
            return f"Parameter({self.value!r})"
        values = np.array2string(self.value, separator=", ", prefix="Parameter(")
        return f"Parameter({values})"
