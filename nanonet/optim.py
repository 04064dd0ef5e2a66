"""SGD: plain gradient descent, w <- w - lr * dC/dw, for every parameter at once."""

from __future__ import annotations

from collections.abc import Iterable
from math import isfinite
from typing import Union

import numpy as np

from ._checks import Value, as_positive_number, as_value, describe_nonfinite, is_finite
from .parameter import Parameter

ParameterList = Iterable[Union[Parameter, "tuple[str, Parameter]"]]


class SGD:
    """Stochastic gradient descent: ``w <- w - lr * dC/dw`` for every parameter.

    The optimizer sees only `Parameter` objects, never layers: it
    reads each ``.grad`` that backward filled in and moves each ``.value``
    a step of size ``lr`` downhill.

    All parameters are updated together, from gradients computed at the
    same weights. (The tutorial's own loop updates ``w2`` first and then
    uses the *new* ``w2`` in ``w1``'s update; that is a slightly different
    algorithm, so its weights end a little differently.)

    A step never writes inf or NaN into a weight: each new value is checked
    before it is written, and if one is not finite, ``step`` puts back the
    values it already wrote and raises, so no parameter changes.

    Args:
        parameters: The parameters to train, usually ``model.parameters()``.
            ``model.named_parameters()`` works too and puts the names in
            error messages.
        lr: The learning rate, a finite positive number (the tutorial's
            ``alpha``).

    Raises:
        TypeError: If ``parameters`` is not an iterable of Parameters (or of
            (name, Parameter) pairs), or ``lr`` is not a real number.
        ValueError: If ``parameters`` is empty or repeats a parameter, or
            ``lr`` is not finite and positive.

    Examples:
        >>> from nanonet import Parameter
        >>> w = Parameter(2.0)
        >>> optimizer = SGD([w], lr=0.1)
        >>> w.grad = 0.5
        >>> optimizer.step()           # 2.0 - 0.1 * 0.5
        >>> w.value
        1.95
        >>> optimizer.zero_grad()
        >>> w.grad
        0.0
    """

    __slots__ = ("_lr", "_names", "_parameters")

    def __init__(self, parameters: ParameterList, lr: float) -> None:
        self.lr = lr
        self._names, self._parameters = _named_list(parameters)

    @property
    def lr(self) -> float:
        """The learning rate; assigning a new one checks it."""
        return self._lr

    @lr.setter
    def lr(self, lr: float) -> None:
        self._lr = as_positive_number(lr, "lr")

    def step(self) -> None:
        """Update every parameter: ``value <- value - lr * grad``.

        Parameters are updated one after the other, each new value checked
        before it is written. If one is not finite, the parameters already
        updated get their old values back and the step raises: either every
        parameter takes its step, or none does.

        Raises:
            FloatingPointError: If a gradient contains inf or NaN, or an
                update would overflow. The message names the parameter.
            ValueError: If a gradient's shape differs from its value's.
        """
        lr = self._lr
        old_values = []
        for parameter in self._parameters:
            value, grad = parameter.value, parameter.grad
            if type(value) is float and type(grad) is float:
                new = value - lr * grad  # one number: plain float arithmetic
            else:
                new = None
            if new is None or not isfinite(new):
                try:  # an array, or a value that is not finite: the careful path
                    new = self._checked_update(parameter)
                except Exception:  # put back what was written, then report
                    for done, old in zip(self._parameters, old_values, strict=False):
                        done.value = old
                    raise
            parameter.value = new
            old_values.append(value)

    def _checked_update(self, parameter: Parameter) -> Value:
        """Return ``value - lr * grad`` for any parameter, or raise naming it."""
        name = self._names[self._parameters.index(parameter)]
        value, grad = parameter.value, parameter.grad
        if np.shape(grad) != parameter.shape:
            raise ValueError(
                f"the gradient of {name} has shape {np.shape(grad)}, but its value "
                f"has shape {parameter.shape}; no parameter was updated"
            )
        grad = as_value(grad, f"the gradient of {name}")
        if not is_finite(grad):
            raise FloatingPointError(
                f"the gradient of {name} is not finite: {describe_nonfinite(grad)}; "
                "no parameter was updated"
            )
        with np.errstate(all="ignore"):  # an overflow is reported just below
            new = value - self._lr * grad
        if not is_finite(new):
            raise FloatingPointError(
                f"the update of {name} overflows: value - lr * grad is not finite; "
                "no parameter was updated"
            )
        return float(new) if type(value) is float else new

    def zero_grad(self) -> None:
        """Reset the gradient of every parameter to zero."""
        for parameter in self._parameters:
            parameter.zero_grad()

    def __repr__(self) -> str:
        return f"SGD(lr={self._lr!r}, parameters={len(self._parameters)})"


def _named_list(parameters: ParameterList) -> tuple[list[str], list[Parameter]]:
    """Turn Parameters or (name, Parameter) pairs into a list of names and one of Parameters."""
    if isinstance(parameters, Parameter) or not isinstance(parameters, Iterable):
        raise TypeError(
            "SGD expects an iterable of Parameters, such as model.parameters(), "
            f"got {type(parameters).__name__}"
        )
    names, found, seen = [], [], set()
    for index, item in enumerate(parameters):
        name = f"parameter {index}"
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
            name, item = f"parameter '{item[0]}'", item[1]
        if not isinstance(item, Parameter):
            hint = "; pass model.parameters()" if hasattr(item, "parameters") else ""
            raise TypeError(
                f"SGD expects Parameters, but item {index} is a {type(item).__name__}{hint}"
            )
        if id(item) in seen:
            raise ValueError(f"SGD got the same Parameter twice ({name})")
        seen.add(id(item))
        names.append(name)
        found.append(item)
    if not found:
        raise ValueError("SGD got an empty list of parameters")
    return names, found
