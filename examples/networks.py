"""From two nodes to a network: XOR, two moons and handwritten digits with nanonet.

The code of the docs page "From two nodes to a network", which includes its
sections, and of the page's figures (``examples/docs_figures.py`` draws them
with the plotting functions here). Run ``python examples/networks.py`` to
train all three networks and print how well they do.
"""

from __future__ import annotations

import numpy as np

from nanonet import (
    SGD,
    Adam,
    CrossEntropyLoss,
    Dense,
    MSELoss,
    ReLU,
    Sequential,
    Tanh,
    accuracy,
    batches,
    train_test_split,
)
from nanonet.datasets import load_digits, moons

# --8<-- [start:xor]
XOR_INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_TARGETS = np.array([[0.0], [1.0], [1.0], [0.0]])


def train_xor(steps=200, lr=0.5):
    """2 inputs, 4 hidden Tanh units, 1 output, trained on the 4 XOR samples."""
    model = Sequential(Dense(2, 4, rng=0), Tanh(), Dense(4, 1, rng=1))
    loss_fn = MSELoss()
    optimizer = SGD(model.parameters(), lr=lr)
    for step in range(steps):
        loss = loss_fn(model(XOR_INPUTS), XOR_TARGETS)  # all four samples at once
        optimizer.zero_grad()
        model.backward(loss_fn.backward())
        optimizer.step()
    return model, loss


# --8<-- [end:xor]


# --8<-- [start:moons]
def train_moons(steps=1000):
    """Two interleaved half-moons: 300 points to train on, 100 to test on."""
    x, y = moons(400, noise=0.2, rng=0)
    x_train, x_test, y_train, y_test = train_test_split(x, y, 0.25, rng=1)
    # two outputs: a score for each class
    model = Sequential(Dense(2, 16, rng=2), Tanh(), Dense(16, 2, rng=3))
    loss_fn = CrossEntropyLoss()
    optimizer = Adam(model.parameters(), lr=0.01)
    for step in range(steps):
        loss_fn(model(x_train), y_train)
        optimizer.zero_grad()
        model.backward(loss_fn.backward())
        optimizer.step()
    return model, (x_train, y_train), (x_test, y_test)


# --8<-- [end:moons]


# --8<-- [start:digits_data]
def digits_data():
    """The digits scaled to [0, 1]: 1,348 images to train on, 449 to test on."""
    x, y = load_digits()  # 1,797 images of 8 x 8 pixels, values 0 to 16
    return train_test_split(x / 16.0, y, 0.25, rng=0)


# --8<-- [end:digits_data]


# --8<-- [start:digits]
def train_digits(epochs=10, batch_size=32):
    """64 pixels in, 64 hidden ReLU units, a score per digit out."""
    x_train, x_test, y_train, y_test = digits_data()
    model = Sequential(Dense(64, 64, rng=1), ReLU(), Dense(64, 10, rng=2))
    loss_fn = CrossEntropyLoss()
    optimizer = Adam(model.parameters(), lr=0.01)
    rng = np.random.default_rng(3)  # one generator: a new order every epoch
    losses = []
    for epoch in range(epochs):
        pairs = batches(x_train, y_train, batch_size, shuffle=True, rng=rng)
        for x_batch, y_batch in pairs:
            losses.append(loss_fn(model(x_batch), y_batch))
            optimizer.zero_grad()
            model.backward(loss_fn.backward())
            optimizer.step()
    return model, (x_test, y_test), losses


# --8<-- [end:digits]


# --8<-- [start:confusion]
def confusion_matrix(labels, predictions, classes=10):
    """counts[i, j]: how many samples of class i were predicted as class j."""
    counts = np.zeros((classes, classes), dtype=int)
    np.add.at(counts, (labels, predictions), 1)
    return counts


# --8<-- [end:confusion]


def plot_decision_boundary(model, x, y, ax, colors=("#0072b2", "#d55e00")):
    """Shade the plane by the class the model predicts, and draw the points over it."""
    from matplotlib.colors import ListedColormap

    x0, x1 = np.meshgrid(np.linspace(-1.6, 2.6, 200), np.linspace(-1.1, 1.6, 200))
    grid = np.column_stack([x0.ravel(), x1.ravel()])
    predicted = np.argmax(model(grid), axis=1).reshape(x0.shape)
    ax.contourf(x0, x1, predicted, levels=[-0.5, 0.5, 1.5], cmap=ListedColormap(colors), alpha=0.25)
    for label, color in enumerate(colors):
        ax.scatter(*x[y == label].T, s=12, color=color, label=f"class {label}")
    ax.set_xlabel("x[0]")
    ax.set_ylabel("x[1]")


def plot_misclassified(images, labels, predictions, axes):
    """Draw the test images the model got wrong, with the true and the predicted digit."""
    wrong = np.flatnonzero(labels != predictions)
    for ax, index in zip(axes, wrong, strict=False):
        ax.imshow(images[index].reshape(8, 8), cmap="gray_r")
        ax.set_title(f"{labels[index]}, read as {predictions[index]}", fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
    for ax in axes[len(wrong) :]:
        ax.set_visible(False)


def main() -> None:
    model, loss = train_xor()
    print(f"XOR: loss {loss:.2g}, outputs {model(XOR_INPUTS).ravel().round(3)}")
    model, _, (x_test, y_test) = train_moons()
    print(f"two moons: test accuracy {accuracy(model(x_test), y_test):.0%}")
    model, (x_test, y_test), _ = train_digits()
    print(f"digits: test accuracy {accuracy(model(x_test), y_test):.1%}")


if __name__ == "__main__":
    main()
