"""The two-node network of the Backpropagation chapter, built from nanonet parts.

The chapter (Case-Studies-Python, "Backpropagation") computes, for input
s0 = 2 and weights w0 = 2, w1 = 1, w2 = 0.5::

    x1 = w0*s0, s1 = sigmoid(x1), x2 = w1*s1, s2 = sigmoid(x2), out = w2*s2

and trains the weights for 1000 steps of gradient descent (learning rate 0.1)
on the cost C = 1/2 (out - target)**2 with target 0.7. Here each line of
that chain is a layer, and the loop is the standard five-line training loop.

Why the weights end slightly differently from the chapter's: the chapter's
loop updates w2 first and then uses the *new* w2 to update w1 (and both new
weights to update w0). nanonet computes every gradient at the same point and
then updates all weights at once, which is gradient descent exactly as
derived. Both versions reach out = 0.7; they take slightly different paths
and stop at slightly different weights (w0 = 2.00306 here against 2.00312 in
the chapter).

Run it with ``python examples/two_node.py``; with matplotlib installed (the
``plot`` extra) it also saves the chapter's figure to ``two_node.png``.
"""

from __future__ import annotations

import argparse

from nanonet import SGD, History, Linear, MSELoss, Sequential, Sigmoid

S0 = 2.0  # the input
TARGET = 0.7  # the desired output
LEARNING_RATE = 0.1  # the chapter's alpha
STEPS = 1000


def build_model() -> Sequential:
    """Return the chapter's network with its initial weights w0=2, w1=1, w2=0.5."""
    return Sequential(
        Linear(2.0),  # x1 = w0 * s0
        Sigmoid(),  # s1 = sigmoid(x1)
        Linear(1.0),  # x2 = w1 * s1
        Sigmoid(),  # s2 = sigmoid(x2)
        Linear(0.5),  # out = w2 * s2
    )


def train(model: Sequential, steps: int = STEPS) -> History:
    """Train ``model`` by gradient descent and record every step.

    Returns:
        The History: the loss, the weights after each update and the output
        of each step's forward pass (the columns the chapter records).
    """
    loss_fn = MSELoss()
    optimizer = SGD(model.parameters(), lr=LEARNING_RATE)
    history = History(model)
    for step in range(steps):
        out = model(S0)  # forward pass
        loss = loss_fn(out, TARGET)  # C = 1/2 * (out - target)**2
        optimizer.zero_grad()
        model.backward(loss_fn.backward())  # backward pass: every gradient
        optimizer.step()  # w <- w - lr * dC/dw, all at once
        history.record(loss, output=out)
    return history


def plot(history: History, path: str) -> None:
    """Save the chapter's figure: w2, w1, w0, out and the target per iteration."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with plt.style.context("ggplot"):  # the look of the chapter's figure
        ax = history.plot(
            target=TARGET,
            names=["4.weight", "2.weight", "0.weight"],  # the chapter's order
            labels={"4.weight": "w2", "2.weight": "w1", "0.weight": "w0"},
        )
        ax.figure.savefig(path, dpi=100, metadata={"Software": None})
    plt.close(ax.figure)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plot", default="two_node.png", help="where to save the figure")
    args = parser.parse_args(argv)

    model = build_model()
    print(f"initial output: {model(S0)!r}")
    history = train(model)
    w0, w1, w2 = (p.value for p in model.parameters())
    print(f"after {STEPS} steps: w0 = {w0!r}, w1 = {w1!r}, w2 = {w2!r}")
    print(f"final output: {model(S0)!r} (target {TARGET})")
    try:
        plot(history, args.plot)
    except ImportError:
        print("matplotlib is not installed, so no figure: pip install 'nanonet[plot]'")
    else:
        print(f"figure saved to {args.plot}")


if __name__ == "__main__":
    main()
