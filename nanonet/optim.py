"""Optimizers: move every parameter a step downhill (SGD, with momentum, and Adam).

An optimizer sees `Parameter` objects only, never layers: it reads each
``.grad`` that backward filled in and changes each ``.value``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from math import isfinite, sqrt
from typing import Any, ClassVar, Union

import numpy as np

from ._checks import (
    FLOAT64,
    Value,
    as_positive_number,
    as_real_number,
    as_value,
    copy_value,
    describe_nonfinite,
    is_finite,
    quietly,
    shape_of,
)
from .parameter import Parameter

ParameterList = Iterable[Union[Parameter, "tuple[str, Parameter]"]]


class TrainingWarning(UserWarning):
    """A warning about how training goes: a loss that keeps growing, gradients never reset.

    Examples:
        >>> import warnings
        >>> issubclass(TrainingWarning, UserWarning)
        True
    """


class Optimizer:
    """The base class of every optimizer, built-in or your own.

    It holds what every optimizer shares: the parameters and their names,
    the learning rate ``lr``, a ``state`` dict per parameter (momentum and
    the like), `zero_grad`, `state_dict` for saving and resuming, and the
    finite-step guarantee. A subclass implements one method with the math,
    ``update(value, grad, state)``, which returns the parameter's new value.

    `step` computes every new value, checks them all, and only then writes
    them. If a gradient or a new value is inf or NaN, it raises before
    writing anything: either every parameter takes its step, or none does.
    (The optimizer's own state, such as momentum or Adam's averages, may
    have taken in the failed gradients: make a new optimizer, or load a
    saved `state_dict`, before going on.)

    Args:
        parameters: The parameters to train, usually ``model.parameters()``;
            ``model.named_parameters()`` works too.
        lr: The learning rate, a finite positive number.

    Attributes:
        parameters (list[Parameter]): The parameters it trains, in order.
        state (list[dict[str, Any]]): One dict per parameter, for what the
            optimizer keeps between steps (momentum, averages).

    Raises:
        TypeError: If ``parameters`` is not an iterable of Parameters (or of
            (name, Parameter) pairs), or ``lr`` is not a real number.
        ValueError: If ``parameters`` is empty or repeats a parameter, or
            ``lr`` is not finite and positive.

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

    #: The settings `state_dict` saves, besides the per-parameter state.
    hyperparameters: ClassVar[tuple[str, ...]] = ("lr",)

    def __init__(self, parameters: ParameterList, lr: float) -> None:
        self.lr = lr
        self.names, self.parameters = _named_list(parameters, type(self).__name__)
        self.state: list[dict[str, Any]] = [{} for _ in self.parameters]
        self._numbers_only = all(type(p.value) is float for p in self.parameters)
        # (parameter, its state) pairs: `step` runs over them every step. (zip's strict=True
        # costs time there; the lengths match by construction.)
        self._pairs = list(zip(self.parameters, self.state, strict=True))

    @property
    def lr(self) -> float:
        """The learning rate; assigning a new one checks it."""
        return self._lr

    @lr.setter
    def lr(self, lr: float) -> None:
        self._lr = as_positive_number(lr, "lr")

    def update(self, value: Value, grad: Value, state: dict[str, Any]) -> Value:
        """Return the parameter's new value: the optimizer's math.

        Args:
            value: The parameter's current value (do not change it in place).
            grad: Its gradient, finite and shaped like ``value``.
            state: This parameter's own dict, kept from step to step (empty
                at the first step). Change it in place; store floats back.

        Returns:
            The new value, a float or a new array shaped like ``value``.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement update()")

    def step(self) -> None:
        """Update every parameter with `update`: all of them, or (on an error) none.

        Raises:
            FloatingPointError: If a new value is inf or NaN, because its
                gradient is or because the update overflows (the training is
                diverging). The message names the parameter and the learning
                rate.
            ValueError: If a gradient's shape differs from its value's.
        """
        if self._numbers_only:  # one number per parameter, as in the chapter
            self._step_numbers()
            return
        new_values = quietly(self._new_values)  # an overflow is reported, not warned about
        # All checked: write them, into the parameter's own storage (`value =` would check
        # again what was just checked).
        for (parameter, _), new in zip(self._pairs, new_values, strict=False):
            if type(new) is float:
                parameter._value = new
            else:
                np.copyto(parameter.value, new)  # in place: the parameter keeps its array

    def _step_numbers(self) -> None:
        """`step` when every parameter is one number: write each new value once it is
        checked, and put the old ones back if a later one fails (a float is its own copy)."""
        update = self.update
        old_values: list[Value] = []
        for parameter, state in self._pairs:
            value, grad = parameter._value, parameter.grad
            new = update(value, grad, state)
            if type(new) is not float or not isfinite(new):
                try:
                    new = float(self._checked_new_value(len(old_values), new))
                except BaseException:  # put back what was written, then report
                    for done, old in zip(self.parameters, old_values, strict=False):
                        done._value = old
                    raise
            parameter._value = new
            old_values.append(value)

    def _new_values(self) -> list[Value]:
        """Every parameter's new value from `update`, checked: finite, and of its shape."""
        new_values: list[Value] = []
        update = self.update
        for parameter, state in self._pairs:
            value, grad = parameter._value, parameter.grad
            if type(grad) is not float and (
                type(grad) is not np.ndarray
                or type(value) is not np.ndarray
                or grad.shape != value.shape
            ):
                self._check_gradient(len(new_values))  # a gradient unlike its parameter
            new = update(value, grad, state)
            if type(new) is not float or not isfinite(new):  # an array, or a problem
                new = self._checked_new_value(len(new_values), new)
            new_values.append(new)
        return new_values

    def _check_gradient(self, index: int) -> None:
        """Raise if parameter ``index``'s gradient is not a finite value of its shape."""
        name, parameter = self.names[index], self.parameters[index]
        grad = as_value(parameter.grad, f"the gradient of {name}")
        if shape_of(grad) != parameter.shape:
            raise ValueError(
                f"the gradient of {name} has shape {shape_of(grad)}, but its value has "
                f"shape {parameter.shape}; no parameter was updated"
            )
        if not is_finite(grad):
            raise FloatingPointError(
                f"the gradient of {name} is not finite: {describe_nonfinite(grad)}. "
                f"The training is diverging: lower the learning rate first (it is "
                f"lr={self.lr}); no parameter was updated"
            )

    def _checked_new_value(self, index: int, new: object) -> Value:
        """``new`` as a finite value of parameter ``index``'s shape, or raise saying why not."""
        parameter = self.parameters[index]
        if type(new) is not np.ndarray or new.dtype is not FLOAT64:
            new = as_value(new, f"the new value of {self.names[index]}")
        if shape_of(new) != parameter.shape or not is_finite(new):
            self._fail(index)
        return new

    def _fail(self, index: int) -> None:
        """Raise for a new value that is not finite: name the gradient if it is the cause."""
        self._check_gradient(index)
        raise FloatingPointError(
            f"the update of {self.names[index]} overflows: its new value is not finite. The "
            f"training is diverging: lower the learning rate first (it is lr={self.lr}); no "
            "parameter was updated"
        )

    def zero_grad(self) -> None:
        """Reset the gradient of every parameter to zero."""
        for parameter in self.parameters:
            parameter.zero_grad()

    # -- saving and resuming ----------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        """Return the optimizer's state: a new dict, laid out as PyTorch's.

        ``"state"`` maps each parameter's position to a copy of its state
        (only parameters that have state appear), and ``"param_groups"``
        holds one group with the hyperparameters and the positions of the
        parameters. Loading it into a new optimizer over the same
        parameters, with `load_state_dict`, continues the training exactly
        where it was, bit for bit.

        Examples:
            >>> w = Parameter(1.0)
            >>> optimizer = SGD([w], lr=0.1, momentum=0.9)
            >>> w.grad = 2.0
            >>> optimizer.step()
            >>> state = optimizer.state_dict()
            >>> state["state"]
            {0: {'momentum_buffer': 2.0}}
            >>> state["param_groups"]
            [{'lr': 0.1, 'momentum': 0.9, 'params': [0]}]
        """
        settings = {name: _copy(getattr(self, name)) for name in self.hyperparameters}
        return {
            "state": {
                index: {key: _copy(value) for key, value in state.items()}
                for index, state in enumerate(self.state)
                if state
            },
            "param_groups": [{**settings, "params": list(range(len(self.parameters)))}],
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
        owner = type(self).__name__
        problems: list[str] = []
        groups = state_dict.get("param_groups")
        settings: dict[str, Any] = {}
        if not (isinstance(groups, list) and len(groups) == 1 and isinstance(groups[0], Mapping)):
            problems.append("'param_groups' must be a list of one dict")
        else:
            group = groups[0]
            if list(group.get("params", [])) != list(range(len(self.parameters))):
                problems.append(
                    f"'param_groups' lists {len(list(group.get('params', [])))} parameters, "
                    f"this optimizer has {len(self.parameters)}"
                )
            for name in self.hyperparameters:
                if name not in group:
                    problems.append(f"'param_groups' has no {name!r}")
                else:
                    settings[name] = group[name]
        new_state: list[dict[str, Any]] = [{} for _ in self.parameters]
        states = state_dict.get("state")
        if not isinstance(states, Mapping):
            problems.append("'state' must be a dict from parameter position to its state")
            states = {}
        for index, state in states.items():
            if not isinstance(index, (int, np.integer)) or not 0 <= index < len(self.parameters):
                problems.append(f"'state' has an entry for parameter {index!r}, which is not here")
                continue
            if not isinstance(state, Mapping):
                problems.append(f"the state of parameter {index} must be a dict")
                continue
            for key, value in state.items():
                try:
                    new_state[int(index)][key] = self._checked_state(int(index), key, value)
                except (TypeError, ValueError) as err:
                    problems.append(f"the state of {self.names[index]}, {key!r}: {err}")
        if not problems:
            original = {name: getattr(self, name) for name in self.hyperparameters}
            try:
                for name, value in settings.items():
                    setattr(self, name, value)  # the setters check them
            except (TypeError, ValueError) as err:
                for name, value in original.items():
                    setattr(self, name, value)
                problems.append(str(err))
        if problems:
            raise ValueError(
                f"cannot load this state into {owner}; {len(problems)} problem(s):\n  "
                + "\n  ".join(problems)
            )
        for own, new in zip(self.state, new_state, strict=True):
            own.clear()  # (in place: `step` keeps these dicts)
            own.update(new)

    def _checked_state(self, index: int, key: str, value: object) -> object:
        """A copy of one state entry: a step count, or a finite value shaped as the parameter."""
        if key == "step":
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
                raise ValueError(f"must be a non-negative int, got {value!r}")
            return int(value)
        value = as_value(value, "the value")
        if shape_of(value) != self.parameters[index].shape:
            raise ValueError(
                f"expected shape {self.parameters[index].shape}, got {shape_of(value)}"
            )
        if not is_finite(value):
            raise ValueError(f"must be finite, but {describe_nonfinite(value)}")
        return copy_value(value)

    def __repr__(self) -> str:
        settings = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.hyperparameters)
        return f"{type(self).__name__}({settings}, parameters={len(self.parameters)})"


class SGD(Optimizer):
    """Stochastic gradient descent: ``w <- w - lr * dC/dw``, optionally with momentum.

    Plain SGD (``momentum=0``) is the chapter's update, for every parameter
    at once. All parameters are updated together, from gradients computed at
    the same weights. (The chapter's own loop updates ``w2`` first and then
    uses the *new* ``w2`` in ``w1``'s update; that is a slightly different
    algorithm, so its weights end a little differently.)

    With momentum, each parameter keeps a running sum of its gradients that
    decays by ``momentum`` per step, ``b <- momentum * b + dC/dw`` (``b``
    is the first gradient at the first step), and moves along it,
    ``w <- w - lr * b``: steps grow along directions the gradient keeps
    pointing to and cancel where it zig-zags. This is PyTorch's rule, step
    for step.

    Args:
        parameters: The parameters to train, usually ``model.parameters()``.
            ``model.named_parameters()`` works too.
        lr: The learning rate, a finite positive number (the chapter's
            ``alpha``).
        momentum: How much of the running sum each step keeps, a finite
            number of at least 0 (0.9 is common).

    Raises:
        TypeError: If ``parameters`` is not an iterable of Parameters (or of
            (name, Parameter) pairs), or ``lr`` or ``momentum`` is not a
            real number.
        ValueError: If ``parameters`` is empty or repeats a parameter,
            ``lr`` is not finite and positive, or ``momentum`` is negative.

    Examples:
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

    hyperparameters = ("lr", "momentum")

    def __init__(self, parameters: ParameterList, lr: float, momentum: float = 0.0) -> None:
        self.momentum = momentum
        super().__init__(parameters, lr)

    @property
    def momentum(self) -> float:
        """The momentum; assigning a new one checks it."""
        return self._momentum

    @momentum.setter
    def momentum(self, momentum: float) -> None:
        self._momentum = as_positive_number(momentum, "momentum", allow_zero=True)

    def update(self, value: Value, grad: Value, state: dict[str, Any]) -> Value:
        """Return ``value - lr * grad``, or with momentum ``value - lr * b``."""
        momentum = self._momentum
        if momentum:
            buffer = state.get("momentum_buffer")
            if buffer is None:
                buffer = copy_value(grad)  # the first step: b = dC/dw
            else:
                buffer *= momentum  # b <- momentum * b + dC/dw, in place
                buffer += grad
            state["momentum_buffer"] = buffer  # (a float is a new object: store it back)
            grad = buffer
        new = grad * -self._lr  # the step's one new array (or number) ...
        new += value  # ... becomes value - lr * grad, as PyTorch adds -lr * grad
        return new


class Adam(Optimizer):
    """Adam: each parameter gets a step size of its own, from its gradients' history.

    Adam keeps two running averages per parameter, of the gradient and of
    its square, ``m <- beta1 * m + (1 - beta1) * g`` and
    ``v <- beta2 * v + (1 - beta2) * g**2``. Both start at 0, which biases
    them towards 0 in the first steps; dividing by ``1 - beta**t`` at step
    ``t`` removes that bias. The step is then
    ``w <- w - lr * m_hat / (sqrt(v_hat) + eps)``: about ``lr`` in size
    wherever the gradient points the same way step after step, smaller
    where it is noisy, whatever the gradient's scale. This is PyTorch's
    ``torch.optim.Adam`` (without weight decay), computed in the same
    order, step for step.

    Args:
        parameters: The parameters to train, usually ``model.parameters()``.
        lr: The learning rate, a finite positive number.
        betas: The decay rates ``(beta1, beta2)`` of the two averages, each
            in [0, 1).
        eps: Added to the denominator so it is never 0, a finite positive
            number.

    Raises:
        TypeError: If an argument is not of the right kind.
        ValueError: If ``lr`` or ``eps`` is not finite and positive, or a
            beta is outside [0, 1).

    Examples:
        >>> w = Parameter([1.0, 1.0])
        >>> optimizer = Adam([w], lr=0.1)
        >>> w.grad = np.array([100.0, -0.01])    # very different scales ...
        >>> optimizer.step()
        >>> print(np.round(w.value, 6))           # ... the same step size, lr
        [0.9 1.1]
    """

    hyperparameters = ("lr", "betas", "eps")

    def __init__(
        self,
        parameters: ParameterList,
        lr: float = 0.001,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-08,
    ) -> None:
        self.betas = betas
        self.eps = eps
        super().__init__(parameters, lr)

    @property
    def betas(self) -> tuple[float, float]:
        """The decay rates (beta1, beta2); assigning new ones checks them."""
        return self._betas

    @betas.setter
    def betas(self, betas: tuple[float, float]) -> None:
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"betas must be a pair of numbers (beta1, beta2), got {betas!r}")
        checked = tuple(as_real_number(beta, "each of betas") for beta in betas)
        if not all(0.0 <= beta < 1.0 for beta in checked):
            raise ValueError(f"each of betas must be in [0, 1), got {betas!r}")
        self._betas = (checked[0], checked[1])

    @property
    def eps(self) -> float:
        """The term that keeps the denominator from 0; assigning a new one checks it."""
        return self._eps

    @eps.setter
    def eps(self, eps: float) -> None:
        self._eps = as_positive_number(eps, "eps")

    def update(self, value: Value, grad: Value, state: dict[str, Any]) -> Value:
        """Return ``value - lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)``."""
        beta1, beta2 = self.betas
        if not state:  # the first step: both averages start at 0
            zero = np.zeros_like(grad) if isinstance(grad, np.ndarray) else 0.0
            state.update(step=0, exp_avg=copy_value(zero), exp_avg_sq=copy_value(zero))
        state["step"] += 1
        t = state["step"]
        step_size = self.lr / (1 - beta1**t)
        bias_correction2_sqrt = (1 - beta2**t) ** 0.5
        m, v = state["exp_avg"], state["exp_avg_sq"]
        if not isinstance(value, np.ndarray):  # one number: the formulas as they read
            m += (1 - beta1) * (grad - m)  # m <- beta1 * m + (1 - beta1) * g, as PyTorch writes it
            v = beta2 * v + (1 - beta2) * grad * grad
            state["exp_avg"], state["exp_avg_sq"] = m, v
            return value - step_size * m / (sqrt(v) / bias_correction2_sqrt + self.eps)
        # An array: the same formulas, in place, with one new array (it becomes the new value).
        new = np.subtract(grad, m)
        new *= 1 - beta1
        m += new  # m <- m + (1 - beta1) * (g - m)
        np.multiply(grad, 1 - beta2, out=new)
        new *= grad
        v *= beta2
        v += new  # v <- beta2 * v + (1 - beta2) * g * g
        np.sqrt(v, out=new)
        new /= bias_correction2_sqrt
        new += self.eps  # the denominator, sqrt(v_hat) + eps
        np.divide(m, new, out=new)
        new *= -step_size
        new += value  # value - lr * m_hat / (sqrt(v_hat) + eps)
        return new


def _copy(value: object) -> object:
    """A copy of a state entry or setting that later changes cannot reach."""
    return value.copy() if isinstance(value, np.ndarray) else value


def _named_list(parameters: ParameterList, owner: str) -> tuple[list[str], list[Parameter]]:
    """Turn Parameters or (name, Parameter) pairs into a list of names and one of Parameters."""
    if isinstance(parameters, Parameter) or not isinstance(parameters, Iterable):
        raise TypeError(
            f"{owner} expects an iterable of Parameters, such as model.parameters(), "
            f"got {type(parameters).__name__}"
        )
    names, found, seen = [], [], set()
    for index, item in enumerate(parameters):
        name = f"parameter {index}"
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
            name, item = f"parameter {item[0]!r}", item[1]
        elif isinstance(item, Parameter) and item.name:
            name = f"parameter {item.name!r}"
        if not isinstance(item, Parameter):
            hint = "; pass model.parameters()" if hasattr(item, "parameters") else ""
            raise TypeError(
                f"{owner} expects Parameters, but item {index} is a {type(item).__name__}{hint}"
            )
        if id(item) in seen:
            raise ValueError(f"{owner} got the same Parameter twice ({name})")
        seen.add(id(item))
        names.append(name)
        found.append(item)
    if not found:
        raise ValueError(f"{owner} got an empty list of parameters")
    return names, found
