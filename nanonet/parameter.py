"""Parameter: a value that training changes, and the gradient that says how."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._checks import FLOAT64, as_float_dtype, as_value, describe_nonfinite, is_finite, shape_of


class Parameter:
    """A trainable value together with its gradient.

    A layer stores each of its weights as a Parameter attribute; that is all
    it takes for `Layer.parameters` to find it and for an optimizer to
    train it.

    * ``value`` holds the number (a Python float) or the array of numbers
      the layer computes with. The constructor checks it (finite real
      numbers) and keeps its own copy of an array (in C order), so no one
      else's array is trained; assigning ``value`` later checks the new
      numbers the same way and copies them into that array, so its shape
      never changes. Optimizers write into that array too: whoever holds it
      sees the training.
    * ``grad`` holds dC/d(value), the gradient of the cost with respect to the
      value. It has the same shape as ``value`` and starts at zero. A layer's
      ``backward`` *adds* to it, so gradients from several backward passes
      accumulate until `zero_grad` resets them (as in PyTorch).

    Args:
        value: The initial value: a finite real number, or an array (or
            nested list) of finite real numbers.
        dtype: The dtype of an array value: float64 (the default) or
            float32. A single number is always a Python float.

    Attributes:
        grad (float | numpy.ndarray): dC/d(value), shaped like the value.
        grad_resets (int): How many times `zero_grad` has reset the gradient.
            Resets happen nowhere else, so tools read it here
            (`nanonet.History` tells a missing ``zero_grad()`` by it).

    Raises:
        TypeError: If ``value`` is not a real number or an array of them.
        ValueError: If ``value`` contains inf or NaN, or (when assigned) has
            another shape.

    Examples:
        >>> w = Parameter(2.0)
        >>> w
        Parameter(2.0)
        >>> w.grad
        0.0
        >>> w.grad += 0.5   # what a layer's backward does
        >>> w.value = 1.5   # checked: a finite number, as the constructor checks
        >>> w.zero_grad()
        >>> w, w.grad
        (Parameter(1.5), 0.0)
    """

    def __init__(self, value: object, dtype: Any = FLOAT64) -> None:
        value = _checked(value, as_float_dtype(dtype))
        # our own copy, in C order (so that an optimizer may view it as one flat row)
        self._value: Any = np.array(value, order="C") if isinstance(value, np.ndarray) else value
        self.grad: Any = 0.0
        self.grad_resets = 0
        self.zero_grad()

    @property
    def value(self) -> Any:  # a float or an array: the layers know which they hold
        """The number (a float) or the array the layer computes with.

        Assigning checks the new value as the constructor does and copies it
        into the parameter's own array.
        """
        return self._value

    @value.setter
    def value(self, value: object) -> None:
        new = _checked(value, self.dtype)
        if shape_of(new) != self.shape:
            raise ValueError(
                f"Parameter value must keep its shape {self.shape}, got shape {shape_of(new)}; "
                "to change a shape, make a new Parameter"
            )
        if isinstance(self._value, float):
            self._value = float(new)
        else:
            np.copyto(self._value, new)  # in place: whoever holds the array sees the change

    @property
    def shape(self) -> tuple[int, ...]:
        """The shape of the value: ``()`` for a single number."""
        return shape_of(self._value)

    @property
    def dtype(self) -> np.dtype:
        """The dtype of an array value; float64 for a single number."""
        return self._value.dtype if isinstance(self._value, np.ndarray) else FLOAT64

    def to(self, dtype: Any) -> None:
        """Make an array value, and its gradient, arrays of ``dtype`` (a number stays a float)."""
        if isinstance(self._value, np.ndarray):
            self._value = self._value.astype(dtype)
            self.grad = np.asarray(self.grad).astype(dtype)

    def zero_grad(self) -> None:
        """Reset the gradient to zero: 0.0 for a number, zeros in the gradient's array for an array.

        As PyTorch's ``zero_grad(set_to_none=False)``, an array gradient is zeroed
        in place (a gradient of the wrong shape, which a broken layer assigned, is
        replaced).
        """
        if isinstance(self._value, float):
            self.grad = 0.0
        elif getattr(self.grad, "shape", None) == self._value.shape:
            self.grad.fill(0.0)
        else:
            self.grad = np.zeros_like(self._value)
        self.grad_resets += 1

    def __repr__(self) -> str:
        if not isinstance(self._value, np.ndarray):
            return f"Parameter({self._value!r})"
        return f"Parameter({np.array2string(self._value, separator=', ', prefix='Parameter(')})"


def _checked(value: object, dtype: np.dtype) -> Any:
    """``value`` as a float or an array of ``dtype``, finite; else a TypeError or ValueError."""
    value = as_value(value, "Parameter value", dtype)
    if not is_finite(value):
        raise ValueError(f"Parameter value must be finite, but {describe_nonfinite(value)}")
    return value
