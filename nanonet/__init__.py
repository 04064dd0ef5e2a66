"""nanonet: a minimal, object-oriented neural-network micro-framework.

Build a network from layers, train it with a loss and an optimizer, and see
backpropagation as what it is: the chain rule, one layer at a time.

The package's folders say what depends on what; imports only point down:

* the contract: `nanonet.parameter` (Parameter) and `nanonet.layer` (Layer);
* `nanonet.functional` (sigmoid, softmax, ...) and `nanonet.loss`, which
  see arrays only;
* `nanonet.layers`: the built-in layers and Sequential, on the contract;
* `nanonet.optim`: the optimizers, which see Parameters only, and the
  learning-rate schedules, which see an optimizer;
* `nanonet.init`: starting values for Parameters, as ``torch.nn.init``;
* `nanonet.tools`: gradcheck, trace, draw, History and summary, built on
  the contract only;
* `nanonet.data` (batches, accuracy) and `nanonet.datasets`, which see
  numpy only; `nanonet.saving`: save and load.
* `nanonet.exercises`, imported on its own: the checkers of the docs'
  self-checking exercises, on top of all the rest.

Everything a user needs is importable from ``nanonet`` itself.

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

import importlib as _importlib
import sys as _sys
from types import ModuleType as _ModuleType
from typing import TYPE_CHECKING

from . import init
from .data import accuracy, batches, one_hot, train_test_split
from .functional import log_softmax, sigmoid, softmax
from .layer import Layer
from .layers import (
    BatchNorm1d,
    BatchNorm2d,
    Conv2d,
    Dense,
    Dropout,
    Flatten,
    Linear,
    MaxPool2d,
    ReLU,
    Sequential,
    Sigmoid,
    Tanh,
)
from .loss import BCEWithLogitsLoss, CrossEntropyLoss, Loss, MSELoss
from .optim import (
    SGD,
    Adam,
    AdamW,
    CosineAnnealingLR,
    ExponentialLR,
    LRScheduler,
    Optimizer,
    StepLR,
)
from .parameter import Parameter

if TYPE_CHECKING:  # (below, these load when first used)
    from .saving import load, save
    from .tools import (
        ChainRule,
        Drawing,
        GradcheckError,
        History,
        Summary,
        Trace,
        TrainingWarning,
        draw,
        gradcheck,
        summary,
        trace,
    )

__version__ = "0.2.0"

__all__ = [
    "SGD",
    "Adam",
    "AdamW",
    "BCEWithLogitsLoss",
    "BatchNorm1d",
    "BatchNorm2d",
    "ChainRule",
    "Conv2d",
    "CosineAnnealingLR",
    "CrossEntropyLoss",
    "Dense",
    "Drawing",
    "Dropout",
    "ExponentialLR",
    "Flatten",
    "GradcheckError",
    "History",
    "LRScheduler",
    "Layer",
    "Linear",
    "Loss",
    "MSELoss",
    "MaxPool2d",
    "Optimizer",
    "Parameter",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "StepLR",
    "Summary",
    "Tanh",
    "Trace",
    "TrainingWarning",
    "accuracy",
    "batches",
    "draw",
    "gradcheck",
    "init",
    "load",
    "one_hot",
    "log_softmax",
    "save",
    "sigmoid",
    "softmax",
    "summary",
    "trace",
    "train_test_split",
]

# The tools and saving load when first used, so that `import nanonet` stays light.
_LATER = {
    **dict.fromkeys(["load", "save"], "saving"),
    **dict.fromkeys(["ChainRule", "Trace", "trace"], "tools.trace"),
    **dict.fromkeys(["Drawing", "draw"], "tools.draw"),
    **dict.fromkeys(["GradcheckError", "gradcheck"], "tools.gradcheck"),
    **dict.fromkeys(["History", "TrainingWarning"], "tools.history"),
    **dict.fromkeys(["Summary", "summary"], "tools.summary"),
}


def __getattr__(name: str) -> object:
    """A name of `_LATER`, from its module, loaded now (PEP 562); any other is an error."""
    if name not in _LATER:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(_importlib.import_module(f"{__name__}.{_LATER[name]}"), name)
    globals()[name] = value  # (found directly from now on)
    return value


class _MovedModule(_ModuleType):
    """A module path of nanonet 0.2 (``nanonet.gradcheck``): the module's new place, on use."""

    def __getattr__(self, name: str) -> object:
        return getattr(_importlib.import_module(self.__doc__ or ""), name)


# The module paths of nanonet 0.2 moved into the folders above; these names keep
# `from nanonet.linear import Linear` and `from nanonet.gradcheck import gradcheck` working.
for _old, _new in {
    "linear": "layers.linear",
    "dense": "layers.dense",
    "activations": "layers.activations",
    "sequential": "layers.sequential",
    "metrics": "data.metrics",
    "gradcheck": "tools.gradcheck",
    "history": "tools.history",
    "draw": "tools.draw",
    "trace": "tools.trace",
}.items():
    _sys.modules[f"{__name__}.{_old}"] = _MovedModule(f"{__name__}.{_old}", f"{__name__}.{_new}")
