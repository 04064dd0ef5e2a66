"""Overfitting and regularisation: weight decay, dropout and early stopping on few digits.

The code of the docs page "Overfitting and regularisation", which includes
its sections, and of the page's figures (``examples/docs_figures.py`` draws
them from `runs`). A network with 256 hidden units learns 100 digits by
heart; 500 others, which it never trains on, show how well it does on
digits it has not seen. Run ``python examples/regularisation.py`` to train
each variant for 100 epochs and print what it reaches.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from nanonet import (
    Adam,
    CrossEntropyLoss,
    Dense,
    Dropout,
    History,
    ReLU,
    Sequential,
    accuracy,
    batches,
    train_test_split,
)
from nanonet.datasets import load_digits


# --8<-- [start:data]
def small_digits(n_train=100, n_val=500):
    """100 digits to train on, 500 others to validate on: x_train, y_train, x_val, y_val."""
    x, y = load_digits()
    split = train_test_split(x / 16.0, y, n_train / len(x), rng=0)
    x_rest, x_train, y_rest, y_train = split  # the small part is the training set
    return x_train, y_train, x_rest[:n_val], y_rest[:n_val]


# --8<-- [end:data]


# --8<-- [start:model]
def build_model(dropout=0.0, seed=0):
    """64 pixels, 256 hidden ReLU units (dropped with probability `dropout`), 10 out."""
    rng = np.random.default_rng(seed)
    hidden = [Dense(64, 256, rng=rng), ReLU()]
    if dropout:
        hidden.append(Dropout(dropout, rng=rng))
    return Sequential(*hidden, Dense(256, 10, rng=rng))


# --8<-- [end:model]


# --8<-- [start:epoch]
def train_epoch(model, optimizer, data, rng):
    """One pass over the training set, in batches of 25, in training mode."""
    x_train, y_train, _, _ = data
    loss_fn = CrossEntropyLoss()
    model.train()  # Dropout drops
    for x, y in batches(x_train, y_train, 25, shuffle=True, rng=rng):
        loss_fn(model(x), y)
        optimizer.zero_grad()
        model.backward(loss_fn.backward())
        optimizer.step()


def evaluate(model, data):
    """The loss on the training set and on the validation set, in evaluation mode."""
    x_train, y_train, x_val, y_val = data
    loss_fn = CrossEntropyLoss()
    model.eval()  # Dropout lets everything through
    return loss_fn(model(x_train), y_train), loss_fn(model(x_val), y_val)


# --8<-- [end:epoch]


# --8<-- [start:fit]
def fit(model, optimizer, data, epochs=100):
    """Train for `epochs`; return two Histories: the training and validation loss."""
    train_history = History(model, names=[])  # names=[]: the loss only
    val_history = History(model, names=[])
    rng = np.random.default_rng(1)  # the order of the batches
    for epoch in range(epochs):
        train_epoch(model, optimizer, data, rng)
        train_loss, val_loss = evaluate(model, data)
        train_history.record(train_loss)  # one point per epoch
        val_history.record(val_loss)
    return train_history, val_history


def report(model, val_history, data):
    """Print the lowest validation loss and its epoch, the last, and the accuracy."""
    _, _, x_val, y_val = data
    best, losses = np.argmin(val_history.loss), val_history.loss
    print(f"validation loss: {losses[best]:.3f} at its lowest (epoch {best + 1}), "
          f"{losses[-1]:.3f} after {len(losses)}")  # fmt: skip
    print(f"validation accuracy {accuracy(model(x_val), y_val):.1%}")


# --8<-- [end:fit]


# --8<-- [start:early]
def fit_with_early_stopping(model, optimizer, data, patience=10, max_epochs=300):
    """Train until `patience` epochs in a row bring no better validation loss."""
    rng = np.random.default_rng(1)
    best_loss, best_state, waited = math.inf, None, 0
    for epoch in range(max_epochs):
        train_epoch(model, optimizer, data, rng)
        _, val_loss = evaluate(model, data)
        if val_loss < best_loss:  # the best so far: keep a copy of the weights
            best_loss, best_state, waited = val_loss, model.state_dict(), 0
        else:
            waited += 1
            if waited == patience:  # no better for `patience` epochs: stop
                break
    model.load_state_dict(best_state)  # back to the best epoch's weights
    return epoch + 1, epoch + 1 - waited  # the epochs trained, and the best one


# --8<-- [end:early]


@functools.cache
def runs(epochs=100):
    """The page's variants, trained for `epochs`: name to (model, train history, val history)."""
    data = small_digits()
    variants = {
        "no regularisation": (build_model(), {}),
        "weight decay": (build_model(), {"weight_decay": 0.003}),
        "dropout": (build_model(dropout=0.5), {}),
    }
    results = {}
    for name, (model, settings) in variants.items():
        optimizer = Adam(model.parameters(), lr=0.003, **settings)
        results[name] = (model, *fit(model, optimizer, data, epochs))
    return results


def main() -> None:
    data = small_digits()
    _, _, x_val, y_val = data
    for name, (model, _, val_history) in runs().items():
        best = int(np.argmin(val_history.loss))
        print(
            f"{name}: validation loss {val_history.loss[-1]:.3f} after 100 epochs, lowest "
            f"{val_history.loss[best]:.3f} (epoch {best + 1}); accuracy "
            f"{accuracy(model(x_val), y_val):.1%}"
        )
    model = build_model()
    epochs, best = fit_with_early_stopping(model, Adam(model.parameters(), lr=0.003), data)
    print(
        f"early stopping: stopped after {epochs} epochs, kept epoch {best}; accuracy "
        f"{accuracy(model(x_val), y_val):.1%}"
    )


if __name__ == "__main__":
    main()
