"""Optimizer: the base class every optimizer builds on, built-in or your own."""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from math import isfinite
from typing import Any, ClassVar, Union

import numpy as np

from .._checks import (
    Value,
    as_positive_number,
    as_value,
    describe_nonfinite,
    is_finite,
    refuse,
    shape_of,
)
from ..parameter import Parameter

ParameterList = Iterable[Union[Parameter, "tuple[str, Parameter]"]]


class Optimizer:
    """The base class of every optimizer: what they share, around one method of math.

    A subclass implements ``update(value, grad, state)``, which returns a
    parameter's new value; ``state`` is that parameter's own dict, kept from
    step to step (momentum, running averages). The base class holds the
    rest: the parameters (``params``), the learning rate ``lr``, `step`,
    `zero_grad`, and `state_dict` / `load_state_dict` for saving and
    resuming, in PyTorch's layout.

    `step` is where what ``update`` returns enters the parameters, so it is
    checked there: a number for a number, an array of its shape for an
    array, finite. Every new value is computed and checked before any is
    written: either every parameter takes its step, or, with an error that
    names the parameter and the cause, none does. (The optimizer's own
    state, such as Adam's averages, may then hold the failed step: load a
    saved `state_dict` to go on.)

    An update that treats every number on its own, as SGD's and Adam's do,
    gives the same result on a parameter or on many parameters laid end to
    end. Such an optimizer sets ``elementwise = True``, and `step` then
    updates all its array parameters together, as one flat array, in one
    call of ``update``: a few large numpy operations instead of many small
    ones, which is what costs time on small arrays. Its ``state`` is kept
    flat too; ``optimizer.state`` and `state_dict` show it per parameter.

    Args:
        parameters: The parameters to train, usually ``model.parameters()``;
            ``model.named_parameters()`` works too, and errors then use the
            names (else the position: "parameter 0 (shape (64, 64))").
        lr: The learning rate, a finite number of at least 0. Assign
            ``optimizer.lr`` to change it (a schedule does).

    Attributes:
        params (list[Parameter]): The parameters it trains, in order.
        lr (float): The learning rate.
        hyperparameters (tuple[str, ...]): The names of the settings
            `state_dict` saves (each an argument of the constructor).
        elementwise (bool): Whether ``update`` treats every number on its
            own (False unless a subclass says so).

    Raises:
        TypeError: If ``parameters`` is not an iterable of Parameters (or of
            (name, Parameter) pairs), or ``lr`` is not a real number.
        ValueError: If ``parameters`` is empty or repeats a parameter, or
            ``lr`` is negative or not finite.

    Examples:
        Sign descent, which moves each weight by ``lr`` whatever the
        gradient's size:

        >>> class SignSGD(Optimizer):
        ...     def update(self, value, grad, state):
        ...         return value - self.lr * np.sign(grad)
        >>> w = Parameter([1.0, 1.0])
        >>> optimizer = SignSGD([w], lr=0.1)
        >>> w.grad = np.array([5.0, -0.01])
        >>> optimizer.step()
        >>> w.value
        array([0.9, 1.1])
    """

    hyperparameters: ClassVar[tuple[str, ...]] = ("lr",)
    elementwise: ClassVar[bool] = False

    def __init__(self, parameters: ParameterList, lr: float) -> None:
        self._names, self.params = _named_list(parameters, type(self).__name__)
        self.lr = as_positive_number(lr, "lr", allow_zero=True)  # (a schedule may bring it to 0)
        arrays = [i for i, p in enumerate(self.params) if p.shape] if self.elementwise else []
        self._flat = arrays if len(arrays) > 1 else []  # the parameters updated as one flat array
        self._alone = [i for i in range(len(self.params)) if i not in self._flat]
        stops = np.cumsum([self.params[i].value.size for i in self._flat]).tolist()
        self._parts = [slice(start, stop) for start, stop in zip([0, *stops], stops, strict=False)]
        self._states: list[dict[str, Any]] = [{} for _ in self.params]  # (the ones alone use them)
        self._flat_state: dict[str, Any] = {}
        self._values = self._grads = np.zeros(0)  # the flat group's, laid out by _flat_views
        self._rows: list[tuple[Parameter, np.ndarray, np.ndarray]] = []  # (p, its value, as a row)

    def update(self, value: Value, grad: Value, state: dict[str, Any]) -> Value:
        """Return a parameter's new value: the optimizer's math.

        Args:
            value: The parameter's value (do not change it in place).
            grad: Its gradient, dC/d(value).
            state: This parameter's own dict, kept from step to step (empty
                at the first step).

        Returns:
            The new value: a number, or a new array shaped like ``value``.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement update()")

    def step(self) -> None:
        """Update every parameter with `update`: all of them, or (on an error) none.

        Raises:
            TypeError: If ``update`` returns None or something that is not a
                value of the parameter's kind.
            ValueError: If a gradient's, or a new value's, shape differs
                from the parameter's.
            FloatingPointError: If a new value is inf or NaN, because its
                gradient is or because the update overflows (the training
                diverges). The message names the parameter and ``lr``.
        """
        update, params, states = self.update, self.params, self._states
        checked = []  # (parameter, its new value)
        for index in self._alone:
            parameter = params[index]
            value = parameter._value
            new = update(value, parameter.grad, states[index])
            if type(new) is not float or type(value) is not float or not isfinite(new):
                new = new if _fits(new, value) else self._refused(index, new)
            checked.append((parameter, new))
        if self._flat:
            values, grads = self._flat_views()
            flat: Any = update(values, grads, self._flat_state)
            flat = flat if _fits(flat, values) else self._refused(-1, flat)
        for parameter, new in checked:  # all checked: now write them
            if type(new) is float:
                parameter._value = new
            else:
                np.copyto(parameter._value, new)  # in place: the parameter keeps its array
        if self._flat:
            for (_, _, row), part in zip(self._rows, self._parts, strict=False):
                row[...] = flat[part]  # into the parameter's own array, of which row is a view

    def _flat_views(self) -> tuple[np.ndarray, np.ndarray]:
        """The flat group's values and grads, end to end, for one call of ``update``.

        The values are gathered at every step into a buffer of the optimizer's
        own: each parameter keeps its own array, and `step` writes the new
        numbers back into it. The grads are the other buffer itself: each
        parameter's grad is a view into it, so backward passes add into it.
        The buffers are laid out at the first step, and again whenever
        something replaced a parameter's value or grad since (`Layer.to`, a
        second optimizer, a layer that assigns its gradient).
        """
        rows, grads = self._rows, self._grads
        if not rows or any(p._value is not v or p.grad.base is not grads for p, v, _ in rows):
            self._check_gradients(self._flat)
            group = [self.params[index] for index in self._flat]
            self._grads = np.concatenate([p.grad.ravel() for p in group])
            self._values = np.empty_like(self._grads)
            for p, part in zip(group, self._parts, strict=False):
                p.grad = self._grads[part].reshape(p.shape)
            self._rows = [(p, p._value, p._value.reshape(-1)) for p in group]
        np.concatenate([row for _, _, row in self._rows], out=self._values)
        return self._values, self._grads

    def _check_gradients(self, indices: list[int]) -> None:
        """Raise if the gradient of one of the parameters at ``indices`` does not fit it."""
        for i in indices:
            name, grad, shape = self._names[i], self.params[i].grad, self.params[i].shape
            if shape_of(grad) != shape:
                raise ValueError(
                    f"the gradient of {name} has shape {shape_of(grad)}, but its value has "
                    f"shape {shape}; no parameter was updated"
                )
            if not is_finite(grad):
                raise FloatingPointError(
                    f"the gradient of {name} is not finite: {describe_nonfinite(grad)}. "
                    + _diverging(self.lr)
                )

    def _refused(self, index: int, new: Any) -> Value:
        """``new`` as a float if it is a numpy number that fits; else the error, with its cause.

        ``index`` -1 is the flat group: its parameters are looked at one by one.
        """
        group = self._flat if index < 0 else [index]
        self._check_gradients(group)
        name = self._names[index] if index >= 0 else "the array parameters (updated together)"
        shape = self.params[index].shape if index >= 0 else self._values.shape
        returned = f"{type(self).__name__}.update() returned"
        if new is None:
            raise TypeError(f"{returned} None for {name}: did you forget `return`?")
        new = as_value(new, f"what {returned} for {name}", None)  # a numpy number: a float
        if shape_of(new) != shape:
            kind, value = (
                f"an array of shape {s}" if s else "a number" for s in (shape_of(new), shape)
            )
            raise ValueError(f"{returned} {kind} for {name}, whose value is {value}")
        pieces = [new[part] for part in self._parts] if index < 0 else [new]
        for i, piece in zip(group, pieces, strict=True):
            if not is_finite(piece):
                raise FloatingPointError(
                    f"the update of {self._names[i]} overflows: its new value is not finite. "
                    + _diverging(self.lr)
                )
        return new

    def zero_grad(self) -> None:
        """Reset the gradient of every parameter to zero."""
        for parameter in self.params:
            parameter.zero_grad()

    @property
    def parameters(self) -> list[Parameter]:
        """Deprecated: the list is ``params`` (``parameters()`` is a model's method)."""
        warnings.warn(
            "optimizer.parameters is now optimizer.params (as PyTorch's "
            "param_groups[0]['params']); parameters() is a model's method",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.params

    @property
    def state(self) -> list[dict[str, Any]]:
        """One dict per parameter: what the optimizer keeps between steps for it.

        For the parameters updated together (see ``elementwise``) the
        arrays are views of their part of the flat state.
        """
        states = list(self._states)
        for index, part in zip(self._flat, self._parts, strict=False):
            shape = self.params[index].shape
            states[index] = {
                key: value[part].reshape(shape) if np.ndim(value) else value
                for key, value in self._flat_state.items()
            }
        return states

    # -- saving and resuming ----------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        """Return the optimizer's state: a new dict, laid out as PyTorch's.

        ``"state"`` maps each parameter's position to a copy of its state
        (only parameters that have state appear), and ``"param_groups"``
        holds one group with the hyperparameters and the positions of the
        parameters. `load_state_dict` of it into a new optimizer over the
        same parameters continues the training where it was, bit for bit.

        Examples:
            >>> from nanonet import SGD
            >>> w = Parameter(1.0)
            >>> optimizer = SGD([w], lr=0.1, momentum=0.9)
            >>> w.grad = 2.0
            >>> optimizer.step()
            >>> state = optimizer.state_dict()
            >>> state["state"]
            {0: {'momentum_buffer': 2.0}}
            >>> state["param_groups"][0]["momentum"], state["param_groups"][0]["params"]
            (0.9, [0])
        """
        settings = _copied({name: getattr(self, name) for name in self.hyperparameters})
        return {
            "state": {i: _copied(state) for i, state in enumerate(self.state) if state},
            "param_groups": [{**settings, "params": list(range(len(self.params)))}],
        }

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore the state that `state_dict` returned; everything is checked first.

        Args:
            state_dict: A dict from `state_dict`, for an optimizer of the
                same kind over parameters of the same shapes.

        Raises:
            TypeError: If ``state_dict`` is not a mapping.
            ValueError: If it does not fit this optimizer (the message lists
                every problem); the optimizer is then unchanged.
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"state_dict must be a mapping, got {type(state_dict).__name__}")
        groups, states = state_dict.get("param_groups"), state_dict.get("state")
        group = groups[0] if isinstance(groups, list) and len(groups) == 1 else None
        if not isinstance(group, Mapping) or not isinstance(states, Mapping):
            raise ValueError(
                f"cannot load this state into {type(self).__name__}: it must be a dict with "
                "'param_groups', a list of one dict, and 'state', a dict by parameter position"
            )
        problems: list[str] = []
        if list(group.get("params", [])) != list(range(len(self.params))):
            problems.append(f"'param_groups' lists {len(group.get('params', []))} parameters; "
                            f"this optimizer has {len(self.params)}")  # fmt: skip
        try:  # a new optimizer checks the settings as the constructor does
            settings: dict[str, Any] = {name: group.get(name) for name in self.hyperparameters}
            fresh = type(self)(self.params, **settings)
        except (TypeError, ValueError) as err:
            problems.append(f"'param_groups': {err}")
        new_states: list[dict[str, Any]] = [{} for _ in self.params]
        for index, state in states.items():
            if not (
                isinstance(index, int)
                and 0 <= index < len(self.params)
                and isinstance(state, Mapping)
            ):
                problems.append(
                    f"'state' has an entry {index!r}, not a parameter's position with a dict"
                )
                continue
            for key, value in state.items():
                try:
                    new_states[index][key] = self._checked_state(index, key, value)
                except (TypeError, ValueError) as err:
                    problems.append(f"the state of {self._names[index]}, {key!r}: {err}")
        flat = [new_states[index] for index in self._flat]  # to be laid end to end again
        if any(s.keys() != flat[0].keys() or s.get("step") != flat[0].get("step") for s in flat):
            problems.append("the array parameters, updated together, must have the same state")
        refuse(problems, f"cannot load this state into {type(self).__name__}")
        for name in self.hyperparameters:
            setattr(self, name, getattr(fresh, name))
        self._states = new_states
        self._flat_state = {
            key: np.concatenate([np.ravel(s[key]) for s in flat]) if np.ndim(value) else value
            for key, value in (flat[0] if flat else {}).items()
        }

    def _checked_state(self, index: int, key: str, value: object) -> Any:
        """A copy of one state entry: a step count, or a finite value shaped as the parameter."""
        if key == "step":
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
                raise ValueError(f"must be a non-negative int, got {value!r}")
            return int(value)
        value = Parameter(value, self.params[index].dtype).value  # checks: numeric and finite
        if shape_of(value) != self.params[index].shape:
            raise ValueError(f"expected shape {self.params[index].shape}, got {shape_of(value)}")
        return value

    def __repr__(self) -> str:
        settings = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.hyperparameters)
        return f"{type(self).__name__}({settings}, parameters={len(self.params)})"


def _diverging(lr: float) -> str:
    """The end of the message for a step that is not finite."""
    return (
        f"The training is diverging: lower the learning rate first (it is lr={lr}); "
        "no parameter was updated"
    )


def _fits(new: object, value: Value) -> bool:
    """Whether ``new`` can replace ``value``: a finite float, or a finite array of its shape."""
    if type(new) is float:
        return type(value) is float and isfinite(new)
    return type(new) is np.ndarray and new.shape == np.shape(value) and bool(np.isfinite(new).all())


def _copied(state: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a dict of settings or state that later changes cannot reach."""
    return {key: np.array(v) if isinstance(v, np.ndarray) else v for key, v in state.items()}


def _named_list(parameters: ParameterList, owner: str) -> tuple[list[str], list[Parameter]]:
    """Turn Parameters or (name, Parameter) pairs into a list of names and one of Parameters."""
    if isinstance(parameters, Parameter) or not isinstance(parameters, Iterable):
        raise TypeError(
            f"{owner} expects an iterable of Parameters, such as model.parameters(), "
            f"got {type(parameters).__name__}"
        )
    names: list[str] = []
    found: list[Parameter] = []
    for index, item in enumerate(parameters):
        name = None
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
            name, item = f"parameter {item[0]!r}", item[1]  # from named_parameters()
        if not isinstance(item, Parameter):
            hint = "; pass model.parameters()" if hasattr(item, "parameters") else ""
            raise TypeError(
                f"{owner} expects Parameters, but item {index} is a {type(item).__name__}{hint}"
            )
        if any(item is other for other in found):
            raise ValueError(f"{owner} got the same Parameter twice ({name or f'item {index}'})")
        names.append(name or f"parameter {index} (shape {item.shape})")
        found.append(item)
    if not found:
        raise ValueError(f"{owner} got an empty list of parameters")
    return names, found
