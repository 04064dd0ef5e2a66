"""Dropout: in training, each input set to 0 at random, so no unit can rely on another."""

from __future__ import annotations

import numpy as np

from .._checks import Value, as_generator, as_real_number
from ..layer import Layer


class Dropout(Layer):
    """Inverted dropout: in training, zero each input with probability ``p``, scale the rest.

    A network that fits its training data too closely (it *overfits*)
    learns combinations of units that only work together. Dropout breaks
    them: at every training step a different random part of the units is
    silent, so each unit has to be useful on its own. The inputs that stay
    are multiplied by ``1 / (1 - p)``, so that every unit's input keeps the
    same expected size; in evaluation mode (after ``model.eval()``) dropout
    is the identity, and the network uses all its units. This is PyTorch's
    ``nn.Dropout``.

    Forward keeps the random ``mask`` (True for the inputs that stay);
    backward multiplies the gradient by the same mask and factor, since
    ``y = x * mask / (1 - p)``.

    The mask is drawn from ``rng``, a ``numpy.random.Generator`` the layer
    keeps as an attribute: `nanonet.save` finds it there, so a resumed run
    draws the masks the uninterrupted run would have drawn.

    Args:
        p: The probability of zeroing each input, in [0, 1). (PyTorch allows
            ``p=1``, which zeroes everything; nanonet refuses it.)
        rng: Where the masks come from: a ``numpy.random.Generator``, or an
            int seed for a new one.

    Attributes:
        rng (numpy.random.Generator): The generator the masks come from.

    Raises:
        TypeError: If ``p`` is not a real number, or ``rng`` is neither a
            Generator nor an int.
        ValueError: If ``p`` is outside [0, 1).

    Examples:
        >>> layer = Dropout(0.5, rng=0)
        >>> layer(np.ones((2, 4)))             # about half are zeroed, the rest doubled
        array([[2., 0., 0., 0.],
               [2., 2., 2., 2.]])
        >>> layer.eval()(np.ones((2, 4)))       # evaluation: the identity
        array([[1., 1., 1., 1.],
               [1., 1., 1., 1.]])
    """

    __slots__ = ("p", "rng", "mask", "scale")
    mask: Value  # (a bool array, or True in evaluation)

    def __init__(self, p: float = 0.5, *, rng: object = None) -> None:
        self.p = as_real_number(p, "p")
        if not 0.0 <= self.p < 1.0:
            raise ValueError(f"p, the probability of zeroing an input, must be in [0, 1), got {p}")
        self.rng = as_generator(rng)

    def forward(self, x: Value) -> Value:
        """Return ``x * mask / (1 - p)`` in training, with a new random mask; else ``x``."""
        if self.training:  # each input kept with probability 1 - p, and scaled up
            self.mask, self.scale = self.rng.random(np.shape(x)) >= self.p, 1.0 / (1.0 - self.p)
        else:  # evaluation: every input, as it is
            self.mask, self.scale = True, 1.0
        return x * self.mask * self.scale

    def backward(self, grad: Value) -> Value:
        """Return ``grad * mask / (1 - p)``: the inputs that were zeroed get no gradient."""
        return grad * self.mask * self.scale

    def extra_repr(self) -> str:
        return f"p={self.p}"
