"""draw's picture of a small Dense network, unit by unit: every unit a circle, every weight a line.

This is the textbook picture of a network (the 2-4-1 network that learns
XOR, say): a column of circles for each value, the input and each layer's
output. A `nanonet.Dense` layer joins every unit of its input to every unit
of its output with a line, one per weight: the thicker the line, the larger
the weight (against the largest of that layer), solid and blue if it is
positive, dashed and orange if negative. A layer's bias is the weight of a
unit that is always 1, drawn as a square above its input. A layer that acts
on each number alone (an activation) takes each unit to the unit beside it,
an arrow with its symbol. Given one sample, every circle shows its value.
"""

from __future__ import annotations

import copy
import html
from dataclasses import dataclass

import numpy as np

from .._checks import Value
from .._format import format_number
from ..layer import Layer
from ..layers.dense import Dense
from . import _svg as svg
from ._names import symbol_of
from ._svg import FONT_SIZE, LINE, PAD, SYMBOL_SIZE

#: The widest value a picture shows unit by unit; a wider network is drawn as a chain.
MAX_UNITS = 8
RADIUS = 14  # of a unit's circle (an oval, across, for a longer value)
ROW = 40  # from one unit's centre to the next in a column
SPREAD = 96  # the shortest gap a Dense layer's lines fan out in
BIAS = 11  # half the side of a bias's square
THINNEST, THICKEST = 0.6, 4.0  # line widths, for a weight of 0 and the layer's largest


def why_not(steps: list[Layer], x: object, target: object) -> str:
    """Why this network cannot be drawn unit by unit, or "" if it can."""
    if target is not None:
        return "a target asks for the gradients, which the chain picture shows"
    if not any(isinstance(step, Dense) for step in steps):
        return "it has no Dense layer"
    widths = widths_of(steps)
    for k, step in enumerate(steps):  # (the layers first: a Conv2d's images are not units)
        if isinstance(step, Dense):
            if step.weight.shape[1] != widths[k]:
                return f"layer {k} ({step!r}) does not take the {widths[k]} units before it"
        elif any(True for _ in step.parameters()):
            return f"layer {k} ({type(step).__name__}) has parameters but is not a Dense layer"
        elif not _elementwise(step, widths[k]):
            return f"layer {k} ({type(step).__name__}) does not act on each number alone"
    if x is not None and _shape(x)[:-1] not in ((), (1,)):
        return f"x holds several samples (shape {_shape(x)}): give one"
    if max(widths) > MAX_UNITS:
        return f"it is {max(widths)} units wide, more than {MAX_UNITS}"
    return ""


def _shape(x: object) -> tuple[int, ...]:
    """The shape of ``x``, or (0, 0) for what is not an array: the model will say what is wrong."""
    try:
        return np.shape(x)  # type: ignore[call-overload]
    except ValueError:
        return (0, 0)


def widths_of(steps: list[Layer]) -> list[int]:
    """The number of units of each value: the input, then each layer's output."""
    first = next(step for step in steps if isinstance(step, Dense))
    widths = [first.weight.shape[1]]
    for step in steps:
        widths.append(step.weight.shape[0] if isinstance(step, Dense) else widths[-1])
    return widths


def _elementwise(layer: Layer, width: int) -> bool:
    """Whether ``layer`` keeps the shape and each output depends on its own input only.

    Probed on a copy: nudging one input may move its own output, no other.
    """
    work = copy.deepcopy(layer)
    x = np.random.default_rng(0).uniform(-1.0, 1.0, (1, width))
    try:
        y = np.asarray(work(x))
        if y.shape != x.shape:
            return False
        for i in range(width):
            nudged = x.copy()
            nudged[0, i] += 0.5
            moved = np.asarray(work(nudged)) != y
            moved[0, i] = False
            if moved.any():
                return False
    except (TypeError, ValueError, ArithmeticError):
        return False
    return True


@dataclass
class _Column:
    """A value: its name, its units' y, their values as text, and each unit's half-width."""

    name: str
    ys: list[float]
    values: list[str]
    rx: float


def units_svg(
    model: Layer,
    steps: list[Layer],
    names: list[str],
    labels: dict[str, str],
    values: list[Value],
    digits: int | None,
) -> tuple[str, str]:
    """The picture, as an SVG document, and its title."""
    widths = widths_of(steps)
    texts = [
        [format_number(float(v), digits) for v in np.ravel(values[k])] if values else []
        for k in range(len(widths))
    ]
    rxs = [max([RADIUS, *(svg.width(t) / 2 + 6 for t in column)]) for column in texts]
    full_names = {id(p): name for name, p in model.named_parameters()}

    # Top to bottom: the values' names, a row for the biases, the units, the layers' words.
    tallest = max(widths)
    has_bias = any(isinstance(s, Dense) and s.bias is not None for s in steps)
    middle = PAD + LINE + 10 + RADIUS + (ROW if has_bias else 0) + (tallest - 1) * ROW / 2
    columns = [
        _Column(
            names[k],
            [middle + (i - (n - 1) / 2) * ROW for i in range(n)],
            texts[k],
            rxs[k],
        )
        for k, n in enumerate(widths)
    ]
    words = [_words(step, full_names, labels) for step in steps]

    # Left to right: each gap wide enough for its lines or arrows. A Dense
    # layer's words may reach under its neighbours' arrows, not under the
    # words of a Dense layer right beside it.
    xs = [PAD + max(rxs[0], svg.width(names[0]) / 2)]
    spans = [max((svg.width(w) for w in step_words), default=0.0) / 2 for step_words in words]
    for k, step in enumerate(steps):
        label, size = _label(step)
        inner = max(40.0, svg.width(label, size) + 20)
        if isinstance(step, Dense):
            beside = [j for j in (k - 1, k + 1) if 0 <= j < len(steps) and words[j]]
            inner = max([SPREAD, *(2 * max(spans[k], spans[j]) + 16 for j in beside)])
        gap = max(
            rxs[k] + rxs[k + 1] + inner,
            (svg.width(names[k]) + svg.width(names[k + 1])) / 2 + 16,
        )
        xs.append(xs[-1] + gap)
    middles = [(xs[k] + rxs[k] + xs[k + 1] - rxs[k + 1]) / 2 for k in range(len(steps))]
    shift = max([0.0, *(PAD - (m - s) for m, s in zip(middles, spans, strict=True))])
    xs = [x + shift for x in xs]

    lines: list[str] = []  # drawn first: the circles and texts go on top
    parts: list[str] = []
    for k, step in enumerate(steps):
        a, b = columns[k], columns[k + 1]
        left, right = xs[k] + a.rx, xs[k + 1] - b.rx
        if isinstance(step, Dense):
            weight = step.weight.value
            bias = None if step.bias is None else step.bias.value
            largest = max(np.max(np.abs(weight)), 0.0 if bias is None else np.max(np.abs(bias)))
            for j, y_out in enumerate(b.ys):
                for i, y_in in enumerate(a.ys):
                    lines.append(_weight(left, y_in, right, y_out, weight[j, i], largest))
            if bias is not None:
                y_bias = a.ys[0] - ROW
                parts.append(
                    f'<rect x="{xs[k] - BIAS:.1f}" y="{y_bias - BIAS:.1f}" width="{2 * BIAS}" '
                    f'height="{2 * BIAS}" rx="3" fill="none" stroke-width="1.5" '
                    'stroke="currentColor"/>'
                )
                parts.append(svg.text(xs[k], y_bias + 4.5, "1"))
                for j, y_out in enumerate(b.ys):
                    lines.append(_weight(xs[k] + BIAS, y_bias, right, y_out, bias[j], largest))
            below = max(a.ys[-1], b.ys[-1]) + RADIUS + 8
            for i, w in enumerate(words[k]):
                parts.append(svg.text((left + right) / 2, below + LINE * (i + 1), w))
        else:
            label, size = _label(step)
            for y in a.ys:
                parts.append(svg.arrow(left + 3, right - 3, y))
                parts.append(svg.text((left + right) / 2, y - 7, label, size=size))

    for k, column in enumerate(columns):
        parts.append(svg.text(xs[k], PAD + LINE, column.name))
        for i, y in enumerate(column.ys):
            parts.append(svg.ellipse(xs[k], y, column.rx, RADIUS))
            if column.values:
                parts.append(svg.text(xs[k], y + 4.5, column.values[i]))

    bottom = middle + (tallest - 1) * ROW / 2 + RADIUS + 8
    bottom += LINE * max((len(w) for w in words), default=0)
    width = max(
        [xs[-1] + max(rxs[-1], svg.width(names[-1]) / 2) + PAD]
        + [m + shift + s + PAD for m, s in zip(middles, spans, strict=True)]
    )
    key, key_width = _key(bottom + LINE + 8)
    bottom += LINE
    title = f"{type(model).__name__}: " + " → ".join(
        f"{column.name} ({len(column.ys)})" for column in columns
    )
    description = _describe(steps, columns, words, full_names, labels, digits)
    document = svg.document(
        max(width, key_width), bottom + LINE + 8 + 5 + PAD, title, description, lines + parts + key
    )
    return document, title


def _label(layer: Layer) -> tuple[str, int]:
    """A layer's symbol (a single character larger), or its class name."""
    label, _ = symbol_of(layer)
    return label, SYMBOL_SIZE if len(label) == 1 else FONT_SIZE


def _words(step: Layer, full_names: dict[int, str], labels: dict[str, str]) -> list[str]:
    """Under a Dense layer: what it is and its parameters' labels and shapes."""
    if not isinstance(step, Dense):
        return []
    label, _ = _label(step)
    return [label] + [f"{labels[full_names[id(p)]]} {p.shape}" for _, p in step.named_parameters()]


def _weight(x1: float, y1: float, x2: float, y2: float, value: float, largest: float) -> str:
    """A weight's line: width for its size against the layer's largest, colour for its sign."""
    share = abs(float(value)) / largest if largest > 0 else 0.0
    css = "nanonet-negative" if value < 0 else "nanonet-positive"
    return svg.line(x1, y1, x2, y2, css, THINNEST + (THICKEST - THINNEST) * share)


def _key(y: float) -> tuple[list[str], float]:
    """A key to the lines, two rows from baseline ``y``: its parts and its width."""
    parts, x = [], float(PAD)
    for css, words in [
        ("nanonet-positive", "positive weight"),
        ("nanonet-negative", "negative weight"),
    ]:
        parts.append(svg.line(x, y - 4.5, x + 26, y - 4.5, css, 2.5))
        parts.append(_left_text(x + 32, y, words))
        x += 32 + svg.width(words) + 16
    parts.append(_left_text(PAD, y + LINE, "the thicker, the larger"))
    return ['<g class="nanonet-key">', *parts, "</g>"], x - 16 + PAD


def _left_text(x: float, y: float, words: str) -> str:
    """A line of the key, starting at x."""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" class="nanonet-key" fill="currentColor">'
        f"{html.escape(words)}</text>"
    )


def _describe(
    steps: list[Layer],
    columns: list[_Column],
    words: list[list[str]],
    full_names: dict[int, str],
    labels: dict[str, str],
    digits: int | None,
) -> str:
    """The picture in words, for the SVG's <desc> (what a screen reader says)."""
    said = []
    for k, step in enumerate(steps):
        a, b = columns[k], columns[k + 1]
        if isinstance(step, Dense):
            parameters = ", ".join(
                f"{labels[full_names[id(p)]]} = {format_number(p.value, digits)}"
                for _, p in step.named_parameters()
            )
            said.append(
                f"{words[k][0]} joins each of the {len(a.ys)} units of {a.name} to each of the "
                f"{len(b.ys)} units of {b.name}, with {parameters}"
            )
        else:
            said.append(f"{_label(step)[0]} takes each unit of {a.name} to its unit of {b.name}")
    parts = [
        "Each circle is a unit and each line a weight, solid if positive and dashed if "
        "negative, thicker the larger it is; a square with 1 is a bias's unit, always 1: "
        + "; ".join(said)
        + "."
    ]
    if columns[0].values:
        parts.append(
            "For one sample: "
            + ", ".join(f"{c.name} = {', '.join(c.values)}" for c in columns)
            + "."
        )
    return " ".join(parts)
