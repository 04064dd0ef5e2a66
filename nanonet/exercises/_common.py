"""What the checkers share: gradcheck in the reader's terms, probes for the usual slips."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..layer import Layer
from ..loss import Loss
from ..tools.gradcheck import GradcheckError, gradcheck
from .registry import NotYet

#: A small batch of 4 samples with 3 features, away from 0 (no kink nearby).
BATCH = np.array(
    [[0.5, -1.2, 2.0], [1.5, 0.3, -0.4], [-0.7, 0.9, 1.1], [0.8, -1.6, 0.6]],
)


def describe(x: object) -> str:
    """``"one sample (x = 0.5)"``, ``"a batch of 4 samples"``: where a check ran."""
    if not isinstance(x, np.ndarray) or x.ndim == 0:
        return f"one sample (x = {float(np.asarray(x)):g})"
    if x.ndim == 1:
        return f"a batch of {x.shape[0]} samples"
    return f"a batch of {x.shape[0]} samples of shape {x.shape[1:]}"


def passes_gradcheck(layer: Layer | Loss, x: Any, target: Any = None) -> None:
    """Raise `NotYet` with gradcheck's words if the gradients of ``layer`` at ``x`` are wrong."""
    x = np.asarray(x, dtype=float) if not isinstance(x, float) else x
    try:
        gradcheck(layer, x, target)
    except GradcheckError as error:
        message = str(error).split(": ", 1)[1]
        raise NotYet(f"on {describe(x)}, gradcheck says: {message}") from None


def ignores_grad(layer: Layer, x: Any) -> bool:
    """Whether ``layer``'s backward gives the same whatever grad it gets (the chain rule forgotten).

    Backward with grad = 1 and with grad = 2, after the same forward pass,
    must differ by a factor 2 for a layer whose output depends on its input.
    """
    output = layer(x)
    ones = np.ones_like(output) if isinstance(output, np.ndarray) else 1.0
    once = np.asarray(layer.backward(ones), dtype=float)
    layer(x)
    twice = np.asarray(layer.backward(2.0 * ones), dtype=float)
    return bool(np.any(once != 0.0) and np.allclose(once, twice))


IGNORES_GRAD = (
    "backward gives the same whatever grad it gets: it returns the local derivative dy/dx "
    "alone. The chain rule multiplies it by grad = dC/dy, the gradient from the layer above"
)


def local_derivative(layer: Layer, x: Any) -> np.ndarray:
    """What backward returns for grad = 1: the reader's dy/dx at ``x``, element by element."""
    output = layer(x)
    ones = np.ones_like(output) if isinstance(output, np.ndarray) else 1.0
    return np.asarray(layer.backward(ones), dtype=float)


def same(a: Any, b: Any) -> bool:
    """Whether two results agree to 1e-9, shapes included."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-9, atol=1e-12))
