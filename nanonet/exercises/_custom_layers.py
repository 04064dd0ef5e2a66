"""The checkers of the exercises of "Write your own layer" (docs/custom-layers.md)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..layers import Dense, Sequential, Tanh
from ..parameter import Parameter
from ._common import BATCH, IGNORES_GRAD, ignores_grad, local_derivative, passes_gradcheck
from .registry import Namespace, NotYet, exercise

#: Inputs on both sides of 0, none at it (the kink).
POINTS = np.array([-1.5, 0.3, 2.0, -0.2, 0.7])


@exercise("leaky-relu", page="custom-layers", title="Write LeakyReLU")
def leaky_relu(reader: Namespace) -> str:
    """gradcheck of the reader's LeakyReLU, for two slopes, alone and in a network."""
    cls = reader.layer_class("LeakyReLU")
    if ignores_grad(cls(), POINTS):
        raise NotYet(IGNORES_GRAD)
    passes_gradcheck(cls(), POINTS)
    negative = POINTS < 0
    if np.allclose(local_derivative(cls(0.2), POINTS)[negative], 0.01):
        raise NotYet(
            "LeakyReLU(0.2)'s backward still uses the slope 0.01 where x < 0: use "
            "self.negative_slope"
        )
    passes_gradcheck(cls(0.2), POINTS)
    passes_gradcheck(cls(), BATCH)
    passes_gradcheck(Sequential(Dense(3, 4, rng=0), cls(), Dense(4, 2, rng=1)), BATCH)
    return (
        "gradcheck verified LeakyReLU's backward against finite differences of its forward on "
        "both sides of 0, for negative slopes 0.01 and 0.2, on batches of 5 and of 4 x 3, and "
        "inside a network"
    )


@exercise("l1-loss", page="custom-layers", title="Mean absolute error")
def l1_loss(reader: Namespace) -> str:
    """The reader's L1Loss: its value, and its gradient with gradcheck (no point at the kink)."""
    cls = reader.loss_class("L1Loss")
    prediction = np.array([0.5, -2.0, 1.0, 0.3])
    target = np.array([0.0, 0.0, 0.0, 1.0])
    value = cls()(prediction, target)
    if not np.isclose(value, np.mean(np.abs(prediction - target)), rtol=1e-9):
        raise NotYet("forward must return the mean of |prediction - target|")
    passes_gradcheck(cls(), 0.5, 0.2)
    passes_gradcheck(cls(), prediction, target)
    passes_gradcheck(cls(), prediction.reshape(2, 2), target.reshape(2, 2))
    return (
        "gradcheck verified L1Loss's gradient on one sample, on a batch of 4 and on a batch of "
        "2 x 2, where no prediction equals its target"
    )


#: Gradients given to a number and to an array parameter, step by step.
GRADIENTS = [
    (0.5, [1.0, -2.0]),
    (-0.2, [0.5, 0.5]),
    (0.3, [-1.0, 0.0]),
    (0.1, [2.0, 1.0]),
]
LR, MU = 0.1, 0.9


def _steps(make: Any, gradients: list[tuple[float, list[float]]]) -> list[list[float]]:
    """The values of a number and an array parameter after each step of ``make(params)``."""
    w, a = Parameter(1.0), Parameter([0.5, -0.5])
    optimizer = make([w, a])
    values = []
    for grad_w, grad_a in gradients:
        w.grad, a.grad = grad_w, np.array(grad_a)
        optimizer.step()
        values.append([w.value, *a.value])
    return values


def _reference(buffer: str) -> list[list[float]]:
    """What momentum (``b <- mu b + g``), plain SGD or a mean of the gradients would do."""
    w, b, values = np.array([1.0, 0.5, -0.5]), None, []
    for grad_w, grad_a in GRADIENTS:
        g = np.array([grad_w, *grad_a])
        if buffer == "momentum":
            b = g if b is None else MU * b + g
        elif buffer == "average":
            b = g if b is None else MU * b + (1 - MU) * g
        else:
            b = g
        w = w - LR * b
        values.append(list(w))
    return values


@exercise("momentum", page="custom-layers", title="Write SGD with momentum")
def momentum(reader: Namespace) -> str:
    """The reader's Momentum: its steps against the math, state per parameter, a falling loss."""
    cls = reader.optimizer_class("Momentum")
    value, grad = np.array([0.5, -0.5]), np.array([1.0, -2.0])
    kept = value.copy()
    probe = cls([Parameter([0.5, -0.5])], lr=LR, momentum=MU)
    if probe.update(value, grad, {}) is value or not np.array_equal(value, kept):
        raise NotYet("update changed value in place: return a new array, value - ...")
    expected = _reference("momentum")
    try:
        mine = _steps(lambda params: cls(params, lr=LR, momentum=MU), GRADIENTS)
    except (TypeError, ValueError):
        if _right_alone(cls, expected):
            raise NotYet(SHARED) from None
        raise
    if not np.allclose(mine, expected, rtol=1e-9, atol=1e-12):
        raise NotYet(_momentum_mistake(cls, mine, expected))
    w = Parameter(np.array([3.0, -2.0]))
    optimizer = cls([w], lr=0.05, momentum=MU)
    start = 0.5 * float(np.sum(w.value**2))
    for _ in range(100):
        w.grad = w.value.copy()  # the gradient of 1/2 |w|**2
        optimizer.step()
    end = 0.5 * float(np.sum(w.value**2))
    if not end < start / 100:
        raise NotYet(f"the loss 1/2 |w|^2 fell only from {start:.3g} to {end:.3g} in 100 steps")
    return (
        "your Momentum took the steps of b <- momentum * b + grad, w <- w - lr * b on a number "
        f"and an array, for 4 steps, and took the loss 1/2 |w|^2 from {start:.3g} to {end:.2g} "
        "in 100 steps"
    )


SHARED = (
    "each parameter is right alone, but not beside another: keep b in the state dict that "
    "update gets, one per parameter, not on self"
)


def _right_alone(cls: Any, expected: list[list[float]]) -> bool:
    """Whether the reader's optimizer takes the right steps on one parameter alone."""
    alone = _steps(lambda params: cls(params[:1], lr=LR, momentum=MU), GRADIENTS)
    return bool(np.allclose([s[0] for s in alone], [s[0] for s in expected], rtol=1e-9))


def _momentum_mistake(cls: Any, mine: list[list[float]], expected: list[list[float]]) -> str:
    """What the reader's steps are, when they are not momentum's."""
    start, first = np.array([1.0, 0.5, -0.5]), np.array([GRADIENTS[0][0], *GRADIENTS[0][1]])
    if np.allclose(mine, _reference("plain"), rtol=1e-9):
        return (
            "your steps are plain SGD's, w <- w - lr * grad: the momentum b is missing. Keep b "
            "in state from step to step (state['b'] = b)"
        )
    if np.allclose(mine, _reference("average"), rtol=1e-9):
        return (
            "your b is an average of the gradients, mu b + (1 - mu) grad: momentum adds each "
            "gradient whole, b <- mu b + grad"
        )
    if np.allclose(mine[0], start):
        return "your update does not change the values: return the new value"
    if np.allclose(np.array(mine[0]) - start, LR * first):
        return "your steps go uphill, along the gradient: subtract lr * b"
    if _right_alone(cls, expected):
        return SHARED
    step = next(k for k, values in enumerate(mine) if not np.allclose(values, expected[k])) + 1
    return (
        f"your values differ from b <- momentum * b + grad, w <- w - lr * b from step {step} "
        "on (with b = grad at the first step)"
    )


@exercise("find-the-bugs", page="custom-layers", title="Find the two bugs")
def find_the_bugs(reader: Namespace) -> str:
    """gradcheck of the reader's Affine, alone and twice in a network."""
    cls = reader.layer_class("Affine")
    layer = cls(3)
    layer.a.value, layer.c.value = [1.5, -0.5, 2.0], [0.1, 0.2, -0.3]
    passes_gradcheck(layer, BATCH)
    passes_gradcheck(Sequential(cls(3), Tanh(), cls(3)), BATCH)
    return (
        "gradcheck verified Affine's gradients (the input's, a's and c's) on a batch of 4 "
        "samples, alone and twice in a network: both bugs are fixed"
    )
