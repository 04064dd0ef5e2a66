"""The checkers of the exercises of "From two nodes to a network" (docs/networks.md)."""

from __future__ import annotations

import re

import numpy as np

from ..data import accuracy, train_test_split
from ..datasets import moons
from ..layer import Layer
from ._common import BATCH, passes_gradcheck
from .registry import Namespace, NotYet, exercise


@exercise("dense-backward", page="networks", title="Write Dense's backward")
def dense_backward(reader: Namespace) -> str:
    """gradcheck of the reader's MyDense: a rectangular weight (shapes), then a square one."""
    cls = reader.layer_class("MyDense")
    for inputs, outputs in ((3, 2), (3, 3)):
        layer = cls(inputs, outputs, rng=0)
        try:
            passes_gradcheck(layer, BATCH[:, :inputs])
        except ValueError as error:  # numpy's: shapes that do not fit
            shapes = re.findall(r"\((\d+),(\d+)\)", str(error))
            if "broadcast" in str(error) and any(s[::-1] in shapes for s in shapes):
                raise NotYet(
                    "backward adds an array of the transposed shape to a gradient (numpy: "
                    f"{error}). Check the order of the factors of the matrix product"
                ) from None
            if "matmul" in str(error):
                raise NotYet(
                    "a matrix product in your backward has factors whose shapes do not fit "
                    f"(numpy: {error}). grad is (samples, out_features), the weight "
                    "(out_features, in_features) and x (samples, in_features)"
                ) from None
            raise
    return (
        "gradcheck verified the gradients of the input, the weight and the bias on a batch of "
        "4 samples, for a weight of 2 x 3 and a square one of 3 x 3"
    )


GOAL = 0.95


@exercise("moons-training", page="networks", title="Train a network on the moons", trains=True)
def moons_training(reader: Namespace) -> str:
    """The reader's train() on moons Check draws, scored on test points it never saw."""
    train = reader.function("train")
    x, y = moons(400, noise=0.2, rng=2024)
    x_train, x_test, y_train, y_test = train_test_split(x, y, 0.25, rng=2025)
    model = train(x_train.copy(), y_train.copy())
    if not isinstance(model, Layer):
        raise NotYet(f"train must return the trained model, but it returned {model!r}")
    score = accuracy(model(x_test), y_test)
    if score >= GOAL:
        return (
            f"your network classifies {score:.0%} of {len(y_test)} test points that Check drew "
            f"itself and never showed it in training: {GOAL:.0%} or more"
        )
    parameters = list(model.parameters())
    below = f"your network classifies {score:.0%} of Check's test points, below {GOAL:.0%}"
    if parameters and all(np.all(p.grad == 0) for p in parameters):
        raise NotYet(
            f"{below}, and no gradient is left in its weights after training: does each step "
            "call model.backward(loss_fn.backward()), after optimizer.zero_grad() and before "
            "optimizer.step()?"
        )
    if parameters and all(p.grad_resets <= 1 for p in parameters):
        raise NotYet(
            f"{below}: your loop never calls optimizer.zero_grad(), so every step also "
            "carries all the earlier steps' gradients"
        )
    raise NotYet(
        f"{below}: does each step call optimizer.step()? Then train for more steps, or with "
        "another learning rate"
    )


@exercise("confusion", page="networks", title="Read the confusion matrix")
def confusion(reader: Namespace) -> str:
    """The reader's pair of digits against the largest mistake in the page's own predictions."""
    pair = []
    for name in ("true_digit", "read_as"):
        value = reader.value(name)
        if value is Ellipsis:
            raise NotYet(f"replace the ... of {name} with a digit")
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise NotYet(f"{name} must be a digit, an int from 0 to 9, not {value!r}")
        if not 0 <= value <= 9:
            raise NotYet(f"{name} must be a digit from 0 to 9, not {value}")
        pair.append(int(value))
    true, read = pair
    labels = np.asarray(reader.value("y_test"))
    predictions = np.asarray(reader.value("predictions"))
    if labels.shape != predictions.shape:
        raise NotYet(
            "y_test and predictions are not of the same test images: run the blocks of the "
            "digits section again"
        )
    mistakes = np.zeros((10, 10), dtype=int)
    np.add.at(mistakes, (labels, predictions), 1)
    np.fill_diagonal(mistakes, 0)
    most = mistakes.max()
    if true == read:
        raise NotYet(f"{true} and {read} are on the diagonal, where the network was right")
    if mistakes[true, read] == most:
        return (
            f"the {true}s read as {read}s are the largest number off the diagonal of the "
            "confusion matrix, which Check computed from y_test and predictions"
        )
    if mistakes[read, true] == most:
        raise NotYet(
            "you swapped them: a row of the matrix is the true digit, a column what the "
            "network read"
        )
    if mistakes[true, read]:
        raise NotYet(
            f"{mistakes[true, read]} of the {true}s were read as {read}s, but another mistake "
            "is more frequent"
        )
    raise NotYet(f"no {true} was read as a {read}: row {true}, column {read} holds 0")
