"""The figures of the docs site, drawn from nanonet's own training runs.

The docs build calls `render` for every figure in `FIGURES`, in a light and
a dark version, and puts every drawing of `DRAWINGS` (made by `nanonet.draw`,
which suits light and dark pages by itself) in the page that asks for it
(``docs/_hooks/figures.py``), so the pictures on the site always come from
the code as it is. Run ``python examples/docs_figures.py FOLDER`` (needs the
``plot`` extra) to write them all as SVG files into FOLDER.
"""

from __future__ import annotations

import importlib.util
import io
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import numpy as np

from nanonet import Drawing, draw
from nanonet.functional import sigmoid

HERE = Path(__file__).resolve().parent

#: Colours per theme: the text and axes, the grid, the lines (colour-blind safe), the target.
THEMES = {
    "light": {
        "text": "#1f2328",
        "grid": "#d0d7de",
        "lines": ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00"],
        "target": "#1f2328",
    },
    "dark": {
        "text": "#e6edf3",
        "grid": "#3d444d",
        "lines": ["#56b4e9", "#ff8c42", "#3fd0a0", "#e59ad0", "#f0c040"],
        "target": "#e6edf3",
    },
}


def _example(name: str) -> ModuleType:
    """Import ``examples/<name>.py`` by path (the examples are scripts, not a package)."""
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, HERE / f"{name}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def _axes(theme: str, size: tuple[float, float] = (7.0, 3.0)):
    """A new figure and axes with a transparent background, styled for ``theme``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colors = THEMES[theme]
    fig, ax = plt.subplots(figsize=size, layout="constrained")
    fig.patch.set_alpha(0.0)
    ax.set_facecolor("none")
    ax.set_prop_cycle(color=colors["lines"])
    for spine in ax.spines.values():
        spine.set_color(colors["grid"])
    ax.tick_params(colors=colors["text"], labelsize=10)
    ax.xaxis.label.set_color(colors["text"])
    ax.yaxis.label.set_color(colors["text"])
    ax.grid(True, color=colors["grid"], linewidth=0.6)
    return fig, ax


def _legend(ax, theme: str, **where) -> None:
    legend = ax.legend(frameon=False, fontsize=10, **where)
    for text in legend.get_texts():
        text.set_color(THEMES[theme]["text"])


def two_node_figure(theme: str = "light"):
    """The chapter's figure: w2, w1, w0, out and the target against the iteration (log x)."""
    two_node = _example("two_node")
    history = two_node.train(two_node.build_model())
    fig, ax = _axes(theme)
    steps = np.arange(1, len(history) + 1)
    for name, label in [("4.weight", "w2"), ("2.weight", "w1"), ("0.weight", "w0")]:
        ax.plot(steps, history[name], label=label, linewidth=2)
    ax.plot(steps, history.output, label="out", linewidth=2)
    ax.axhline(two_node.TARGET, color=THEMES[theme]["target"], linestyle="--", linewidth=1.2,
               label="target")  # fmt: skip
    ax.set_xscale("log")
    ax.set_xlabel("iteration (log scale)", fontsize=11)
    ax.set_ylabel("value", fontsize=11)
    _legend(ax, theme, loc="center left", bbox_to_anchor=(1.0, 0.5))
    return fig


def two_node_cost_figure(theme: str = "light"):
    """The cost C of the two-node network against the iteration (log y)."""
    two_node = _example("two_node")
    history = two_node.train(two_node.build_model())
    fig, ax = _axes(theme, (7.0, 2.6))
    ax.semilogy(np.arange(1, len(history) + 1), history.loss, linewidth=2)
    ax.set_xlabel("iteration", fontsize=11)
    ax.set_ylabel("cost C (log scale)", fontsize=11)
    return fig


def sigmoid_figure(theme: str = "light"):
    """The sigmoid and its derivative s(1 - s), which is never above 1/4."""
    x = np.linspace(-6.0, 6.0, 241)
    s = sigmoid(x)
    fig, ax = _axes(theme, (7.0, 2.8))
    ax.plot(x, s, label="σ(x)", linewidth=2)
    ax.plot(x, s * (1 - s), label="σ′(x) = σ(x)(1 − σ(x))", linewidth=2)
    ax.axhline(0.25, color=THEMES[theme]["target"], linestyle="--", linewidth=1.2, label="1/4")
    ax.set_xlabel("x", fontsize=11)
    _legend(ax, theme, loc="center left", bbox_to_anchor=(1.0, 0.5))
    return fig


def batch_loss_figure(theme: str = "light"):
    """The loss of the batch-training example against the iteration (log y)."""
    batch_training = _example("batch_training")
    _, history = batch_training.train(*batch_training.make_data())
    fig, ax = _axes(theme, (7.0, 2.6))
    ax.semilogy(np.arange(1, len(history) + 1), history.loss, linewidth=2)
    ax.set_xlabel("iteration", fontsize=11)
    ax.set_ylabel("loss C (log scale)", fontsize=11)
    return fig


def moons_boundary_figure(theme: str = "light"):
    """The two moons and the boundary the network of the networks page learned."""
    networks = _example("networks")
    model, (x_train, y_train), _ = networks.train_moons()
    fig, ax = _axes(theme, (7.0, 4.2))
    colors = THEMES[theme]["lines"][:2]
    networks.plot_decision_boundary(model, x_train, y_train, ax, colors=colors)
    ax.grid(False)
    _legend(ax, theme, loc="lower right")
    return fig


def digits_misclassified_figure(theme: str = "light"):
    """The test digits the network of the networks page got wrong."""
    import matplotlib.pyplot as plt

    networks = _example("networks")
    model, (x_test, y_test), _ = networks.train_digits()
    predictions = np.argmax(model(x_test), axis=1)
    columns = 7
    rows = max(1, -(-int(np.sum(predictions != y_test)) // columns))
    fig, axes = plt.subplots(rows, columns, figsize=(7.0, 1.25 * rows + 0.2), layout="constrained")
    fig.patch.set_alpha(0.0)
    networks.plot_misclassified(x_test, y_test, predictions, np.ravel(axes))
    for ax in np.ravel(axes):
        ax.title.set_color(THEMES[theme]["text"])
        for spine in ax.spines.values():
            spine.set_color(THEMES[theme]["grid"])
    return fig


def _loss_curves(ax, theme: str, curves: dict[str, np.ndarray], log: bool = True) -> None:
    """Losses per epoch, labelled, in the theme's colours: on a log scale, or zoomed in."""
    for (label, values), style in zip(curves.items(), ["-", "-", "--", ":"], strict=False):
        ax.plot(np.arange(1, len(values) + 1), values, style, label=label, linewidth=2)
    if log:
        ax.set_yscale("log")
    else:  # the lowest part, where the curves differ (the first epochs are above the top)
        low = min(float(np.min(values)) for values in curves.values())
        ax.set_ylim(0.9 * low, 1.5 * low)
    ax.tick_params(which="both", colors=THEMES[theme]["text"])  # log scales' minor labels too
    ax.set_xlabel("epoch", fontsize=11)
    ax.set_ylabel("loss (log scale)" if log else "validation loss", fontsize=11)
    _legend(ax, theme, loc="upper right")


def overfitting_figure(theme: str = "light"):
    """The training and the validation loss of the network without regularisation."""
    _, train, val = _example("regularisation").runs()["no regularisation"]
    fig, ax = _axes(theme)
    best = int(np.argmin(val.loss))
    ax.plot([best + 1], [val.loss[best]], "o", color=THEMES[theme]["lines"][1])
    _loss_curves(ax, theme, {"training": train.loss, "validation": val.loss})
    ax.annotate(f"lowest, epoch {best + 1}", (best + 1, val.loss[best]), (best - 8, 0.12),
                color=THEMES[theme]["text"], fontsize=10)  # fmt: skip
    return fig


def _validation_figure(theme: str, name: str):
    """The validation loss without regularisation and with ``name``, zoomed in."""
    runs = _example("regularisation").runs()
    fig, ax = _axes(theme)
    curves = {"no regularisation": runs["no regularisation"][2].loss, name: runs[name][2].loss}
    _loss_curves(ax, theme, curves, log=False)
    return fig


def weight_decay_figure(theme: str = "light"):
    """The validation loss with and without weight decay."""
    return _validation_figure(theme, "weight decay")


def dropout_figure(theme: str = "light"):
    """The validation loss with and without dropout."""
    return _validation_figure(theme, "dropout")


def early_stopping_figure(theme: str = "light"):
    """The validation loss without regularisation: its lowest epoch, and where patience ends."""
    val = _example("regularisation").runs()["no regularisation"][2].loss
    best = int(np.argmin(val)) + 1
    fig, ax = _axes(theme)
    text = THEMES[theme]["text"]
    ax.axvline(best, color=text, linestyle="--", linewidth=1.2, label=f"lowest: epoch {best}")
    ax.axvline(best + 10, color=text, linestyle=":", linewidth=1.2,
               label=f"stopped: epoch {best + 10} (patience 10)")  # fmt: skip
    _loss_curves(ax, theme, {"validation, no regularisation": val}, log=False)
    return fig


def _image_axes(theme: str, columns: int, rows: int = 1, width: float = 7.0):
    """A figure of ``rows`` x ``columns`` image panels without ticks, titles in the theme."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    height = width / columns * rows + 0.35 * rows
    fig, axes = plt.subplots(rows, columns, figsize=(width, height), layout="constrained")
    fig.patch.set_alpha(0.0)
    for ax in np.ravel(axes):
        ax.set_xticks([])
        ax.set_yticks([])
        ax.title.set_color(THEMES[theme]["text"])
        for spine in ax.spines.values():
            spine.set_color(THEMES[theme]["grid"])
    return fig, axes


def _symmetric(ax, values, title: str) -> None:
    """``values`` in a red-blue map centred on 0 (red positive), titled."""
    limit = float(np.max(np.abs(values))) or 1.0
    ax.imshow(values, cmap="RdBu_r", vmin=-limit, vmax=limit)
    ax.set_title(title, fontsize=10)


def filters_figure(theme: str = "light"):
    """A test digit, the two edge filters of the convolutions page, and their feature maps."""
    from nanonet import Conv2d

    image = _example("cnn_digits").digit_images()[1][:1]
    edges = Conv2d(1, 2, 3, padding=1, bias=False)
    vertical = np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]]) / 4
    edges.weight.value = np.stack([vertical, vertical.T])[:, None]
    maps = edges(image)[0]
    fig, axes = _image_axes(theme, 5)
    axes[0].imshow(image[0, 0], cmap="gray_r")
    axes[0].set_title("image", fontsize=10)
    _symmetric(axes[1], vertical, "filter 1")
    _symmetric(axes[2], maps[0], "feature map 1")
    _symmetric(axes[3], vertical.T, "filter 2")
    _symmetric(axes[4], maps[1], "feature map 2")
    return fig


def im2col_figure(theme: str = "light"):
    """im2col drawn: a 4x4 image, one window, its column, the filter as a row, the outputs."""
    from matplotlib.patches import Rectangle

    fig, ax = _axes(theme, (7.0, 3.2))
    ax.grid(False)
    ax.set_axis_off()
    colors = THEMES[theme]
    text, window, weight = colors["text"], colors["lines"][1], colors["lines"][0]

    def table(x0, y0, values, filled=(), color=window, label=""):
        """Numbers in cells of size 1, the top left corner at (x0, y0); ``filled`` cells shaded."""
        for (r, c), value in np.ndenumerate(values):
            shade = {"facecolor": color, "alpha": 0.35} if (r, c) in filled else {"fill": False}
            ax.add_patch(Rectangle((x0 + c, y0 - r - 1), 1, 1, edgecolor=colors["grid"], **shade))
            ax.text(x0 + c + 0.5, y0 - r - 0.5, f"{value:g}", ha="center", va="center",
                    color=text, fontsize=9)  # fmt: skip
        ax.text(x0, y0 + 0.35, label, color=text, fontsize=10)

    def arrow(start, end):
        ax.annotate("", end, start, arrowprops={"arrowstyle": "->", "color": text})

    image = np.arange(16).reshape(4, 4)
    columns = np.lib.stride_tricks.sliding_window_view(image, (2, 2)).reshape(9, 4).T
    weights = np.array([[1, 2, 3, 4]])
    outputs = weights @ columns
    table(0, 4, image, {(1, 1), (1, 2), (2, 1), (2, 2)}, label="image")
    table(6, 4, columns, {(r, 4) for r in range(4)}, label="columns")
    table(1, -1.2, weights, {(0, c) for c in range(4)}, weight, label="filter, as a row")
    table(6, -1.2, outputs, {(0, 4)}, label="filter @ columns")
    table(17, 4, outputs.reshape(3, 3), {(1, 1)}, label="output")
    arrow((4.3, 2.0), (5.7, 2.0))  # image -> columns
    arrow((5.3, -1.7), (5.9, -1.7))  # filter -> product
    arrow((15.3, -1.7), (18.5, 0.7))  # product -> output
    ax.set_xlim(-0.3, 20.3)
    ax.set_ylim(-2.6, 4.8)
    ax.set_aspect("equal")
    return fig


def cnn_filters_figure(theme: str = "light"):
    """The 8 filters of the convolutions page's CNN, and their feature maps of a test digit."""
    cnn_digits = _example("cnn_digits")
    model, (x_test, _) = cnn_digits.train_small_cnn()
    maps = model[1](model[0](x_test[:1]))[0]
    fig, axes = _image_axes(theme, 8, 2)
    for k in range(8):
        _symmetric(axes[0, k], model[0].weight.value[k, 0], f"filter {k + 1}")
        axes[1, k].imshow(maps[k], cmap="gray_r")
    return fig


def datasets_figure(theme: str = "light"):
    """moons, circles and spirals, side by side, each point coloured by its class."""
    import matplotlib.pyplot as plt

    from nanonet.datasets import circles, moons, spirals

    data = {  # the calls api/datasets.md shows
        "moons": moons(300, noise=0.1, rng=0),
        "circles": circles(300, noise=0.05, rng=0),
        "spirals": spirals(300, noise=0.03, rng=0),
    }
    colors = THEMES[theme]
    fig, axes = plt.subplots(1, 3, figsize=(7.0, 2.6), layout="constrained")
    fig.patch.set_alpha(0.0)
    for ax, (name, (x, y)) in zip(axes, data.items(), strict=True):
        for label in range(int(y.max()) + 1):
            ax.scatter(*x[y == label].T, s=7, color=colors["lines"][label], label=f"class {label}")
        ax.set_title(name, color=colors["text"], fontsize=11)
        ax.set_aspect("equal", adjustable="datalim")  # boxes of one size, circles round
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_facecolor("none")
        for spine in ax.spines.values():
            spine.set_color(colors["grid"])
    return fig


def digits_samples_figure(theme: str = "light"):
    """The first 20 of the digits, each titled with its label."""
    import matplotlib.pyplot as plt

    from nanonet.datasets import load_digits

    images, labels = load_digits()
    fig, axes = plt.subplots(2, 10, figsize=(7.0, 1.9), layout="constrained")
    fig.patch.set_alpha(0.0)
    for ax, image, label in zip(np.ravel(axes), images, labels, strict=False):
        ax.imshow(
            image.reshape(8, 8), cmap="gray_r" if theme == "light" else "gray", vmin=0, vmax=16
        )
        ax.set_title(str(label), color=THEMES[theme]["text"], fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_color(THEMES[theme]["grid"])
    return fig


FIGURES: dict[str, Callable] = {
    "two_node": two_node_figure,
    "two_node_cost": two_node_cost_figure,
    "sigmoid": sigmoid_figure,
    "batch_loss": batch_loss_figure,
    "moons_boundary": moons_boundary_figure,
    "digits_misclassified": digits_misclassified_figure,
    "overfitting": overfitting_figure,
    "weight_decay": weight_decay_figure,
    "dropout": dropout_figure,
    "early_stopping": early_stopping_figure,
    "filters": filters_figure,
    "im2col": im2col_figure,
    "cnn_filters": cnn_filters_figure,
    "datasets": datasets_figure,
    "digits_samples": digits_samples_figure,
}


#: The chapter's names for the input and each layer's output (as trace takes them).
CHAPTER_NAMES = ["s0", "x1", "s1", "x2", "s2", "out"]
#: The chapter's names for the weights.
CHAPTER_LABELS = {"0.weight": "w0", "2.weight": "w1", "4.weight": "w2"}


def two_node_network_drawing() -> Drawing:
    """The chapter's network: each value a circle, each layer an arrow with its weight."""
    return draw(
        _example("two_node").build_model(), value_names=CHAPTER_NAMES, labels=CHAPTER_LABELS
    )


def two_node_backprop_drawing() -> Drawing:
    """One forward and one backward pass of the chapter's network, every number in place."""
    two_node = _example("two_node")
    return draw(
        two_node.build_model(), two_node.S0, two_node.TARGET,
        value_names=CHAPTER_NAMES, labels=CHAPTER_LABELS,
    )  # fmt: skip


def xor_network_drawing() -> Drawing:
    """The trained XOR network of the networks page, unit by unit, on the sample (0, 1)."""
    networks = _example("networks")
    model, _ = networks.train_xor()
    return draw(model, networks.XOR_INPUTS[1])


def xor_structure_drawing() -> Drawing:
    """The untrained XOR network, unit by unit, without a sample: its structure and weights."""
    from nanonet import Dense, Sequential, Tanh

    return draw(Sequential(Dense(2, 4, rng=0), Tanh(), Dense(4, 1, rng=1)))


DRAWINGS: dict[str, Callable[[], Drawing]] = {
    "two_node_network": two_node_network_drawing,
    "two_node_backprop": two_node_backprop_drawing,
    "xor_network": xor_network_drawing,
    "xor_structure": xor_structure_drawing,
}


def render(name: str, theme: str) -> bytes:
    """Figure ``name`` in ``theme`` as SVG, its text kept as text (small, in the page's font)."""
    import matplotlib.pyplot as plt

    fig = FIGURES[name](theme)
    buffer = io.BytesIO()
    with plt.rc_context({"svg.fonttype": "none", "svg.hashsalt": "nanonet"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    return buffer.getvalue()


def main(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in FIGURES:
        for theme in THEMES:
            path = folder / f"{name}-{theme}.svg"
            path.write_bytes(render(name, theme))
            print(f"wrote {path}")
    for name, make in DRAWINGS.items():
        make().save(folder / f"{name}.svg")
        print(f"wrote {folder / name}.svg")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("figures"))
