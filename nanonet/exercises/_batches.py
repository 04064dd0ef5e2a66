"""The checkers of the exercises of "Training on many samples" (docs/batches.md)."""

from __future__ import annotations

import numpy as np

from ..loss import MSELoss
from ._common import passes_gradcheck, same
from .registry import Namespace, NotYet, exercise


@exercise("batch-linear", page="batches", title="Make MyLinear work on a batch")
def batch_linear(reader: Namespace) -> str:
    """gradcheck of the reader's MyLinear on one sample, then on batches."""
    cls = reader.layer_class("MyLinear")
    for x in (
        0.7,
        np.array([0.5, -1.2, 2.0, 1.5]),
        np.array([[0.5, -1.2], [2.0, 1.5], [0.3, 1.0]]),
    ):
        passes_gradcheck(cls(1.5), x)
    return (
        "gradcheck verified MyLinear's gradients on one sample, on a batch of 4 samples and on "
        "a batch of 3 x 2 numbers: the weight's gradient is the sum over the batch"
    )


@exercise("mse-loss", page="batches", title="Why divide by N? Write the loss")
def mse_loss(reader: Namespace) -> str:
    """The reader's MyMSELoss: its value against MSELoss's, its gradient with gradcheck."""
    cls = reader.loss_class("MyMSELoss")
    prediction = np.array([0.5, -1.0, 2.0, 0.3])
    target = np.array([0.0, 0.5, 1.0, 0.2])
    mine, reference = cls()(prediction, target), MSELoss()(prediction, target)
    if not np.isclose(mine, reference, rtol=1e-9):
        ratio = mine / reference
        raise NotYet(
            f"on a batch of 4, your loss is {ratio:.4g} times MSELoss's, which is half the mean "
            "of the squared errors"
        )
    passes_gradcheck(cls(), prediction, target)
    rows, goals = prediction.reshape(2, 2), target.reshape(2, 2)
    loss_fn = cls()
    loss_fn(rows, goals)
    if same(loss_fn.backward(), (rows - goals) / 2):
        raise NotYet(
            "on a batch of 2 samples of 2 outputs each, your gradient divides by 2, the number "
            "of rows: the mean runs over all 4 numbers (np.size, not len)"
        )
    passes_gradcheck(cls(), rows, goals)
    passes_gradcheck(cls(), 0.3, 0.7)
    return (
        "MyMSELoss gives MSELoss's value, and gradcheck verified its gradient on one sample, "
        "on a batch of 4 and on a batch of 2 samples of 2 outputs"
    )
