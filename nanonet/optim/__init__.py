"""Optimizers: move every parameter a step downhill, and schedules for the step size.

An optimizer sees `nanonet.Parameter` objects only, never layers: it reads
each ``.grad`` that backward filled in and changes each ``.value``. A
schedule (`nanonet.optim.lr_scheduler`) sees the optimizer only: it sets its
``lr``, epoch by epoch.
"""

from .adam import Adam, AdamW
from .lr_scheduler import CosineAnnealingLR, ExponentialLR, LRScheduler, StepLR
from .optimizer import Optimizer
from .sgd import SGD

__all__ = [
    "SGD",
    "Adam",
    "AdamW",
    "CosineAnnealingLR",
    "ExponentialLR",
    "LRScheduler",
    "Optimizer",
    "StepLR",
]
