"""MaxPool2d: each window of an image replaced by its largest number."""

from __future__ import annotations

import numpy as np

from .._checks import Value
from ..layer import Layer
from .conv import add_windows, as_pair, image_windows


class MaxPool2d(Layer):
    """Max pooling: the largest number of each ``kernel_size`` window, channel by channel.

    It shrinks images (a 2x2 window, 2 pixels apart, halves each side) and
    keeps what a filter found most strongly in each neighbourhood, wherever
    exactly it was. It has no parameters.

    The maximum passes its input through unchanged, and the other numbers
    of the window not at all: so the gradient of each output goes to its
    window's maximum (the first one, in reading order, if several are
    equal, as in PyTorch), and the rest get 0. Where windows overlap
    (``stride`` smaller than ``kernel_size``), a pixel gets the sum of the
    gradients of the windows it is the maximum of. Rows and columns that
    no whole window reaches are dropped, as in PyTorch's ``nn.MaxPool2d``.

    Args:
        kernel_size: The window's size: an int (square) or a pair ``(kh, kw)``.
        stride: How far apart the windows are: an int or a pair; by
            default the window's size (windows side by side).

    Raises:
        TypeError: If a size is not an int or a pair of ints.
        ValueError: If a size is below 1, or (when called) the input is not
            a batch of images ``(N, C, H, W)`` at least as large as a window.

    Examples:
        >>> pool = MaxPool2d(2)
        >>> x = np.array([[[[1.0, 2.0, 0.0, 0.0],
        ...                 [3.0, 4.0, 0.0, 9.0]]]])      # one image, 2x4 pixels
        >>> pool(x)
        array([[[[4., 9.]]]])
        >>> pool.backward(np.array([[[[10.0, 20.0]]]]))    # to each window's maximum
        array([[[[ 0.,  0.,  0.,  0.],
                 [ 0., 10.,  0., 20.]]]])
    """

    __slots__ = ("kernel_size", "stride", "x_shape", "argmax")

    def __init__(self, kernel_size: int | tuple[int, int], stride: object = None) -> None:
        self.kernel_size = as_pair(kernel_size, "kernel_size")
        self.stride = self.kernel_size if stride is None else as_pair(stride, "stride")

    def check_input(self, x: object) -> Value:
        """Check that ``x`` is a batch of images ``(N, C, H, W)`` at least as large as a window."""
        x = super().check_input(x)
        (kh, kw), shape = self.kernel_size, np.shape(x)
        if len(shape) != 4 or shape[2] < kh or shape[3] < kw:
            raise ValueError(
                f"{self!r} takes a batch of images of at least {kh}x{kw} pixels: an array of "
                f"shape (N, C, H, W), got shape {shape}"
            )
        return x

    def forward(self, x: np.ndarray) -> np.ndarray:  # type: ignore[override]
        """Return each window's maximum; keep where it is: backward sends the gradient there."""
        windows = image_windows(x, self.kernel_size, self.stride)  # (kh, kw, N, C, OH, OW)
        windows = windows.reshape(-1, *windows.shape[2:])  # each window's numbers along axis 0
        self.x_shape, self.argmax = x.shape, windows.argmax(axis=0)  # the first maximum
        return windows.max(axis=0)

    def backward(self, grad: np.ndarray) -> np.ndarray:  # type: ignore[override]
        """Each output's gradient to its window's maximum, 0 to the rest; windows added up."""
        kh, kw = self.kernel_size
        at_maximum = self.argmax == np.arange(kh * kw).reshape(kh, kw, 1, 1, 1, 1)
        return add_windows(at_maximum * grad, self.x_shape, self.stride)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}"
