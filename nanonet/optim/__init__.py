"""Optimizers: move every parameter a step downhill, and schedules for the step size.

An optimizer sees `nanonet.Parameter` objects only, never layers: it reads
each ``.grad`` that backward filled in and changes each ``.value``.
"""

from .adam import Adam, AdamW
from .optimizer import Optimizer
from .sgd import SGD

__all__ = ["SGD", "Adam", "AdamW", "Optimizer"]
