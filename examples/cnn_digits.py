"""A small convolutional network for the handwritten digits: about 99% of the test set.

The full run behind the docs page "Convolutions": two convolutions of 3x3
filters, each followed by batch normalisation, ReLU and 2x2 max pooling,
then a Dense layer to the ten scores; Adam with a cosine schedule, on the
1,797 digits with 360 of them kept for testing. The page trains a smaller
network for a few epochs (`train_small_cnn`), so that it runs in the
reader's browser.

Run ``python examples/cnn_digits.py`` (a few seconds on one core: the
accuracy and the time are printed), or ``--epochs 2`` for a quick check.
Its matrix products are small: where the machine is busy, BLAS's threads
wait for each other, and ``OPENBLAS_NUM_THREADS=1`` (one core) is faster.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from nanonet import (
    Adam,
    BatchNorm2d,
    Conv2d,
    CosineAnnealingLR,
    CrossEntropyLoss,
    Dense,
    Flatten,
    MaxPool2d,
    ReLU,
    Sequential,
    accuracy,
    batches,
    train_test_split,
)
from nanonet.datasets import load_digits


# --8<-- [start:data]
def digit_images():
    """The digits as images (N, 1, 8, 8), pixels in [0, 1]: 1,437 to train on, 360 to test."""
    x, y = load_digits()
    images = (x / 16.0).reshape(-1, 1, 8, 8)  # one channel: grey
    return train_test_split(images, y, 360 / len(x), rng=0)


# --8<-- [end:data]


# --8<-- [start:model]
def build_cnn(rng=0):
    """Two rounds of 3x3 filters, batch norm, ReLU and 2x2 max pooling, then ten scores."""
    rng = np.random.default_rng(rng)
    return Sequential(
        Conv2d(1, 16, 3, padding=1, rng=rng),  # 16 filters: (N, 16, 8, 8)
        BatchNorm2d(16),
        ReLU(),
        MaxPool2d(2),  # (N, 16, 4, 4)
        Conv2d(16, 32, 3, padding=1, rng=rng),  # (N, 32, 4, 4)
        BatchNorm2d(32),
        ReLU(),
        MaxPool2d(2),  # (N, 32, 2, 2)
        Flatten(),  # (N, 128)
        Dense(128, 10, rng=rng),
    )


# --8<-- [end:model]


# --8<-- [start:train]
def train(epochs=12, lr=0.003, batch_size=32, seed=0):
    """Train build_cnn with Adam, the learning rate falling along a cosine to 0."""
    x_train, x_test, y_train, y_test = digit_images()
    model = build_cnn(seed)
    loss_fn = CrossEntropyLoss()
    optimizer = Adam(model.parameters(), lr=lr)
    scheduler = CosineAnnealingLR(optimizer, T_max=epochs)
    rng = np.random.default_rng(seed)  # the order of the batches
    for epoch in range(epochs):
        model.train()  # batch norm: the batch's statistics
        for x, y in batches(x_train, y_train, batch_size, shuffle=True, rng=rng):
            loss_fn(model(x), y)
            optimizer.zero_grad()
            model.backward(loss_fn.backward())
            optimizer.step()
        scheduler.step()
    model.eval()  # batch norm: the running statistics, for any number of images
    return model, (x_test, y_test)


# --8<-- [end:train]


# --8<-- [start:small]
def train_small_cnn(epochs=10, seed=0):
    """8 filters of 3x3, ReLU, 2x2 max pooling, a Dense layer: the docs page's CNN."""
    x_train, x_test, y_train, y_test = digit_images()
    rng = np.random.default_rng(seed)
    model = Sequential(
        Conv2d(1, 8, 3, padding=1, rng=rng),  # 8 filters: (N, 8, 8, 8)
        ReLU(),
        MaxPool2d(2),  # (N, 8, 4, 4)
        Flatten(),  # (N, 128)
        Dense(128, 10, rng=rng),
    )
    loss_fn, optimizer = CrossEntropyLoss(), Adam(model.parameters(), lr=0.01)
    for epoch in range(epochs):
        for x, y in batches(x_train, y_train, 32, shuffle=True, rng=rng):
            loss_fn(model(x), y)
            optimizer.zero_grad()
            model.backward(loss_fn.backward())
            optimizer.step()
    return model, (x_test, y_test)


# --8<-- [end:small]


def main(argv: list[str] | None = None) -> float:
    parser = argparse.ArgumentParser(description="Train a small CNN on the digits.")
    parser.add_argument("--epochs", type=int, default=12, help="passes over the training set")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    model, (x_test, y_test) = train(args.epochs)
    seconds = time.perf_counter() - start
    score = accuracy(model(x_test), y_test)
    print(f"test accuracy {score:.1%} on {len(y_test)} images, trained in {seconds:.1f} s")
    return score


if __name__ == "__main__":
    main()
