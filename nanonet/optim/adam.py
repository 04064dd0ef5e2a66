"""Adam and AdamW: a step size for every number, from its gradients' history."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._checks import Value, as_positive_number, as_real_number
from .optimizer import Optimizer, ParameterList


class Adam(Optimizer):
    """Adam: each number gets a step size of its own, from its gradients' history.

    Adam keeps two running averages per parameter, of the gradient ``g`` and
    of its square: ``m <- beta1 * m + (1 - beta1) * g`` and
    ``v <- beta2 * v + (1 - beta2) * g**2``. Both start at 0, which biases
    them towards 0 in the first steps; dividing by ``1 - beta**t`` at step
    ``t`` removes that bias. The step is then
    ``w <- w - lr * m_hat / (sqrt(v_hat) + eps)``: about ``lr`` in size
    wherever the gradient points the same way step after step, smaller
    where it is noisy, whatever the gradient's scale. This is PyTorch's
    ``torch.optim.Adam`` (to about 1e-15 relative: it arranges the same
    formulas differently). ``weight_decay`` adds ``weight_decay * w`` to
    the gradient first, an L2 penalty, as in PyTorch; `AdamW` decays the
    weight itself instead.

    Args:
        parameters: The parameters to train, usually ``model.parameters()``.
        lr: The learning rate, a finite number of at least 0.
        betas: The decay rates ``(beta1, beta2)`` of the two averages, each
            in [0, 1).
        eps: Added to the denominator so it is never 0, a finite positive
            number.
        weight_decay: The L2 penalty's factor, at least 0.

    Raises:
        TypeError: If an argument is not of the right kind.
        ValueError: If ``lr`` or ``weight_decay`` is negative, ``eps`` is
            not positive, a setting is not finite, or a beta is outside
            [0, 1).

    Examples:
        >>> from nanonet import Parameter
        >>> w = Parameter([1.0, 1.0])
        >>> optimizer = Adam([w], lr=0.1)
        >>> w.grad = np.array([100.0, -0.01])    # very different scales ...
        >>> optimizer.step()
        >>> print(np.round(w.value, 6))           # ... the same step size, lr
        [0.9 1.1]
    """

    elementwise = True  # each number on its own: the arrays are updated as one
    hyperparameters = ("lr", "betas", "eps", "weight_decay")

    def __init__(
        self,
        parameters: ParameterList,
        lr: float = 0.001,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-08,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(parameters, lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"betas must be a pair of numbers (beta1, beta2), got {betas!r}")
        beta1, beta2 = (as_real_number(beta, "each of betas") for beta in betas)
        if not (0.0 <= beta1 < 1.0 and 0.0 <= beta2 < 1.0):
            raise ValueError(f"each of betas must be in [0, 1), got {betas!r}")
        self.betas = (beta1, beta2)
        self.eps = as_positive_number(eps, "eps")
        self.weight_decay = as_positive_number(weight_decay, "weight_decay", allow_zero=True)

    def update(self, value: Value, grad: Value, state: dict[str, Any]) -> Value:
        """Return ``value - lr * m_hat / (sqrt(v_hat) + eps)`` after updating the averages."""
        value, grad = self.decay(value, grad)
        beta1, beta2 = self.betas
        t = state["step"] = state.get("step", 0) + 1
        m = state["exp_avg"] = beta1 * state.get("exp_avg", 0.0) + (1 - beta1) * grad
        v = state["exp_avg_sq"] = beta2 * state.get("exp_avg_sq", 0.0) + (1 - beta2) * grad**2
        v_hat = v / (1 - beta2**t)
        step_size = self.lr / (1 - beta1**t)  # lr * m_hat, with m_hat = m / (1 - beta1**t)
        return value - step_size * m / (np.sqrt(v_hat) + self.eps)

    def decay(self, value: Value, grad: Value) -> tuple[Value, Value]:
        """Weight decay as an L2 penalty: ``weight_decay * value`` added to the gradient."""
        return value, grad + self.weight_decay * value if self.weight_decay else grad


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov and Hutter, 2019): PyTorch's ``AdamW``.

    Adam's L2 penalty is divided by ``sqrt(v_hat)`` like the gradient, so
    weights with large gradients decay less. AdamW shrinks every weight by
    the same factor instead, ``w <- w * (1 - lr * weight_decay)``, and then
    takes Adam's step: a weight decay that acts the same on every weight.
    Its default ``weight_decay`` is 0.01; the other arguments are Adam's.

    Examples:
        >>> from nanonet import Parameter
        >>> w = Parameter([1.0, -1.0])
        >>> optimizer = AdamW([w], lr=0.1, weight_decay=0.5)
        >>> w.grad = np.zeros(2)                  # no gradient: only the decay
        >>> optimizer.step()
        >>> print(w.value)                        # 1 - 0.1 * 0.5 of each
        [ 0.95 -0.95]
    """

    def __init__(
        self,
        parameters: ParameterList,
        lr: float = 0.001,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-08,
        weight_decay: float = 0.01,
    ) -> None:
        super().__init__(parameters, lr, betas, eps, weight_decay)

    def decay(self, value: Value, grad: Value) -> tuple[Value, Value]:
        """Decoupled weight decay: the value shrinks by ``1 - lr * weight_decay``."""
        return value * (1 - self.lr * self.weight_decay), grad
