"""Make the figures of the docs site from the examples' own code.

Run ``python examples/docs_figures.py`` (needs the ``plot`` extra) to write
them into ``docs/img``; the test suite regenerates them in a temporary
folder and compares, so the pictures never drift from the code.
"""

from __future__ import annotations

import sys
from pathlib import Path

import batch_training
import two_node


def two_node_figure(path: Path) -> None:
    """The tutorial's figure: w2, w1, w0, out and the target against the iteration."""
    two_node.plot(two_node.train(two_node.build_model()), str(path))


def batch_loss_figure(path: Path) -> None:
    """The loss of the batch-training example against the iteration."""
    _, history = batch_training.train(*batch_training.make_data())
    batch_training.plot_loss(history, str(path))


FIGURES = {"two_node.png": two_node_figure, "batch_loss.png": batch_loss_figure}

DOCS_IMAGES = Path(__file__).resolve().parent.parent / "docs" / "img"


def main(folder: Path = DOCS_IMAGES) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, make in FIGURES.items():
        make(folder / name)
        print(f"wrote {folder / name}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DOCS_IMAGES)
