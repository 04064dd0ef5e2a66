"""BatchNorm1d and BatchNorm2d: each feature normalised over the batch, then scaled and shifted."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._checks import Value, as_count, as_positive_number, as_real_number
from ..layer import Layer
from ..parameter import Parameter


class BatchNorm1d(Layer):
    """Batch normalisation of features ``(N, C)``: mean 0, variance 1, then a scale and a shift.

    In training, each feature (column) of the batch is normalised with the
    batch's own mean and variance,
    ``x_hat = (x - mean) / sqrt(var + eps)``, and then scaled and shifted
    by two trainable parameters per feature: ``y = weight * x_hat + bias``.
    Whatever the layers before do to the scale of their outputs, the next
    layer sees numbers of a steady size, which lets deep networks train
    faster and at higher learning rates.

    A trained network must also answer one sample at a time, where a batch
    has no mean to speak of. So in training the layer keeps running
    averages of the batches' means and variances (the variance unbiased,
    ``var * n / (n - 1)`` over n numbers per feature):
    ``running = (1 - momentum) * running + momentum * batch_value``; in
    evaluation mode (after ``model.eval()``) it normalises with those.
    They are **buffers**: state that is saved with the weights
    (`state_dict`, `nanonet.save`) but never trained, plain arrays read as
    ``bn.running_mean``, as in PyTorch's ``nn.BatchNorm1d``.

    Backward, in training, has three parts: the gradient through
    ``x_hat``, minus what flows through the batch's mean, minus what flows
    through its variance. With ``g = grad * weight / sqrt(var + eps)``,
    ``dC/dx = g - mean(g) - x_hat * mean(g * x_hat)`` (means per feature).
    In evaluation mode the statistics are constants and ``dC/dx = g``.

    Args:
        num_features: C, the number of features of each sample.
        eps: Added to the variance before the square root, so that a
            feature with no variance does not divide by 0.
        momentum: How much of each batch goes into the running averages,
            in [0, 1]. (PyTorch's ``momentum=None``, a plain average over
            all batches, is not offered.)
        dtype: The parameters' and buffers' dtype, float64 (the default) or
            float32.

    Attributes:
        weight (Parameter): The scale per feature, ``(C,)``, starting at 1.
        bias (Parameter): The shift per feature, ``(C,)``, starting at 0.
        running_mean (numpy.ndarray): A buffer, ``(C,)``, starting at 0.
        running_var (numpy.ndarray): A buffer, ``(C,)``, starting at 1.

    Raises:
        TypeError: If an argument is not of the right kind.
        ValueError: If ``num_features`` is below 1, ``eps`` is not positive,
            ``momentum`` is outside [0, 1], or (when called) the input does
            not have C features, or has only one number per feature in
            training mode.

    Examples:
        >>> bn = BatchNorm1d(2)
        >>> y = bn(np.array([[1.0, 10.0], [3.0, 30.0]]))   # each column: mean 0, variance 1
        >>> y.round(4)
        array([[-1., -1.],
               [ 1.,  1.]])
        >>> print(bn.running_mean, bn.running_var)   # a tenth of the way from 0 and 1
        [0.2 2. ] [ 1.1 20.9]
    """

    __slots__ = ("weight", "bias", "running_mean", "running_var", "x_hat", "std", "batch_stats")
    buffers = ("running_mean", "running_var")
    axes: tuple[int, ...] = (0,)  # each feature's statistics are taken over the samples
    per_feature: tuple[int, ...] = (-1,)  # reshapes a (C,) array to line up with axis 1 of x

    def __init__(
        self,
        num_features: int,
        *,
        eps: float = 1e-5,
        momentum: float = 0.1,
        dtype: Any = np.float64,
    ) -> None:
        num_features = as_count(num_features, "num_features")
        self.eps, self.momentum = (
            as_positive_number(eps, "eps"),
            as_real_number(momentum, "momentum"),
        )
        if not 0.0 <= self.momentum <= 1.0:
            raise ValueError(f"momentum must be in [0, 1], got {momentum}")
        self.weight = Parameter(np.ones(num_features), dtype)
        self.bias = Parameter(np.zeros(num_features), dtype)
        self.running_mean = np.zeros(num_features, self.weight.dtype)
        self.running_var = np.ones(num_features, self.weight.dtype)
        self.dtype = self.weight.dtype

    def check_input(self, x: object) -> Value:
        """Check that ``x`` has C features along axis 1 and, in training, more than one sample."""
        x = super().check_input(x)
        features, shape = len(self.running_mean), np.shape(x)
        if len(shape) != len(self.axes) + 1 or shape[1] != features:
            dims = "(N, C)" if len(self.axes) == 1 else "(N, C, H, W)"
            raise ValueError(f"{self!r} takes an array {dims} with C = {features}, got {shape}")
        if self.training and np.size(x) <= features:
            raise ValueError(
                f"{type(self).__name__} in training mode needs more than one number per feature, "
                f"got shape {shape}; model.eval() uses the running statistics instead"
            )
        return x

    def forward(self, x: np.ndarray) -> np.ndarray:  # type: ignore[override]
        """Normalise with the batch's statistics (training) or the running ones; scale, shift."""
        if self.training:
            mean, var = x.mean(axis=self.axes), x.var(axis=self.axes)
            n = x.size // mean.size  # the numbers each feature's statistics are taken over
            unbiased, m = n / (n - 1), self.momentum  # (n = 1: check_input says why)
            self.running_mean = (1 - m) * self.running_mean + m * mean
            self.running_var = (1 - m) * self.running_var + m * var * unbiased
        else:
            mean, var = self.running_mean, self.running_var
        self.batch_stats, shape = self.training, self.per_feature
        self.std = np.sqrt(var + self.eps).reshape(shape)
        self.x_hat = (x - mean.reshape(shape)) / self.std
        return self.weight.value.reshape(shape) * self.x_hat + self.bias.value.reshape(shape)

    def backward(self, grad: np.ndarray) -> np.ndarray:  # type: ignore[override]
        """Add dC/d(weight) and dC/d(bias); return dC/dx, through the batch's mean and variance."""
        self.weight.grad += (grad * self.x_hat).sum(axis=self.axes)
        self.bias.grad += grad.sum(axis=self.axes)
        g = grad * self.weight.value.reshape(self.per_feature) / self.std
        if self.batch_stats:  # then the mean and the variance depend on x too
            mean_g = g.mean(axis=self.axes, keepdims=True)
            g = g - mean_g - self.x_hat * (g * self.x_hat).mean(axis=self.axes, keepdims=True)
        return g

    def extra_repr(self) -> str:
        return f"{len(self.running_mean)}, eps={self.eps}, momentum={self.momentum}"


class BatchNorm2d(BatchNorm1d):
    """Batch normalisation of images ``(N, C, H, W)``: `BatchNorm1d`, each channel a feature.

    A channel is one filter's output at every pixel, so its mean and
    variance are taken over the batch and the pixels together (axes 0, 2
    and 3), and each channel has one ``weight``, one ``bias`` and one entry
    in ``running_mean`` and ``running_var``. Everything else, the math
    included, is `BatchNorm1d`'s. This is PyTorch's ``nn.BatchNorm2d``.

    Examples:
        >>> bn = BatchNorm2d(3)
        >>> y = bn(np.random.default_rng(0).normal(5.0, 2.0, (4, 3, 6, 6)))
        >>> print(y.mean(axis=(0, 2, 3)).round(6), y.std(axis=(0, 2, 3)).round(3))
        [-0.  0. -0.] [1. 1. 1.]
    """

    axes = (0, 2, 3)  # each channel's statistics: over the samples and the pixels
    per_feature = (-1, 1, 1)
