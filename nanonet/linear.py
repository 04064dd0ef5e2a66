"""Linear: multiply by one trainable weight, y = w * x."""

from __future__ import annotations

import numpy as np

from ._checks import Value, as_real_number
from .layer import Layer
from .parameter import Parameter


class Linear(Layer):
    """Multiply the input by a single trainable weight: ``y = w * x``.

    This is the connection between two nodes of the tutorial's network: the
    input ``s0`` times the weight ``w0`` gives the first node's activity
    ``x1 = w0 * s0``.

    The derivatives backward needs are ``dy/dw = x`` (so forward caches the
    input) and ``dy/dx = w``. For a batch, ``x`` is an array of independent
    samples and the weight's gradient is the sum over the samples.

    Args:
        weight: The initial weight. If omitted, it is drawn from the uniform
            distribution on [-1, 1), the range PyTorch's ``nn.Linear`` uses
            for one input, so that the tutorial's step 1 ("choose random
            initial weights") is one call.
        rng: Where the random weight comes from when ``weight`` is omitted:
            a ``numpy.random.Generator``, or a seed (an int) for a new one.
            The same seed gives the same weight. Ignored when ``weight`` is
            given.

    Raises:
        TypeError: If ``weight`` is not a real number, or ``rng`` is neither
            a Generator nor an int.
        ValueError: If ``weight`` is inf or NaN, or the seed is negative.

    Examples:
        >>> layer = Linear(2.0)
        >>> layer(3.0)                # forward: y = w * x
        6.0
        >>> layer.backward(1.0)       # returns dy/dx = w ...
        2.0
        >>> layer.weight.grad         # ... and adds dy/dw = x to the weight's grad
        3.0
        >>> Linear(rng=0).weight.value == Linear(rng=0).weight.value
        True
    """

    __slots__ = ("weight", "_input")

    def __init__(self, weight: float | None = None, *, rng: object = None) -> None:
        if weight is None:
            weight = _random_generator(rng).uniform(-1.0, 1.0)
        self.weight = Parameter(as_real_number(weight, "weight"))
        self._input: Value | None = None

    def forward(self, x: Value) -> Value:
        """Return ``w * x`` and cache ``x`` for backward."""
        self._input = x
        if type(x) is float:
            return self.weight.value * x
        with np.errstate(all="ignore"):  # overflow gives inf, as for floats
            return self.weight.value * x

    def backward(self, grad: Value) -> Value:
        """Add ``sum(grad * x)`` to the weight's grad and return ``grad * w``."""
        x = self._input
        weight = self.weight
        if type(grad) is float and type(x) is float:  # one sample: plain floats
            weight.grad += grad * x
            return weight.value * grad
        grad = self._check_grad(grad, x)
        with np.errstate(all="ignore"):
            weight.grad += float(np.vdot(grad, x))  # sum over the batch, one pass
            return weight.value * grad

    def extra_repr(self) -> str:
        return f"weight={self.weight.value!r}"


def _random_generator(rng: object) -> np.random.Generator:
    """Return ``rng`` if it is a Generator, or a new Generator seeded with it."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is not None and (isinstance(rng, bool) or not isinstance(rng, (int, np.integer))):
        raise TypeError(
            f"rng must be a numpy.random.Generator or an int seed, got {type(rng).__name__}"
        )
    if rng is not None and rng < 0:
        raise ValueError(f"rng must be a non-negative seed, got {rng}")
    return np.random.default_rng(rng)
