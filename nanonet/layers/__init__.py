"""The built-in layers, and Sequential to chain them: each written on the `nanonet.Layer` contract.

They are the math of the chain rule and nothing else, a few lines each, as
the layers the docs teach you to write.
"""

from .activations import ReLU, Sigmoid, Tanh
from .dense import Dense
from .linear import Linear
from .sequential import Sequential

__all__ = ["Dense", "Linear", "ReLU", "Sequential", "Sigmoid", "Tanh"]
