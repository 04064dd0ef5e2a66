"""nanonet: a minimal, object-oriented neural-network micro-framework.

Build a network from layers, train it with a loss and an optimizer, and see
backpropagation as what it is: the chain rule, one layer at a time.

Examples:
    >>> from nanonet import Linear, Sigmoid, Sequential, MSELoss, SGD
    >>> model = Sequential(Linear(2.0), Sigmoid(), Linear(1.0), Sigmoid(), Linear(0.5))
    >>> loss_fn, optimizer = MSELoss(), SGD(model.parameters(), lr=0.1)
    >>> for step in range(1000):
    ...     loss = loss_fn(model(2.0), 0.7)
    ...     optimizer.zero_grad()
    ...     grad_input = model.backward(loss_fn.backward())
    ...     optimizer.step()
    >>> round(model(2.0), 12)
    0.7
"""

from .gradcheck import GradcheckError, gradcheck
from .history import History
from .layer import Layer
from .linear import Linear
from .loss import MSELoss
from .optim import SGD
from .parameter import Parameter
from .saving import load, save
from .sequential import Sequential
from .sigmoid import Sigmoid, sigmoid
from .trace import ChainRule, Trace, trace

__version__ = "0.1.0"

__all__ = [
    "ChainRule",
    "GradcheckError",
    "History",
    "Layer",
    "Linear",
    "MSELoss",
    "Parameter",
    "SGD",
    "Sequential",
    "Sigmoid",
    "Trace",
    "gradcheck",
    "load",
    "save",
    "sigmoid",
    "trace",
]
