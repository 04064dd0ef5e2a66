"""Linear: multiply by one trainable weight, y = w * x."""

from __future__ import annotations

from .._checks import Value, as_generator, as_real_number
from ..functional import total
from ..layer import Layer
from ..parameter import Parameter


class Linear(Layer):
    """Multiply the input by a single trainable weight: ``y = w * x``.

    This is the connection between two nodes of the chapter's network: the
    input ``s0`` times the weight ``w0`` gives the first node's activity
    ``x1 = w0 * s0``.

    The derivatives backward needs are ``dy/dw = x`` (so forward caches the
    input) and ``dy/dx = w``. For a batch, ``x`` is an array of independent
    samples and the weight's gradient is the sum over the samples.

    ``Linear`` is the chapter's one-weight connection, not PyTorch's
    ``nn.Linear``: to map ``in_features`` inputs to ``out_features``
    outputs with a weight matrix and a bias, use `nanonet.Dense`.

    Args:
        weight: The initial weight. If omitted, it is drawn from the uniform
            distribution on [-1, 1), the range PyTorch's ``nn.Linear`` uses
            for one input, so that the chapter's step 1 ("choose random
            initial weights") is one call.
        *not_allowed: Nothing: ``Linear`` takes one weight. A second
            positional argument, as in PyTorch's ``nn.Linear(2, 4)``, raises
            a TypeError that points to `nanonet.Dense`.
        rng: Where the random weight comes from when ``weight`` is omitted:
            a ``numpy.random.Generator``, or a seed (an int) for a new one.
            The same seed gives the same weight. Ignored when ``weight`` is
            given.

    Attributes:
        weight (Parameter): The weight ``w``: ``weight.value`` is its value,
            ``weight.grad`` the gradient dC/dw that backward adds to.

    Raises:
        TypeError: If ``weight`` is not a real number, a second positional
            argument is given, or ``rng`` is neither a Generator nor an int.
        ValueError: If ``weight`` is inf or NaN, or the seed is negative.

    Examples:
        >>> layer = Linear(2.0)
        >>> layer(3.0)                # forward: y = w * x
        6.0
        >>> layer.backward(1.0)       # returns dy/dx = w ...
        2.0
        >>> layer.weight.grad         # ... and adds dy/dw = x to the weight's grad
        3.0
        >>> Linear(rng=0).weight.value == Linear(rng=0).weight.value
        True
    """

    __slots__ = ("weight", "x")
    symbol = "×"  # how nanonet.draw labels the layer: times its weight

    def __init__(self, weight: float | None = None, *not_allowed: object, rng: object = None):
        if not_allowed:
            raise TypeError(
                f"Linear({weight!r}, {', '.join(map(repr, not_allowed))}): nanonet's Linear is "
                "the chapter's connection with one weight, y = w * x, and takes one weight. "
                "For PyTorch's nn.Linear(in_features, out_features), a weight matrix and a "
                f"bias, use Dense({weight!r}, {', '.join(map(repr, not_allowed))})"
            )
        if weight is None:
            weight = as_generator(rng).uniform(-1.0, 1.0)
        self.weight = Parameter(as_real_number(weight, "weight"))

    def forward(self, x: Value) -> Value:
        """Return ``w * x`` and keep ``x``: it is dy/dw, which backward needs."""
        self.x = x
        return self.weight.value * x

    def backward(self, grad: Value) -> Value:
        """Add dC/dw = grad * x, summed over the batch, to the weight's grad; return grad * w."""
        self.weight.grad += total(grad * self.x)
        return grad * self.weight.value

    def extra_repr(self) -> str:
        return f"weight={self.weight.value!r}"
