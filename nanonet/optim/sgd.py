"""SGD: stochastic gradient descent, with momentum, Nesterov momentum and weight decay."""

from __future__ import annotations

from typing import Any

from .._checks import Value, as_positive_number
from .optimizer import Optimizer, ParameterList


class SGD(Optimizer):
    """Stochastic gradient descent: ``w <- w - lr * dC/dw``, optionally with momentum.

    Plain SGD (``momentum=0``) is the chapter's update, for every parameter
    at once. All parameters are updated together, from gradients computed at
    the same weights. (The chapter's own loop updates ``w2`` first and then
    uses the *new* ``w2`` in ``w1``'s update; that is a slightly different
    algorithm, so its weights end a little differently.)

    This is PyTorch's ``torch.optim.SGD``, step for step. With
    ``g = dC/dw``:

    * weight decay adds ``weight_decay * w`` to ``g`` (an L2 penalty
      ``weight_decay / 2 * w**2`` in the cost);
    * momentum keeps a running sum of the gradients,
      ``b <- momentum * b + (1 - dampening) * g`` (``b = g`` at the first
      step), and moves along it: ``g <- b``, or with ``nesterov=True``
      ``g <- g + momentum * b``, a look one step ahead. Steps grow along
      directions the gradient keeps pointing to and cancel where it
      zig-zags;
    * then ``w <- w - lr * g``.

    Args:
        parameters: The parameters to train, usually ``model.parameters()``.
        lr: The learning rate, a finite number of at least 0 (the chapter's
            ``alpha``).
        momentum: How much of the running sum each step keeps, at least 0
            (0.9 is common).
        dampening: How much less each new gradient counts in the running sum.
        weight_decay: The L2 penalty's factor, at least 0.
        nesterov: Use Nesterov momentum (needs a momentum and no dampening).

    Raises:
        TypeError: If ``parameters`` is not an iterable of Parameters, or a
            setting is not a number (``nesterov``: not a bool).
        ValueError: If ``parameters`` is empty or repeats a parameter, a
            setting is negative or not finite, or ``nesterov`` lacks a
            momentum or has a dampening.

    Examples:
        >>> from nanonet import Parameter
        >>> w = Parameter(2.0)
        >>> optimizer = SGD([w], lr=0.1)
        >>> w.grad = 0.5
        >>> optimizer.step()           # 2.0 - 0.1 * 0.5
        >>> w.value
        1.95
    """

    elementwise = True  # each number on its own: the arrays are updated as one
    hyperparameters = ("lr", "momentum", "dampening", "weight_decay", "nesterov")

    def __init__(
        self,
        parameters: ParameterList,
        lr: float,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        super().__init__(parameters, lr)
        self.momentum = as_positive_number(momentum, "momentum", allow_zero=True)
        self.dampening = as_positive_number(dampening, "dampening", allow_zero=True)
        self.weight_decay = as_positive_number(weight_decay, "weight_decay", allow_zero=True)
        if not isinstance(nesterov, bool):
            raise TypeError(f"nesterov must be True or False, got {type(nesterov).__name__}")
        if nesterov and (self.momentum == 0.0 or self.dampening != 0.0):
            raise ValueError("nesterov=True needs a momentum above 0 and no dampening")
        self.nesterov = nesterov

    def update(self, value: Value, grad: Value, state: dict[str, Any]) -> Value:
        """Return ``value - lr * g``, ``g`` the gradient with weight decay and momentum."""
        if self.weight_decay:
            grad = grad + self.weight_decay * value
        if self.momentum:
            buffer = state.get("momentum_buffer")
            if buffer is None:
                buffer = grad * 1.0  # b = g: a copy, since backward passes add to grad itself
            else:
                buffer = self.momentum * buffer + (1.0 - self.dampening) * grad
            state["momentum_buffer"] = buffer
            grad = grad + self.momentum * buffer if self.nesterov else buffer
        return value - self.lr * grad
