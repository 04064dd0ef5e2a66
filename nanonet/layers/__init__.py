"""The built-in layers, and Sequential to chain them: each written on the `nanonet.Layer` contract.

They are the math of the chain rule and nothing else, a few lines each, as
the layers the docs teach you to write.
"""

from .activations import ReLU, Sigmoid, Tanh
from .batchnorm import BatchNorm1d, BatchNorm2d
from .conv import Conv2d
from .dense import Dense
from .dropout import Dropout
from .flatten import Flatten
from .linear import Linear
from .pooling import MaxPool2d
from .sequential import Sequential

__all__ = [
    "BatchNorm1d",
    "BatchNorm2d",
    "Conv2d",
    "Dense",
    "Dropout",
    "Flatten",
    "Linear",
    "MaxPool2d",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Tanh",
]
