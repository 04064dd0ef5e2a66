"""Activations: the squashing functions between weights (Sigmoid, Tanh, ReLU)."""

from __future__ import annotations

from .._checks import Value
from ..functional import relu, sigmoid, tanh
from ..layer import Layer


class Sigmoid(Layer):
    """The logistic sigmoid, ``s = 1 / (1 + exp(-x))``, a node's activation.

    It squashes any activity into (0, 1). Its derivative can be written
    with its own output, ``ds/dx = s * (1 - s)``, so forward keeps the
    output and backward needs nothing else. See `nanonet.sigmoid` for how it
    stays exact for every float, including +-inf and NaN.

    Examples:
        >>> layer = Sigmoid()
        >>> layer(0.0)
        0.5
        >>> layer.backward(1.0)       # s * (1 - s) at s = 0.5
        0.25
    """

    __slots__ = ("s",)
    symbol = "σ"  # how nanonet.draw labels the layer

    def forward(self, x: Value) -> Value:
        """Return s = sigmoid(x) and keep it: ds/dx = s * (1 - s)."""
        self.s = sigmoid(x)
        return self.s

    def backward(self, grad: Value) -> Value:
        """Return dC/dx = grad * (s * (1 - s)): the gradient times the sigmoid's slope."""
        return grad * (self.s * (1.0 - self.s))


class Tanh(Layer):
    """The hyperbolic tangent, ``y = tanh(x)``: like Sigmoid, but centred on 0.

    It squashes any activity into (-1, 1), and its derivative is largest,
    1, at x = 0 (the sigmoid's is 1/4), which makes it a good choice for
    hidden layers. The derivative can be written with the output,
    ``dy/dx = 1 - y**2``, so forward keeps the output.

    Examples:
        >>> layer = Tanh()
        >>> layer(0.0)
        0.0
        >>> print(layer.backward(1.0))   # 1 - y**2 at y = 0
        1.0
    """

    __slots__ = ("y",)
    symbol = "tanh"  # how nanonet.draw labels the layer

    def forward(self, x: Value) -> Value:
        """Return y = tanh(x) and keep it: dy/dx = 1 - y**2."""
        self.y = tanh(x)
        return self.y

    def backward(self, grad: Value) -> Value:
        """Return dC/dx = grad * (1 - y**2)."""
        return grad * (1.0 - self.y**2)


class ReLU(Layer):
    """The rectified linear unit, ``y = max(x, 0)``: the default in deep networks.

    It passes positive inputs unchanged and zeroes the rest, so its
    derivative is 1 where x > 0 and 0 where x < 0. At x = 0 the function has
    a kink and no derivative; like PyTorch, nanonet uses 0 there.

    Examples:
        >>> import numpy as np
        >>> layer = ReLU()
        >>> print(layer([-1.0, 0.0, 2.0]))
        [0. 0. 2.]
        >>> print(layer.backward(np.ones(3)))    # 0 at the kink, x = 0
        [0. 0. 1.]
    """

    __slots__ = ("x",)
    symbol = "ReLU"  # how nanonet.draw labels the layer

    def forward(self, x: Value) -> Value:
        """Return y = max(x, 0) and keep x: dy/dx depends on its sign."""
        self.x = x
        return relu(x)

    def backward(self, grad: Value) -> Value:
        """Return dC/dx = grad * (1 where x > 0, else 0)."""
        return grad * (self.x > 0.0)
