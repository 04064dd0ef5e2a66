"""Losses: how far the network's output is from the target, and which way to go.

A loss sees numbers and arrays only, never layers. Each is a `Loss`: calling
it checks the prediction and the target and computes the cost C;
``backward()`` returns dC/d(prediction), the gradient the network's
backward pass starts from.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

from ._checks import (
    Value,
    as_value,
    describe_nonfinite,
    is_finite,
    missing_forward,
    shape_of,
)
from .functional import log_softmax, numel, sigmoid, total


class Loss:
    """The base class of every loss, built-in or your own.

    A loss implements two methods, with only the math in them:

    * ``forward(prediction, target)`` returns the cost C, a float, and keeps
      what ``backward`` will need;
    * ``backward()`` returns dC/d(prediction), shaped like the prediction.

    Calling the loss, ``loss_fn(prediction, target)``, checks both values
    where they enter, before ``forward`` sees them: the prediction becomes a
    float or an array (not empty), and the target goes through
    `check_target` (override it when your loss takes targets of another
    kind, as `CrossEntropyLoss` does). After ``forward``, the cost must be
    finite: if it is not, the call finds the cause and says it, an inf or
    NaN in the prediction or the target, or else a training that diverges.
    A ``backward`` before any call raises a RuntimeError that says so.

    Examples:
        Mean absolute error, in a few lines:

        >>> class L1Loss(Loss):
        ...     def forward(self, prediction, target):
        ...         self.diff = prediction - target
        ...         return float(np.mean(np.abs(self.diff)))
        ...     def backward(self):
        ...         return np.sign(self.diff) / np.size(self.diff)
        >>> loss_fn = L1Loss()
        >>> loss_fn([1.0, 2.0], [0.0, 4.0])
        1.5
        >>> print(loss_fn.backward())
        [ 0.5 -0.5]
    """

    def __call__(self, prediction: object, target: object) -> float:
        """Check ``prediction`` and ``target``, then compute the loss with `forward`.

        Args:
            prediction: The network's output: a number or an array.
            target: What the output should be (see each loss for its kind).

        Returns:
            The loss, a float.

        Raises:
            TypeError: If either is not numeric (or not of the kind the loss
                needs).
            ValueError: If either contains inf or NaN, the prediction is
                empty, or the target does not fit the prediction.
            FloatingPointError: If the loss is inf or NaN although both are
                finite: the training is diverging.
        """
        if type(prediction) is not float:  # (a float needs no check)
            prediction = as_value(prediction, "prediction", None)
            if numel(prediction) == 0:
                raise ValueError("prediction must not be an empty array")
        target = self.check_target(target, prediction)
        loss = self.forward(prediction, target)
        if not math.isfinite(loss):
            raise _why_not_finite(self, loss, prediction, target)
        return loss

    def check_target(self, target: object, prediction: Value) -> Value:
        """Check the target where it enters: a float, or an array of the prediction's dtype.

        The default accepts a number, compared with every element of the
        prediction, or an array shaped like the prediction. (Whether it is
        finite is checked with the cost: an inf or NaN target makes it so.)
        Override it for targets of another kind, as class labels.

        Raises:
            TypeError: If ``target`` is not a number or an array of them.
            ValueError: If it does not fit the prediction.
        """
        if type(target) is float:  # one number, compared with every element
            return target
        target = as_value(target, "target", getattr(prediction, "dtype", None))
        if isinstance(target, np.ndarray) and target.shape != shape_of(prediction):
            raise ValueError(
                f"target must have the shape of the prediction {shape_of(prediction)} "
                f"or be a single number, got shape {target.shape}. (A loss that takes "
                "targets of another kind, such as class labels, overrides check_target)"
            )
        return target

    def forward(self, prediction: Value, target: Value) -> float:
        """Compute the loss and keep what backward needs."""
        raise NotImplementedError(f"{type(self).__name__} must implement forward()")

    def backward(self) -> Value:
        """Return dC/d(prediction) for the last call, shaped like the prediction."""
        raise NotImplementedError(f"{type(self).__name__} must implement backward()")

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Wrap a subclass's ``backward`` so that running it before any call says so."""
        super().__init_subclass__(**kwargs)
        backward = cls.__dict__.get("backward")
        if backward is None:
            return

        @functools.wraps(backward)
        def backward_after_forward(self: Loss) -> Any:
            try:
                return backward(self)
            except AttributeError as error:  # (try costs nothing while nothing is raised)
                call = "loss_fn(prediction, target)"
                raise missing_forward(self, error, call, "loss_fn.backward()") from None

        cls.backward = backward_after_forward  # type: ignore[method-assign]

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class MSELoss(Loss):
    """Half the mean squared error: ``C = 1/2 * mean((prediction - target)**2)``.

    For one sample this is the chapter's cost ``C = 1/2 * (out - target)**2``.
    Its derivative is simply ``dC/d(out) = out - target``: the 1/2 cancels
    the 2 from the square, which is why the chapter's update expressions
    contain ``(out - target)`` and nothing else.

    Note:
        PyTorch's ``nn.MSELoss`` has no 1/2: it computes
        ``mean((prediction - target)**2)``, twice this value, and its
        gradients are twice as large. Training with PyTorch's loss at
        learning rate ``lr`` equals training with this one at ``2 * lr``.

    For a batch the mean runs over every element, so
    ``dC/d(prediction) = (prediction - target) / N`` for N elements. The
    target is an array shaped like the prediction, or one number that
    every element is compared with.

    Examples:
        >>> loss_fn = MSELoss()
        >>> loss_fn(0.5, 0.75)         # 1/2 * (0.5 - 0.75)**2
        0.03125
        >>> loss_fn.backward()         # dC/d(prediction) = 0.5 - 0.75
        -0.25
    """

    def forward(self, prediction: Value, target: Value) -> float:
        """Return ``1/2 * mean((prediction - target)**2)`` and keep the difference."""
        self.diff = prediction - target
        return 0.5 * total(self.diff * self.diff) / numel(self.diff)

    def backward(self) -> Value:
        """Return ``(prediction - target) / N`` for N numbers in the prediction."""
        return self.diff / numel(self.diff)


class CrossEntropyLoss(Loss):
    """Softmax and cross-entropy in one: the loss for choosing one of C classes.

    The network outputs one score (a *logit*) per class; softmax turns the
    scores of a sample into probabilities ``p = exp(z) / sum(exp(z))``, and
    the loss is the mean over the batch of ``-log p[label]``: small when the
    right class gets a high probability. Together they have the simplest of
    gradients, ``dC/dz = (p - one_hot(label)) / N``.

    The logits are computed with `nanonet.functional.log_softmax`, stable
    for any finite scores (no overflow at 1e3 or 1e300). Value and gradient
    are those of PyTorch's ``torch.nn.functional.cross_entropy``.

    Call it with logits of shape (N, C) and integer labels of shape (N,),
    each in ``0 .. C-1`` (or one sample: logits (C,) and one integer).

    Examples:
        >>> loss_fn = CrossEntropyLoss()
        >>> round(loss_fn([[2.0, 0.0, 0.0], [0.0, 0.0, 0.0]], [0, 2]), 4)
        0.6691
        >>> print(np.round(loss_fn.backward(), 4))
        [[-0.1065  0.0533  0.0533]
         [ 0.1667  0.1667 -0.3333]]
    """

    def forward(self, prediction: Value, target: Value) -> float:
        """Return the mean of ``-log softmax(logits)[label]`` and keep the log-probabilities."""
        self.log_probabilities = log_softmax(prediction)
        labels = np.asarray(target)
        self.at_labels = (np.arange(labels.size), labels) if labels.ndim else (labels,)
        return -float(self.log_probabilities[self.at_labels].sum()) / labels.size  # the mean

    def backward(self) -> Value:
        """Return ``(softmax(logits) - one_hot(labels)) / N``."""
        grad = np.exp(self.log_probabilities)  # softmax(logits): a new array
        grad[self.at_labels] -= 1.0  # p - one_hot(label)
        grad /= self.at_labels[-1].size  # the mean over the N samples
        return grad

    def check_target(self, target: object, prediction: Value) -> Value:
        """Check that ``target`` holds one class index (an integer in 0..C-1) per sample.

        Raises:
            TypeError: If the labels are not integers.
            ValueError: If the prediction is not (N, C) or (C,), or the labels
                are negative, too large, or not one per sample.
        """
        shape = shape_of(prediction)
        if len(shape) not in (1, 2):
            raise ValueError(
                "CrossEntropyLoss needs logits of shape (N, C), one row of C class scores per "
                f"sample, or (C,) for one sample; got shape {shape}"
            )
        labels = np.asarray(target)
        if labels.dtype.kind not in "iu":  # (bool, float, text and objects are not labels)
            got = f"an array of dtype {labels.dtype}" if labels.ndim else type(target).__name__
            hint = "; convert them with labels.astype(int)" if labels.dtype.kind == "f" else ""
            raise TypeError(
                f"CrossEntropyLoss needs integer class labels (0 to C-1), got {got}{hint}"
            )
        expected = shape[:1] if len(shape) == 2 else ()
        if labels.shape != expected:
            raise ValueError(
                f"CrossEntropyLoss needs one label per sample: logits of shape {shape} need "
                f"labels of shape {expected}, got shape {labels.shape}"
            )
        classes, labels = shape[-1], labels.astype(np.int64, copy=False)
        if labels.size and (labels.max() >= classes or labels.min() < 0):
            bad = labels[(labels < 0) | (labels >= classes)].flat[0]
            raise ValueError(
                f"CrossEntropyLoss labels must be class indices from 0 to {classes - 1} "
                f"(the logits have {classes} classes), got {bad}"
            )
        return labels


class BCEWithLogitsLoss(Loss):
    """Sigmoid and binary cross-entropy in one: the loss for yes-or-no answers.

    The network outputs a score (a *logit*) ``z`` per answer; ``sigmoid(z)``
    is the probability of "yes", and the loss is the mean of
    ``-(t * log sigmoid(z) + (1 - t) * log(1 - sigmoid(z)))`` for targets
    ``t`` of 0 or 1 (or probabilities in between). It is computed as
    ``max(z, 0) - z * t + log(1 + exp(-|z|))``, the same number written so
    that no ``exp`` overflows and no ``log`` sees 0, for any finite score.
    The gradient is ``dC/dz = (sigmoid(z) - t) / N``. Value and gradient are
    those of PyTorch's ``torch.nn.BCEWithLogitsLoss``.

    Examples:
        >>> loss_fn = BCEWithLogitsLoss()
        >>> round(loss_fn([0.0, 2.0], [1.0, 0.0]), 4)
        1.41
        >>> print(np.round(loss_fn.backward(), 4))
        [-0.25    0.4404]
    """

    def forward(self, prediction: Value, target: Value) -> float:
        """Return the mean of ``max(z, 0) - z * t + log(1 + exp(-|z|))``."""
        z, t = self.logits, self.targets = prediction, target
        return float(np.mean(np.maximum(z, 0.0) - z * t + np.log1p(np.exp(-np.abs(z)))))

    def backward(self) -> Value:
        """Return ``(sigmoid(z) - t) / N``."""
        return (sigmoid(self.logits) - self.targets) / numel(self.logits)

    def check_target(self, target: object, prediction: Value) -> Value:
        """Check that ``target`` is shaped like the logits and lies in [0, 1].

        Raises:
            TypeError: If ``target`` is not numeric.
            ValueError: If its shape differs from the logits' or a value is
                outside [0, 1] (or not finite).
        """
        target = as_value(target, "target", getattr(prediction, "dtype", None))
        if shape_of(target) != shape_of(prediction):
            raise ValueError(
                f"BCEWithLogitsLoss needs one target per logit: the logits have shape "
                f"{shape_of(prediction)}, the target shape {shape_of(target)}"
            )
        if not np.all((np.asarray(target) >= 0.0) & (np.asarray(target) <= 1.0)):
            raise ValueError(
                "BCEWithLogitsLoss targets must be 0 or 1 (or probabilities in between), "
                f"got values from {np.min(target)} to {np.max(target)}"
            )
        return target


def _why_not_finite(loss_fn: Loss, loss: float, prediction: Value, target: Value) -> Exception:
    """The error for a cost that came out inf or NaN: the input that made it so, or divergence."""
    if not is_finite(prediction):
        return ValueError(
            f"prediction must be finite, but {describe_nonfinite(prediction)}; if the network's "
            "input was finite, the training has diverged: lower the learning rate"
        )
    if not is_finite(target):
        return ValueError(f"target must be finite, but {describe_nonfinite(target)}")
    return FloatingPointError(
        f"{type(loss_fn).__name__} is {loss} although the prediction and the target are finite "
        f"(the largest prediction is {np.max(np.abs(prediction)):.3g} in size): the training "
        "is diverging. Lower the optimizer's learning rate first (to a tenth, say); if that "
        "does not help, scale the inputs to about [-1, 1]"
    )
