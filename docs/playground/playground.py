"""The playground's side in the in-page Python: train an epoch, and say what to paint.

docs/playground/playground.js shows a nanonet program beside its pictures,
runs that program in a namespace of its own in the site's Python (the
worker of docs/run/worker.js installs this file as the module
``nanonet_playground``), then asks, one message at a time:

- `start` once the program has run: the points, the plane's extent, the
  pictures of the two inputs, and the first frame (epoch 0);
- `epoch` for each epoch: the program's own ``train_one_epoch()``, then a
  frame.

A frame holds the numbers the page shows, computed by the program's own
``evaluate(x, y)``, so that they are the ones the program prints when it is
run as a script, and what the page paints: the weights, the output over the
plane (the decision boundary) and every hidden unit's output over the plane.
The pictures are computed here with numpy, as bytes (0 to 255, 128 meaning
"no activity"), and painted by the page: one forward pass of a grid of
points through the layers gives all of them at once.

Nothing here draws random numbers or changes the model's weights: the
program trains exactly as it does on its own.
"""

from __future__ import annotations

import base64

import numpy as np

#: Points per side of the grid over the plane: the output's picture. The
#: units' pictures take every third row and column of it (33 by 33), edges
#: included. (A finer grid costs little: a frame's time goes to numpy's calls,
#: not to the points.)
GRID = 97
SMALL = 3  # the stride of the units' pictures in the grid

#: A picture's byte for "no activity", between the two classes' colours.
MIDDLE = 128

view: dict = {}  # the program being shown: its namespace, the grid, the epoch


def start(namespace: dict) -> dict:
    """After the program ran: what the page paints once, and the frame of epoch 0.

    The plane shown is a square around every point, train and test, with a
    margin: the data set's picture, whatever its scale.
    """
    x_train, x_test = namespace["x_train"], namespace["x_test"]
    points = np.concatenate([x_train, x_test])
    low, high = points.min(axis=0), points.max(axis=0)
    centre, half = (low + high) / 2, max(float((high - low).max()) / 2, 0.5) * 1.15
    left, right = centre[0] - half, centre[0] + half
    bottom, top = centre[1] - half, centre[1] + half
    columns = np.linspace(left, right, GRID)
    rows = np.linspace(top, bottom, GRID)  # the picture's first row is the plane's top
    grid = np.column_stack([np.tile(columns, GRID), np.repeat(rows, GRID)])
    view.clear()
    view.update(namespace=namespace, grid=grid, epoch=0)
    small = grid.reshape(GRID, GRID, 2)[::SMALL, ::SMALL].reshape(-1, 2)
    scaled = (small - centre) / half  # -1 to 1 across the plane
    return {
        "extent": [left, right, bottom, top],
        "train": _points(x_train, namespace["y_train"]),
        "test": _points(x_test, namespace["y_test"]),
        "inputs": [_picture(scaled[:, column], -1.0, 1.0) for column in (0, 1)],
        **frame(),
    }


def epoch() -> dict:
    """Train one epoch with the program's ``train_one_epoch()``; return the new frame."""
    view["namespace"]["train_one_epoch"]()
    view["epoch"] += 1
    return frame()


def frame() -> dict:
    """The numbers and the pictures of the network as it is now."""
    namespace = view["namespace"]
    evaluate, model = namespace["evaluate"], namespace["model"]
    train_loss, train_accuracy = evaluate(namespace["x_train"], namespace["y_train"])
    test_loss, test_accuracy = evaluate(namespace["x_test"], namespace["y_test"])
    weights, units = [], []
    x = view["grid"]
    for layer in model.layers:
        x = layer(x)
        if hasattr(layer, "weight"):
            weights.append(np.round(layer.weight.value, 6).tolist())
        else:
            units.append(_units(type(layer).__name__, x))
    probability = 1.0 / (1.0 + np.exp(-np.clip(x[:, 0], -40.0, 40.0)))
    return {
        "epoch": view["epoch"],
        "trainLoss": train_loss,
        "trainAccuracy": train_accuracy,
        "testLoss": test_loss,
        "testAccuracy": test_accuracy,
        "output": _picture(probability, 0.0, 1.0),
        "units": units,
        "weights": weights,
    }


def _units(activation: str, outputs: np.ndarray) -> list[str]:
    """A hidden layer's units, each as a picture of its output over the plane.

    tanh runs from -1 to 1 and the sigmoid from 0 to 1; a ReLU unit is
    shown from 0 (no activity) to its largest output on the plane.
    """
    small = outputs.reshape(GRID, GRID, -1)[::SMALL, ::SMALL].reshape(-1, outputs.shape[1])
    if activation == "Tanh":
        low, high = np.full(small.shape[1], -1.0), np.full(small.shape[1], 1.0)
    elif activation == "Sigmoid":
        low, high = np.zeros(small.shape[1]), np.ones(small.shape[1])
    else:
        high = small.max(axis=0)
        low = -high
    return [_picture(unit, a, b) for unit, a, b in zip(small.T, low, high, strict=True)]


def _picture(values: np.ndarray, low: float, high: float) -> str:
    """Values from ``low`` to ``high`` as bytes from 0 to 255, in base64."""
    if not high > low:  # a unit that is 0 all over the plane (a dead ReLU)
        return base64.b64encode(np.full(len(values), MIDDLE, np.uint8).tobytes()).decode()
    scaled = np.clip((values - low) / (high - low) * 255.0 + 0.5, 0.0, 255.0)
    return base64.b64encode(scaled.astype(np.uint8).tobytes()).decode()


def _points(x: np.ndarray, y: np.ndarray) -> list[list[float]]:
    """Points as ``[x0, x1, class]`` rows, rounded for painting."""
    return np.column_stack([np.round(x, 4), y.reshape(len(x), -1)[:, 0]]).tolist()
