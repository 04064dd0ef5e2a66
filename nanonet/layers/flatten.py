"""Flatten: each sample's numbers in one row, from images to a Dense layer."""

from __future__ import annotations

import numpy as np

from .._checks import Value
from ..layer import Layer


class Flatten(Layer):
    """Lay each sample out as one row: ``(N, C, H, W)`` becomes ``(N, C * H * W)``.

    A `nanonet.Conv2d` or `nanonet.MaxPool2d` gives images; a
    `nanonet.Dense` layer takes rows of features. Flatten joins them: every
    dimension after the first (the batch) becomes one, in C order (as
    PyTorch's ``nn.Flatten()``). Nothing is computed, so backward only
    gives the gradient back its input's shape.

    Raises:
        ValueError: If (when called) the input has fewer than 2 dimensions.

    Examples:
        >>> layer = Flatten()
        >>> layer(np.ones((5, 8, 3, 3))).shape
        (5, 72)
        >>> layer.backward(np.ones((5, 72))).shape
        (5, 8, 3, 3)
    """

    __slots__ = ("x_shape",)

    def check_input(self, x: object) -> Value:
        """Check that ``x`` is a batch: an array of at least 2 dimensions ``(N, ...)``."""
        x = super().check_input(x)
        if np.ndim(x) < 2:
            raise ValueError(
                f"Flatten takes a batch (N, ...) of 2 or more dimensions, got shape {np.shape(x)}"
            )
        return x

    def forward(self, x: np.ndarray) -> np.ndarray:  # type: ignore[override]
        """Return ``x`` as rows, one per sample; keep its shape for backward."""
        self.x_shape = x.shape
        return x.reshape(len(x), -1)

    def backward(self, grad: np.ndarray) -> np.ndarray:  # type: ignore[override]
        """Return ``grad`` in the input's shape."""
        return grad.reshape(self.x_shape)
