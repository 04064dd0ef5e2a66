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

from .activations import ReLU, Sigmoid, Tanh
from .data import batches, one_hot, train_test_split
from .dense import Dense
from .draw import Drawing, draw
from .functional import log_softmax, sigmoid, softmax
from .gradcheck import GradcheckError, gradcheck
from .history import History
from .layer import Layer
from .linear import Linear
from .loss import BCEWithLogitsLoss, CrossEntropyLoss, Loss, MSELoss
from .metrics import accuracy
from .optim import SGD, Adam, Optimizer, TrainingWarning
from .parameter import Parameter
from .saving import load, save
from .sequential import Sequential
from .trace import ChainRule, Trace, trace

__version__ = "0.2.0"

__all__ = [
    "SGD",
    "Adam",
    "BCEWithLogitsLoss",
    "ChainRule",
    "CrossEntropyLoss",
    "Dense",
    "Drawing",
    "GradcheckError",
    "History",
    "Layer",
    "Linear",
    "Loss",
    "MSELoss",
    "Optimizer",
    "Parameter",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Tanh",
    "Trace",
    "TrainingWarning",
    "accuracy",
    "batches",
    "draw",
    "gradcheck",
    "load",
    "one_hot",
    "log_softmax",
    "save",
    "sigmoid",
    "softmax",
    "trace",
    "train_test_split",
]
