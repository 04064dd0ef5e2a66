"""Dense: every input connected to every output, y = x @ W.T + b."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._checks import Value, as_count, as_generator
from ..layer import Layer
from ..parameter import Parameter


class Dense(Layer):
    """A fully connected layer: ``y = x @ weight.T + bias``.

    Each of the ``out_features`` outputs is a weighted sum of all
    ``in_features`` inputs plus a bias of its own: the chapter's ``Linear``,
    with many inputs and many outputs at once. The weight has shape
    ``(out_features, in_features)`` and the bias ``(out_features,)``, the
    layout and the default initialisation of PyTorch's ``nn.Linear``:
    uniform on ``[-1/sqrt(in_features), 1/sqrt(in_features)]`` for both.

    The input is a batch of shape ``(N, in_features)``, or one sample of
    shape ``(in_features,)``. With ``grad`` = dC/dy of shape
    ``(N, out_features)``, the chain rule gives three matrix products:

    * dC/dW = ``grad.T @ x`` (each sample adds ``outer(grad_n, x_n)``),
    * dC/db = ``grad`` summed over the samples,
    * dC/dx = ``grad @ W``.

    Args:
        in_features: The size of each input sample.
        out_features: The size of each output sample.
        bias: Whether to add a trainable bias (``bias=False``: no ``bias``
            parameter at all).
        rng: Where the random initial weights come from: a
            ``numpy.random.Generator``, or an int seed for a new one (the
            same seed gives the same weights).
        dtype: The weights' dtype, float64 (the default) or float32; the
            layer computes in it (see `Layer.to`).

    Attributes:
        weight (Parameter): The weight matrix ``W``, of shape
            ``(out_features, in_features)``.
        bias (Parameter | None): The bias ``b``, of shape
            ``(out_features,)``, or None when ``bias=False``.

    Raises:
        TypeError: If a size is not an int, or ``rng`` is neither a
            Generator nor an int.
        ValueError: If a size is below 1 or the seed is negative, or (when
            called) the input is not shaped ``(N, in_features)`` or
            ``(in_features,)``.

    Examples:
        >>> layer = Dense(3, 2, rng=0)
        >>> layer.weight.shape, layer.bias.shape
        ((2, 3), (2,))
        >>> layer(np.ones((5, 3))).shape      # a batch of 5 samples
        (5, 2)
        >>> layer.backward(np.ones((5, 2))).shape
        (5, 3)
        >>> layer.bias.grad                   # each output's grad, summed over the batch
        array([5., 5.])
    """

    __slots__ = ("weight", "bias", "x")

    def __init__(
        self,
        in_features: int,
        out_features: int,
        *,
        bias: bool = True,
        rng: object = None,
        dtype: Any = np.float64,
    ) -> None:
        in_features = as_count(in_features, "in_features")
        out_features = as_count(out_features, "out_features")
        if not isinstance(bias, bool):
            raise TypeError(f"bias must be True or False, got {type(bias).__name__}")
        generator = as_generator(rng)
        bound = 1.0 / math.sqrt(in_features)
        self.weight = Parameter(
            generator.uniform(-bound, bound, (out_features, in_features)), dtype
        )
        self.bias = (
            Parameter(generator.uniform(-bound, bound, out_features), dtype) if bias else None
        )
        self.dtype = self.weight.dtype

    def check_input(self, x: object) -> Value:
        """Check that ``x`` is a batch ``(N, in_features)`` or one sample ``(in_features,)``."""
        x = super().check_input(x)
        in_features = self.weight.shape[1]
        if np.ndim(x) not in (1, 2) or np.shape(x)[-1] != in_features:
            raise ValueError(
                f"{self!r} takes samples of {in_features} features: an array of shape "
                f"(N, {in_features}) or ({in_features},), got shape {np.shape(x)}"
            )
        return x

    def forward(self, x: np.ndarray) -> np.ndarray:  # type: ignore[override]
        """Return ``x @ W.T + b`` and keep ``x``: it is in dC/dW."""
        self.x = x
        y = x @ self.weight.value.T
        return y if self.bias is None else y + self.bias.value

    def backward(self, grad: np.ndarray) -> np.ndarray:  # type: ignore[override]
        """Add dC/dW = grad.T @ x and dC/db = the sum of grad over the batch; return grad @ W."""
        x = self.x.reshape(-1, self.x.shape[-1])  # one sample is a batch of one
        batch_grad = grad.reshape(-1, grad.shape[-1])
        self.weight.grad += batch_grad.T @ x
        if self.bias is not None:
            self.bias.grad += batch_grad.sum(axis=0)
        return grad @ self.weight.value

    @property
    def symbol(self) -> str:
        """How `nanonet.draw` labels the layer: ``Dense(in→out)``."""
        out_features, in_features = self.weight.shape
        return f"Dense({in_features}→{out_features})"

    def extra_repr(self) -> str:
        out_features, in_features = self.weight.shape
        return (
            f"in_features={in_features}, out_features={out_features}, bias={self.bias is not None}"
        )
