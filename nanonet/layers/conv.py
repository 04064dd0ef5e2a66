"""Conv2d: a small filter slid over images, as im2col and one matrix product."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .._checks import Value, as_count, as_generator
from ..layer import Layer
from ..parameter import Parameter


class Conv2d(Layer):
    """A 2-D convolution: every output pixel is a filter applied to a window of the input.

    The input is a batch of images ``(N, C, H, W)``: N images of C channels
    (1 for grey, 3 for colour, or the channels a layer before made), H by W
    pixels. Each of the ``out_channels`` filters is a weight array
    ``(C, kh, kw)`` and a bias. Slid over an image, ``stride`` pixels at a
    time, it gives one output pixel per window: the sum of the window's
    numbers times the filter's, plus the bias. A filter is a ``Dense`` unit
    that sees one small window, used again at every position.

    That makes the layer two steps, the way it is computed here:

    1. **im2col**: cut the images into their windows and lay each window out
       as a column of ``C * kh * kw`` numbers, one column per output pixel:
       the matrix ``columns``, of shape ``(C * kh * kw, N * OH * OW)``.
    2. **One matrix product**, as in `nanonet.Dense`: ``W @ columns + b``,
       with ``W`` the weight reshaped to ``(out_channels, C * kh * kw)``:
       row o of the result is filter o's output at every pixel.

    Backward is Dense's three matrix products on the same matrices, and
    col2im (`add_windows`) turns the windows' gradients back into the
    image's: where windows overlap, an input pixel gets the sum of them.

    ``padding`` adds that many zeros around each image first, so that a
    3x3 filter with ``padding=1`` keeps the image's size. The output has
    ``OH = (H + 2 * padding - kh) // stride + 1`` rows (and ``OW``
    likewise). The layout and the initialisation are PyTorch's
    ``nn.Conv2d``: weight ``(out_channels, in_channels, kh, kw)``, and
    weight and bias uniform on ``±1/sqrt(in_channels * kh * kw)``.

    Args:
        in_channels: C, the channels of each input image.
        out_channels: The number of filters: the channels of the output.
        kernel_size: The filter's size: an int (square) or a pair ``(kh, kw)``.
        stride: How far the filter moves between windows: an int or a pair.
        padding: Zeros added on each side of the images: an int or a pair.
        bias: Whether each filter has a trainable bias.
        rng: Where the random initial weights come from: a
            ``numpy.random.Generator``, or an int seed for a new one.
        dtype: The weights' dtype, float64 (the default) or float32.

    Attributes:
        weight (Parameter): The filters, ``(out_channels, in_channels, kh, kw)``.
        bias (Parameter | None): One per filter, ``(out_channels,)``, or None.

    Raises:
        TypeError: If a size is not an int (or a pair of ints), or ``rng``
            is neither a Generator nor an int.
        ValueError: If a size is below 1 (``padding`` below 0), or (when
            called) the input is not ``(N, in_channels, H, W)`` with images
            at least as large as the filter.

    Examples:
        >>> layer = Conv2d(1, 4, 3, padding=1, rng=0)
        >>> layer
        Conv2d(1, 4, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=True)
        >>> layer(np.ones((2, 1, 8, 8))).shape       # two 8x8 grey images
        (2, 4, 8, 8)
        >>> Conv2d(1, 4, 3, stride=2, rng=0)(np.ones((2, 1, 8, 8))).shape
        (2, 4, 3, 3)
    """

    __slots__ = ("weight", "bias", "stride", "padding", "columns", "padded_shape")

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, int],
        *,
        stride: int | tuple[int, int] = 1,
        padding: int | tuple[int, int] = 0,
        bias: bool = True,
        rng: object = None,
        dtype: Any = np.float64,
    ) -> None:
        kh, kw = as_pair(kernel_size, "kernel_size")
        in_channels = as_count(in_channels, "in_channels")
        shape = (as_count(out_channels, "out_channels"), in_channels, kh, kw)
        self.stride, self.padding = as_pair(stride, "stride"), as_pair(padding, "padding", 0)
        if not isinstance(bias, bool):
            raise TypeError(f"bias must be True or False, got {type(bias).__name__}")
        bound = 1.0 / math.sqrt(in_channels * kh * kw)  # 1/sqrt(fan_in), as PyTorch
        generator = as_generator(rng)
        self.weight = Parameter(generator.uniform(-bound, bound, shape), dtype)
        self.bias = Parameter(generator.uniform(-bound, bound, shape[0]), dtype) if bias else None
        self.dtype = self.weight.dtype

    def check_input(self, x: object) -> Value:
        """Check that ``x`` is a batch of images ``(N, in_channels, H, W)`` the filter fits in."""
        x = super().check_input(x)
        (ph, pw), (_, c, kh, kw), shape = self.padding, self.weight.shape, np.shape(x)
        if len(shape) != 4 or shape[1] != c or shape[2] + 2 * ph < kh or shape[3] + 2 * pw < kw:
            raise ValueError(
                f"{self!r} takes a batch of images of {c} channels, of at least {kh - 2 * ph}x"
                f"{kw - 2 * pw} pixels: an array of shape (N, {c}, H, W), got shape {shape}"
            )
        return x

    def forward(self, x: np.ndarray) -> np.ndarray:  # type: ignore[override]
        """im2col, then ``W @ columns + b``; keep the columns: they are in dC/dW."""
        ph, pw = self.padding
        x = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw))) if ph or pw else x
        self.padded_shape = x.shape
        windows = image_windows(x, self.weight.shape[2:], self.stride)  # (kh, kw, N, C, OH, OW)
        kh, kw, n, c, oh, ow = windows.shape
        # im2col: a column per output pixel, holding the C * kh * kw numbers its window sees
        self.columns = windows.transpose(3, 0, 1, 2, 4, 5).reshape(c * kh * kw, n * oh * ow)
        y = self.weight.value.reshape(len(self.weight.value), -1) @ self.columns
        if self.bias is not None:
            y = y + self.bias.value[:, None]
        return y.reshape(-1, n, oh, ow).transpose(1, 0, 2, 3)  # (N, out_channels, OH, OW)

    def backward(self, grad: np.ndarray) -> np.ndarray:  # type: ignore[override]
        """Dense's three products on the columns, then col2im: dC/dx, the windows added up."""
        (n, out_channels, oh, ow), (_, c, kh, kw) = grad.shape, self.weight.shape
        grad = grad.transpose(1, 0, 2, 3).reshape(out_channels, -1)  # laid out as W @ columns
        weight = self.weight.value.reshape(out_channels, -1)
        self.weight.grad += (grad @ self.columns.T).reshape(self.weight.shape)
        if self.bias is not None:
            self.bias.grad += grad.sum(axis=1)
        window_grads = (weight.T @ grad).reshape(c, kh, kw, n, oh, ow).transpose(1, 2, 3, 0, 4, 5)
        x_grad = add_windows(window_grads, self.padded_shape, self.stride)
        (ph, pw), (h, w) = self.padding, self.padded_shape[2:]
        return x_grad[:, :, ph : h - ph, pw : w - pw]  # the padding's gradients dropped

    def extra_repr(self) -> str:
        out_channels, in_channels, kh, kw = self.weight.shape
        return (
            f"{in_channels}, {out_channels}, kernel_size={(kh, kw)}, stride={self.stride}, "
            f"padding={self.padding}, bias={self.bias is not None}"
        )


def image_windows(x: np.ndarray, size: tuple, stride: tuple[int, int]) -> np.ndarray:
    """The windows of ``size`` (kh, kw) in images ``x`` (N, C, H, W), ``stride`` apart.

    Returns:
        A view of ``x`` (nothing is copied) of shape ``(kh, kw, N, C,
            OH, OW)``: ``[i, j]`` holds pixel (i, j) of every window, so
            ``[:, :, n, c, r, s]`` is the window whose top-left pixel is
            ``x[n, c, r * stride[0], s * stride[1]]``. (Laid out so, each
            pixel of the windows is a whole array: numpy works on large
            arrays faster than on many small ones.)

    Examples:
        >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
        >>> image_windows(x, (2, 2), (2, 2))[:, :, 0, 0, 0, 1]     # the top right window
        array([[2., 3.],
               [6., 7.]])
    """
    windows = sliding_window_view(x, size, axis=(2, 3))[:, :, :: stride[0], :: stride[1]]
    return windows.transpose(4, 5, 0, 1, 2, 3)


def add_windows(window_grads: np.ndarray, shape: tuple, stride: tuple[int, int]) -> np.ndarray:
    """The reverse of `image_windows` (col2im): each window's numbers added back where it was.

    Args:
        window_grads: What each pixel of each window gets, laid out as
            `image_windows` lays out the windows: ``(kh, kw, N, C, OH, OW)``.
        shape: The images' shape ``(N, C, H, W)``.
        stride: How far apart the windows are.

    Returns:
        A new array of ``shape``: each pixel holds the sum of what the
            windows that contain it hold for it (0 if none does).
    """
    (kh, kw, _, _, oh, ow), (sh, sw) = window_grads.shape, stride
    grad = np.zeros(shape, window_grads.dtype)
    for i in range(kh):  # pixel (i, j) of every window at once
        for j in range(kw):
            grad[:, :, i : i + sh * oh : sh, j : j + sw * ow : sw] += window_grads[i, j]
    return grad


def as_pair(value: object, name: str, minimum: int = 1) -> tuple[int, int]:
    """``value``, an int or a pair of ints (height, width), as a pair; each at least ``minimum``.

    Examples:
        >>> as_pair(3, "kernel_size"), as_pair((3, 5), "kernel_size")
        ((3, 3), (3, 5))
    """
    if isinstance(value, (tuple, list)) and len(value) != 2:
        raise TypeError(f"{name} must be an int or a pair of ints (height, width), got {value!r}")
    height, width = value if isinstance(value, (tuple, list)) else (value, value)
    return as_count(height, name, minimum=minimum), as_count(width, name, minimum=minimum)
