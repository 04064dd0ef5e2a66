"""MSELoss: the cost C = 1/2 * mean((prediction - target)**2)."""

from __future__ import annotations

import math

import numpy as np

from ._checks import Value, as_value, describe_nonfinite, is_finite, shape_of


class MSELoss:
    """Half the mean squared error: ``C = 1/2 * mean((prediction - target)**2)``.

    For one sample this is the tutorial's cost ``C = 1/2 * (out - target)**2``.
    Its derivative is simply ``dC/d(out) = out - target``: the 1/2 cancels
    the 2 from the square, which is why the tutorial's update expressions
    contain ``(out - target)`` and nothing else.

    .. note::
        PyTorch's ``nn.MSELoss`` has no 1/2: it computes
        ``mean((prediction - target)**2)``, twice this value, and its
        gradients are twice as large. Training with PyTorch's loss at
        learning rate ``lr`` equals training with this one at ``2 * lr``.

    For a batch the mean runs over every element, so
    ``dC/d(prediction) = (prediction - target) / N`` for N elements.

    The loss knows nothing of layers: it sees numbers and arrays only.

    Examples:
        >>> loss_fn = MSELoss()
        >>> loss_fn(0.5, 0.75)         # 1/2 * (0.5 - 0.75)**2
        0.03125
        >>> loss_fn.backward()         # dC/d(prediction) = 0.5 - 0.75
        -0.25
    """

    __slots__ = ("_diff",)

    def __init__(self) -> None:
        self._diff: Value | None = None

    def __call__(self, prediction: object, target: object) -> float:
        """Compute the loss; see `forward`."""
        return self.forward(prediction, target)

    def forward(self, prediction: object, target: object) -> float:
        """Compute the loss and remember ``prediction - target`` for backward.

        Args:
            prediction: The network's output: a number or an array.
            target: The desired output: a number, or an array shaped like
                ``prediction``. A number is compared with every element.

        Returns:
            The loss, a float.

        Raises:
            TypeError: If an argument is not a real number or array of them.
            ValueError: If ``target`` is shaped neither like ``prediction``
                nor like a number, if ``prediction`` is empty, or if either
                contains inf or NaN.
        """
        if type(prediction) is not float:
            prediction = as_value(prediction, "prediction")
        if type(target) is not float:
            target = as_value(target, "target")
        if type(prediction) is float and type(target) is float:  # one sample
            diff = prediction - target
            loss = 0.5 * diff * diff
        else:
            diff = self._batch_diff(prediction, target)
            loss = 0.5 * float(np.vdot(diff, diff)) / diff.size
        if not math.isfinite(loss):  # only now look for the culprit
            _check_finite(prediction, "prediction")
            _check_finite(target, "target")
        self._diff = diff
        return loss

    @staticmethod
    def _batch_diff(prediction: Value, target: Value) -> np.ndarray:
        if type(target) is not float and shape_of(target) != shape_of(prediction):
            raise ValueError(
                f"target must have the shape of the prediction {shape_of(prediction)} "
                f"or be a single number, got shape {shape_of(target)}"
            )
        if prediction.size == 0:
            raise ValueError("prediction must not be an empty array")
        with np.errstate(all="ignore"):  # inf is reported below, not warned
            return np.subtract(prediction, target)

    def backward(self) -> Value:
        """Return dC/d(prediction) for the last forward, shaped like the prediction.

        Returns:
            ``prediction - target`` for a number; ``(prediction - target) / N``
            as a new array for an array of N elements.

        Raises:
            RuntimeError: If called before the loss was computed.
        """
        diff = self._diff
        if type(diff) is float:
            return diff
        if diff is None:
            raise RuntimeError(
                "MSELoss.backward() was called before the loss was computed: "
                "call loss_fn(prediction, target) first"
            )
        return diff / diff.size

    def __repr__(self) -> str:
        return "MSELoss()"


def _check_finite(value: Value, name: str) -> None:
    """Raise ValueError if ``value`` contains inf or NaN, naming ``name``."""
    if not is_finite(value):
        raise ValueError(f"{name} must be finite, but {describe_nonfinite(value)}")
