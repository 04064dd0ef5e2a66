"""Losses: how far the network's output is from the target, and which way to go.

A loss sees numbers and arrays only, never layers. Each is a `Loss`: calling
it checks the prediction and the target and computes the cost C;
``backward()`` returns dC/d(prediction), the gradient the network's
backward pass starts from.
"""

from __future__ import annotations

from math import isfinite
from typing import TYPE_CHECKING

import numpy as np

from ._checks import (
    Value,
    as_value,
    describe_nonfinite,
    is_finite,
    is_value,
    largest_magnitude,
    quietly,
    shape_of,
)
from .functional import log_softmax, sigmoid


class Loss:
    """The base class of every loss, built-in or your own.

    A loss implements two methods, with only the math in them:

    * ``forward(prediction, target)`` returns the cost C, a float, and keeps
      what ``backward`` will need;
    * ``backward()`` returns dC/d(prediction), shaped like the prediction.

    Calling the loss, ``loss_fn(prediction, target)``, checks both values
    before ``forward`` sees them: the prediction becomes a float or a
    float64 array and must be finite and not empty, and the target goes
    through `check_target` (override it when your loss takes targets of
    another kind, as `CrossEntropyLoss` does). A cost that comes out inf or
    NaN from finite values means the training is diverging, and raises.

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

    __slots__ = ()

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
        if type(prediction) is float:  # one sample: the fast path
            if not isfinite(prediction):
                _check_finite(prediction, "prediction")
            target = self.check_target(target, prediction)
            loss = self.forward(prediction, target)
        else:
            if not is_value(prediction):
                prediction = as_value(prediction, "prediction")
            if isinstance(prediction, np.ndarray) and prediction.size == 0:
                raise ValueError("prediction must not be an empty array")
            target = self.check_target(target, prediction)
            loss = quietly(self.forward, prediction, target)  # inf and NaN: see just below
        if not isfinite(loss):
            _check_finite(prediction, "prediction")  # a non-finite input is the likely cause
            raise FloatingPointError(
                f"{type(self).__name__} is {loss} although the prediction and the target are "
                f"finite (the largest prediction is {largest_magnitude(prediction):.3g} in "
                "size): the training is diverging. Lower the optimizer's learning rate first "
                "(to a tenth, say); if that does not help, scale the inputs to about [-1, 1]"
            )
        return loss

    def check_target(self, target: object, prediction: Value) -> Value:
        """Check the target and return it as a float or a float64 array.

        The default accepts a finite number, compared with every element of
        the prediction, or a finite array shaped like the prediction.

        Raises:
            TypeError: If ``target`` is not a number or an array of them.
            ValueError: If it contains inf or NaN, or does not fit.
        """
        if type(target) is float and isfinite(target):  # one number: nothing more to check
            return target
        target = as_value(target, "target")
        if type(target) is not float and shape_of(target) != shape_of(prediction):
            raise ValueError(
                f"target must have the shape of the prediction {shape_of(prediction)} "
                f"or be a single number, got shape {shape_of(target)}"
            )
        _check_finite(target, "target")
        return target

    def forward(self, prediction: Value, target: Value) -> float:
        """Compute the loss and keep what backward needs."""
        raise NotImplementedError(f"{type(self).__name__} must implement forward()")

    def backward(self) -> Value:
        """Return dC/d(prediction) for the last call, shaped like the prediction."""
        raise NotImplementedError(f"{type(self).__name__} must implement backward()")

    if not TYPE_CHECKING:  # (mypy would take every attribute to exist)

        def __getattr__(self, name: str) -> object:
            """Called only for a missing attribute: say what usually causes that."""
            if name.startswith("__"):
                raise AttributeError(name)
            raise AttributeError(
                f"{type(self).__name__} has no attribute {name!r} yet: backward() needs the "
                "loss computed first, so call loss_fn(prediction, target) before "
                "loss_fn.backward()"
            )

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

    __slots__ = ("diff",)
    diff: Value  # prediction - target, set by forward

    def forward(self, prediction: Value, target: Value) -> float:
        """Return ``1/2 * mean((prediction - target)**2)`` and keep the difference."""
        diff = self.diff = prediction - target
        if type(diff) is float:  # one sample
            return 0.5 * diff * diff
        return 0.5 * float(np.mean(diff * diff))

    def backward(self) -> Value:
        """Return ``(prediction - target) / N``, a new array for N elements (N = 1 for a number)."""
        diff = self.diff
        return diff if type(diff) is float else diff / diff.size  # type: ignore[union-attr]


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

    __slots__ = ("log_probabilities", "at_labels")
    log_probabilities: np.ndarray  # log softmax of the logits, shaped like them, set by forward
    at_labels: tuple  # where each sample's label is: (samples, labels), or (label,) for one

    def forward(self, prediction: Value, target: Value) -> float:
        """Return the mean of ``-log softmax(logits)[label]`` and keep the log-probabilities."""
        self.log_probabilities = log_softmax(prediction)
        labels = np.asarray(target)
        self.at_labels = (np.arange(labels.size), labels) if labels.ndim else (labels,)
        return -float(self.log_probabilities[self.at_labels].mean())

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
        classes = shape[-1]
        if labels.size and (labels.min() < 0 or labels.max() >= classes):
            bad = labels[(labels < 0) | (labels >= classes)].flat[0]
            raise ValueError(
                f"CrossEntropyLoss labels must be class indices from 0 to {classes - 1} "
                f"(the logits have {classes} classes), got {bad}"
            )
        return labels.astype(np.int64, copy=False)


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

    __slots__ = ("logits", "targets")
    logits: Value
    targets: Value

    def forward(self, prediction: Value, target: Value) -> float:
        """Return the mean of ``max(z, 0) - z * t + log(1 + exp(-|z|))``."""
        z, t = self.logits, self.targets = prediction, target
        return float(np.mean(np.maximum(z, 0.0) - z * t + np.log1p(np.exp(-np.abs(z)))))

    def backward(self) -> Value:
        """Return ``(sigmoid(z) - t) / N``."""
        return (sigmoid(self.logits) - self.targets) / np.size(self.logits)

    def check_target(self, target: object, prediction: Value) -> Value:
        """Check that ``target`` is shaped like the logits and lies in [0, 1].

        Raises:
            TypeError: If ``target`` is not numeric.
            ValueError: If its shape differs from the logits' or a value is
                outside [0, 1] (or not finite).
        """
        target = as_value(target, "target")
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


def _check_finite(value: Value, name: str) -> None:
    """Raise ValueError if ``value`` contains inf or NaN, naming ``name``."""
    if not is_finite(value):
        hint = ""
        if name == "prediction":
            hint = (
                "; if the network's input was finite, the training has diverged: "
                "lower the learning rate"
            )
        raise ValueError(f"{name} must be finite, but {describe_nonfinite(value)}{hint}")
