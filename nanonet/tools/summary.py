"""summary: a model's layers, the shape of what each gives, and how many parameters each has."""

from __future__ import annotations

import copy

import numpy as np

from .._checks import as_count
from .._format import text_table
from ..layer import Layer
from ._steps import steps_of

HEADER = ["layer", "output shape", "parameters"]


class Summary:
    """What `summary` found: one row per layer, and the totals. Print it, or show it in Jupyter.

    Attributes:
        rows (list[tuple[str, tuple[int, ...], int]]): Per layer: its name
            (position and class, ``"0: Conv2d"``), the shape of its output
            and its number of parameters (single numbers).
        input_shape (tuple[int, ...]): The shape of the input.
        parameters (int): How many numbers the model trains, each counted once.
        buffers (int): How many numbers its buffers hold (state that is
            not trained, such as `nanonet.BatchNorm1d`'s running statistics).
        dtype (numpy.dtype): The dtype the model computes in.

    Examples:
        >>> from nanonet import BatchNorm1d, Dense, Sequential, summary
        >>> result = summary(Sequential(Dense(4, 3), BatchNorm1d(3)), (2, 4))
        >>> result.rows
        [('0: Dense', (2, 3), 15), ('1: BatchNorm1d', (2, 3), 6)]
        >>> result.parameters, result.buffers
        (21, 6)
    """

    def __init__(
        self,
        rows: list[tuple[str, tuple[int, ...], int]],
        input_shape: tuple[int, ...],
        parameters: int,
        buffers: int,
        dtype: np.dtype,
    ) -> None:
        self.rows, self.input_shape, self.dtype = rows, input_shape, dtype
        self.parameters, self.buffers = parameters, buffers

    def _cells(self, width: int = 0) -> list[list[str]]:
        """The rows as text: the input, then each layer (counts right-aligned to ``width``)."""
        return [["input", str(self.input_shape), ""]] + [
            [name, str(shape), f"{count:,}".rjust(width)] for name, shape, count in self.rows
        ]

    def _totals(self) -> list[str]:
        kib = self.parameters * self.dtype.itemsize / 1024
        size = f"{kib:.1f} KiB" if kib < 1024 else f"{kib / 1024:.1f} MiB"
        lines = [f"parameters: {self.parameters:,} ({size} in {self.dtype})"]
        if self.buffers:
            lines.append(f"buffers (state that is not trained): {self.buffers:,} numbers")
        return lines

    def __str__(self) -> str:
        width = max(len(HEADER[2]), *(len(f"{count:,}") for *_, count in self.rows))
        return "\n".join([text_table(HEADER, self._cells(width)), *self._totals()])

    __repr__ = __str__

    def _repr_html_(self) -> str:
        import html

        def row(cells: list[str], tag: str = "td") -> str:
            aligns = ("left", "left", "right")
            return (
                "<tr>"
                + "".join(
                    f'<{tag} style="text-align: {align}">{html.escape(cell)}</{tag}>'
                    for cell, align in zip(cells, aligns, strict=True)
                )
                + "</tr>"
            )

        body = "".join(row(cells) for cells in self._cells())
        totals = "".join(f"<p>{html.escape(line)}</p>" for line in self._totals())
        return f"<table><thead>{row(HEADER, 'th')}</thead><tbody>{body}</tbody></table>{totals}"


def summary(model: Layer, input_shape: tuple[int, ...]) -> Summary:
    """Describe ``model`` layer by layer, as torchinfo and Keras do: names, shapes, parameters.

    It runs one forward pass of zeros of shape ``input_shape`` (the batch
    dimension included, as torchinfo's ``input_size``) through a deep copy
    of the model in evaluation mode, so the model itself is left exactly
    as it was: its weights, caches, training mode, `nanonet.BatchNorm1d`'s
    running statistics and `nanonet.Dropout`'s random state. A model that is
    a sequence of layers (a `nanonet.Sequential`) gets a row per layer; any
    other layer is one row.

    Args:
        model: The model.
        input_shape: The shape of an input, such as ``(1, 1, 8, 8)`` for one
            8x8 grey image.

    Returns:
        A `Summary`: ``print`` it for text; in Jupyter it shows as a table.

    Raises:
        TypeError: If ``model`` is not a Layer, or ``input_shape`` is not a
            tuple of ints.
        ValueError: If a size is below 1, or a layer does not take what the
            layer before it gives (the layer's own error says why).

    Examples:
        >>> from nanonet import Conv2d, Dense, Flatten, MaxPool2d, ReLU, Sequential
        >>> model = Sequential(
        ...     Conv2d(1, 8, 3, rng=0), ReLU(), MaxPool2d(2), Flatten(), Dense(72, 10, rng=1)
        ... )
        >>> print(summary(model, (1, 1, 8, 8)))
        layer         output shape  parameters
        ------------  ------------  ----------
        input         (1, 1, 8, 8)
        0: Conv2d     (1, 8, 6, 6)          80
        1: ReLU       (1, 8, 6, 6)           0
        2: MaxPool2d  (1, 8, 3, 3)           0
        3: Flatten    (1, 72)                0
        4: Dense      (1, 10)              730
        parameters: 810 (6.3 KiB in float64)
    """
    if not isinstance(model, Layer):
        raise TypeError(f"summary needs a Layer, got {type(model).__name__}")
    if not isinstance(input_shape, (tuple, list)) or not input_shape:
        raise TypeError(
            f"input_shape must be a tuple of ints, such as (1, 64), got {input_shape!r}"
        )
    shape = tuple(as_count(size, "each size in input_shape") for size in input_shape)
    work = copy.deepcopy(model).eval()  # the model itself is not touched
    x = np.zeros(shape, work.dtype)
    steps = steps_of(work)  # a Sequential's layers, or the model itself
    named = [(f"{i}: {type(step).__name__}", step) for i, step in enumerate(steps)]
    if steps == [work]:
        named = [(type(work).__name__, work)]
    rows = []
    for name, layer in named:
        x = layer(x)
        count = sum(np.size(p.value) for p in layer.parameters())
        rows.append((name, np.shape(x), int(count)))
    parameters = sum(np.size(p.value) for p in model.parameters())
    buffers = sum(np.size(array) for _, array in model.named_buffers())
    return Summary(rows, shape, int(parameters), int(buffers), work.dtype)
