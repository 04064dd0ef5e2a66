"""Learning-rate schedules: the optimizer's ``lr``, epoch by epoch."""

from __future__ import annotations

import inspect
import math
from collections.abc import Mapping
from typing import Any

from .._checks import as_count, as_positive_number, as_real_number
from .optimizer import Optimizer


class LRScheduler:
    """The base class of every schedule: sets ``optimizer.lr`` at each `step`.

    Large steps early and small steps late often train better than one
    learning rate throughout. A schedule holds the optimizer's first
    learning rate, ``base_lr``, and counts the epochs in ``last_epoch``
    (0 at the start). Call `step` once at the end of each epoch: it counts
    one more and assigns ``optimizer.lr = get_lr()``.

    A subclass implements ``get_lr()``, the learning rate of epoch
    ``last_epoch``, computed from ``base_lr`` and ``last_epoch``. The rates
    are PyTorch's ``torch.optim.lr_scheduler``'s, epoch by epoch (PyTorch
    updates the rate step by step, multiplying the last one; nanonet
    computes each from the start, the same numbers up to rounding).

    Args:
        optimizer: The optimizer whose ``lr`` it sets.

    Attributes:
        optimizer (Optimizer): The optimizer.
        base_lr (float): The optimizer's ``lr`` when the schedule was made.
        last_epoch (int): How many times `step` was called.

    Raises:
        TypeError: If ``optimizer`` is not an Optimizer.

    Examples:
        A schedule that halves the rate every epoch, in a few lines:

        >>> from nanonet import SGD, Parameter
        >>> class Halve(LRScheduler):
        ...     def get_lr(self):
        ...         return self.base_lr * 0.5**self.last_epoch
        >>> optimizer = SGD([Parameter(1.0)], lr=0.1)
        >>> scheduler = Halve(optimizer)
        >>> for epoch in range(3):
        ...     # ... an epoch of training ...
        ...     scheduler.step()
        ...     print(scheduler.get_last_lr())
        [0.05]
        [0.025]
        [0.0125]
    """

    def __init__(self, optimizer: Optimizer) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"{type(self).__name__} needs an Optimizer, got {type(optimizer).__name__}"
            )
        self.optimizer, self.base_lr, self.last_epoch = optimizer, optimizer.lr, 0

    def get_lr(self) -> float:
        """Return the learning rate of epoch ``last_epoch``."""
        raise NotImplementedError(f"{type(self).__name__} must implement get_lr()")

    def step(self) -> None:
        """Count one more epoch and set the optimizer's ``lr`` to its rate."""
        self.last_epoch += 1
        self.optimizer.lr = self.get_lr()

    def get_last_lr(self) -> list[float]:
        """Return the optimizer's learning rate, in a list (one per group in PyTorch)."""
        return [self.optimizer.lr]

    def state_dict(self) -> dict[str, Any]:
        """Return the schedule's state, every attribute but the optimizer, as PyTorch does."""
        return {name: value for name, value in vars(self).items() if name != "optimizer"}

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore the state `state_dict` returned; it is checked first.

        Its settings are checked as the constructor checks them (a
        ``StepLR``'s ``step_size`` of 0 is refused here too), when they are
        the constructor's arguments, as for nanonet's own schedules.

        Raises:
            TypeError: If ``state_dict`` is not a mapping, or a value is not
                a number.
            ValueError: If its names are not this schedule's, or a setting
                is out of its range.
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"state_dict must be a mapping, got {type(state_dict).__name__}")
        if set(state_dict) != set(self.state_dict()):
            raise ValueError(
                f"cannot load this state into {type(self).__name__}: it has the names "
                f"{sorted(state_dict)}, this schedule {sorted(self.state_dict())}"
            )
        for name, value in state_dict.items():  # numbers, and a count of epochs
            as_real_number(value, f"{type(self).__name__}'s {name!r}")
        as_count(state_dict["last_epoch"], "last_epoch", minimum=0)
        as_positive_number(state_dict["base_lr"], "base_lr", allow_zero=True)
        settings = {k: v for k, v in state_dict.items() if k not in ("base_lr", "last_epoch")}
        try:
            inspect.signature(type(self)).bind(self.optimizer, **settings)
        except TypeError:  # (a schedule whose attributes are not its arguments checks its own)
            pass
        else:
            type(self)(self.optimizer, **settings)  # raises, as the constructor would
        vars(self).update(state_dict)


class StepLR(LRScheduler):
    """Multiply the rate by ``gamma`` every ``step_size`` epochs: PyTorch's ``StepLR``.

    ``lr = base_lr * gamma ** (last_epoch // step_size)``.

    Examples:
        >>> from nanonet import SGD, Parameter
        >>> scheduler = StepLR(SGD([Parameter(1.0)], lr=1.0), step_size=2, gamma=0.1)
        >>> rates = []
        >>> for epoch in range(5):
        ...     scheduler.step()                   # at the end of each epoch
        ...     rates.append(round(scheduler.get_last_lr()[0], 6))
        >>> rates
        [1.0, 0.1, 0.1, 0.01, 0.01]
    """

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1) -> None:
        super().__init__(optimizer)
        self.step_size = as_count(step_size, "step_size")
        self.gamma = as_positive_number(gamma, "gamma")

    def get_lr(self) -> float:
        return self.base_lr * self.gamma ** (self.last_epoch // self.step_size)


class ExponentialLR(LRScheduler):
    """Multiply the rate by ``gamma`` every epoch: PyTorch's ``ExponentialLR``.

    ``lr = base_lr * gamma ** last_epoch``.

    Examples:
        >>> from nanonet import SGD, Parameter
        >>> scheduler = ExponentialLR(SGD([Parameter(1.0)], lr=1.0), gamma=0.5)
        >>> for epoch in range(3):
        ...     scheduler.step()
        >>> scheduler.get_last_lr()
        [0.125]
    """

    def __init__(self, optimizer: Optimizer, gamma: float) -> None:
        super().__init__(optimizer)
        self.gamma = as_positive_number(gamma, "gamma")

    def get_lr(self) -> float:
        return self.base_lr * self.gamma**self.last_epoch


class CosineAnnealingLR(LRScheduler):
    """Lower the rate along half a cosine, to ``eta_min`` at epoch ``T_max``: PyTorch's.

    ``lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * last_epoch / T_max)) / 2``:
    slowly at first, fastest halfway, slowly again at the end. Past
    ``T_max`` the cosine goes on, and the rate rises again, as in
    PyTorch's ``CosineAnnealingLR``; train for ``T_max`` epochs.

    Examples:
        >>> from nanonet import SGD, Parameter
        >>> scheduler = CosineAnnealingLR(SGD([Parameter(1.0)], lr=1.0), T_max=4)
        >>> rates = []
        >>> for epoch in range(4):
        ...     scheduler.step()
        ...     rates.append(round(scheduler.get_last_lr()[0], 3))
        >>> rates
        [0.854, 0.5, 0.146, 0.0]
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0) -> None:
        super().__init__(optimizer)
        self.T_max = as_count(T_max, "T_max")
        self.eta_min = as_positive_number(eta_min, "eta_min", allow_zero=True)

    def get_lr(self) -> float:
        cosine = (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
        return self.eta_min + (self.base_lr - self.eta_min) * cosine
