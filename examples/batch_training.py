"""Train the two-node network on a small data set: every sample in one array.

A "teacher" network with known weights (1.5, -3, 0.8) labels 100 random
inputs; a "student" with the chapter's initial weights (2, 1, 0.5) learns
from them by full-batch gradient descent and recovers the teacher's
weights. Run ``python examples/batch_training.py``; with matplotlib it saves
the loss curve to ``batch_loss.png``.
"""

from __future__ import annotations

import argparse

import numpy as np

from nanonet import SGD, History, Linear, MSELoss, Sequential, Sigmoid


# --8<-- [start:data]
def make_data(samples=100, seed=0):
    """Random inputs in [-4, 4) and the teacher network's outputs for them."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-4.0, 4.0, size=samples)  # one array holds every sample
    teacher = Sequential(Linear(1.5), Sigmoid(), Linear(-3.0), Sigmoid(), Linear(0.8))
    return x, teacher(x)


# --8<-- [end:data]


# --8<-- [start:train]
def train(x, target, steps=4000, lr=3.0):
    """Full-batch gradient descent from the chapter's initial weights."""
    model = Sequential(Linear(2.0), Sigmoid(), Linear(1.0), Sigmoid(), Linear(0.5))
    loss_fn = MSELoss()
    optimizer = SGD(model.parameters(), lr=lr)
    history = History(model)
    for step in range(steps):
        loss = loss_fn(model(x), target)  # the mean over all samples
        optimizer.zero_grad()
        model.backward(loss_fn.backward())  # gradients summed over the samples
        optimizer.step()
        history.record(loss)
    return model, history


# --8<-- [end:train]


def plot_loss(history: History, path: str) -> None:
    """Save the loss against the iteration number, on a log scale."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with plt.style.context("ggplot"):
        fig, ax = plt.subplots(figsize=(8, 3), layout="constrained")
        ax.semilogy(history.loss)
        ax.set_xlabel("Iteration number")
        ax.set_ylabel("loss C")
        fig.savefig(path, dpi=100, metadata={"Software": None})
    plt.close(fig)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plot", default="batch_loss.png", help="where to save the figure")
    args = parser.parse_args(argv)
    x, target = make_data()
    model, history = train(x, target)
    print(f"loss: {history.loss[0]:.3g} at the start, {history.loss[-1]:.3g} at the end")
    print("learned weights:", [round(p.value, 4) for p in model.parameters()])
    try:
        plot_loss(history, args.plot)
    except ImportError:
        print("matplotlib is not installed, so no figure: pip install 'nanonet[plot]'")
    else:
        print(f"figure saved to {args.plot}")


if __name__ == "__main__":
    main()
