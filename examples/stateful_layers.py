"""Layers with state that is not trained: a buffer, a training mode and random numbers.

The code of the section "Buffers, training mode and random numbers" of the
page "Write your own layer". ``Center`` keeps a running mean in a buffer, as
`nanonet.BatchNorm1d` does; ``GaussianNoise`` draws random numbers in
training only, as `nanonet.Dropout` does. Run
``python examples/stateful_layers.py`` to check both with gradcheck.
"""

from __future__ import annotations

import numpy as np

from nanonet import Layer, gradcheck


# --8<-- [start:center]
class Center(Layer):
    """Subtract each feature's mean: the batch's in training, a running one in eval mode.

    The running mean is state, saved with the weights but never trained: a
    buffer. Its name goes in the class attribute ``buffers``, and nanonet's
    state_dict, load_state_dict, to(dtype) and save find it there.
    """

    buffers = ("running_mean",)

    def __init__(self, features, momentum=0.1):
        self.running_mean = np.zeros(features)
        self.momentum = momentum

    def forward(self, x):
        if not self.training:  # evaluation: the running mean, a constant
            return x - self.running_mean
        mean = x.mean(axis=0)
        m = self.momentum
        self.running_mean = (1 - m) * self.running_mean + m * mean
        return x - mean

    def backward(self, grad):
        if not self.training:
            return grad
        return grad - grad.mean(axis=0)  # the batch's mean depends on every sample


# --8<-- [end:center]


# --8<-- [start:noise]
class GaussianNoise(Layer):
    """Add normal noise (standard deviation ``std``) in training: a regulariser.

    The layer keeps its numpy Generator as an attribute: save() finds it there
    and saves its state, so a resumed run draws the noise the uninterrupted
    run would have drawn.
    """

    def __init__(self, std, rng=None):
        self.std = std
        self.rng = np.random.default_rng(rng)

    def forward(self, x):
        if not self.training:
            return x
        return x + self.std * self.rng.standard_normal(np.shape(x))

    def backward(self, grad):
        return grad  # the noise does not depend on x


# --8<-- [end:noise]


def check_all() -> None:
    """gradcheck both (GaussianNoise in evaluation: in training each call draws new noise)."""
    x = np.random.default_rng(0).normal(size=(5, 3))
    assert gradcheck(Center(3), x) and gradcheck(Center(3).eval(), x)
    assert gradcheck(GaussianNoise(0.5).eval(), x)


if __name__ == "__main__":
    check_all()
    print("Center and GaussianNoise pass gradcheck")
