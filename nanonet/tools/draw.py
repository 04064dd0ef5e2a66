"""draw: a picture of a network, with its values and its gradients, written as SVG.

The picture is the chapter's: each value is a circle (an oval, for a long
name), each layer an arrow from its input to its output. Given an input,
every circle shows its value (the forward pass); given a target too, a
second row below runs right to left and shows the gradients (the backward
pass): dC/d(value) under every value, and under every layer the
dC/d(parameter) of each of its parameters.

A small network of `nanonet.Dense` layers and activations (at most 8
units in every layer), with no input or with one sample and no target, is
drawn unit by unit instead, the textbook picture: every unit a circle,
every weight a line whose width shows its size and whose dash and colour
its sign.

nanonet writes the SVG itself, as text: no Graphviz, no matplotlib. It is
made to sit on any page, light or dark: lines and labels take the colour of
the text around them (``currentColor``), and the accent colours are mixed
from a blue or an orange and that same text colour. Alone (a file, or
an ``<img>``), the drawing paints its own background, light or dark as the
reader's system prefers.

How a layer is labelled comes from the layer itself: a layer with a
``symbol`` attribute (a str: ``Sigmoid.symbol`` is ``"σ"``) is an arrow
with that symbol over it; any other layer, such as one of yours without a
symbol, is an arrow through a box with its class name. Set ``symbol`` on
your own layer and it is drawn exactly like a built-in one.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._checks import Value, as_count, as_path
from .._format import format_number
from ..layer import Layer
from ..loss import MSELoss
from . import _svg as svg
from ._names import d_name, parameter_labels, symbol_of
from ._names import value_names as pick_value_names
from ._steps import run_copy, steps_of
from ._svg import FONT_SIZE, LINE, PAD, SYMBOL_SIZE
from ._units import units_svg
from ._units import why_not as why_not_units
from .trace import trace

# -- sizes of the chain picture, in px (1 px on the page when shown at full size) --
RADIUS = 18  # of a circle; an oval for a longer name is as high, and wider
ARROW = 42  # the shortest arrow between two values
BACK_ARROW = 22  # the shortest arrow between two gradients
BOX = 12  # a box's height above and below its arrow
#: Arrays with at most this many numbers are shown in a column, larger ones by their shape.
MAX_LINES = 4


@dataclass
class _Node:
    """A value: its name, and the lines of text under it in each row."""

    name: str
    forward: list[str]  # its value, empty without x
    backward: list[str]  # dC/d(value), empty without a target


@dataclass
class _Edge:
    """A layer (or the loss): an arrow, labelled with a symbol or a boxed class name."""

    label: str
    boxed: bool  # a layer without a symbol: its class name in a box on the arrow
    size: int  # of the label's text: a symbol is larger
    parameters: list[str]  # above the arrow: "0.weight = 2"
    gradients: list[tuple[str, list[str]]]  # in the backward row: ("dC/d(0.weight)", ["-0.001"])
    words: str  # how the desc says it

    def gradient_lines(self) -> list[str]:
        """The gradients as the lines under the arrow: each name, then its value."""
        return [line for name, value in self.gradients for line in [name, *value]]


class Drawing:
    """A drawing of a network, made by `draw`: SVG text, shown by Jupyter.

    Attributes:
        svg (str): The drawing, a complete SVG document.
        title (str): What it shows, in a few words (also the SVG's ``<title>``).

    Examples:
        >>> from nanonet import Linear, Sigmoid, Sequential
        >>> drawing = draw(Sequential(Linear(2.0), Sigmoid()), 1.0)
        >>> drawing
        Drawing('Sequential: x → y0 → y1')
        >>> drawing.svg.startswith("<svg"), "0.8808" in drawing.svg
        (True, True)
    """

    def __init__(self, svg: str, title: str) -> None:
        self.svg = svg
        self.title = title

    def __repr__(self) -> str:
        return f"Drawing({self.title!r})"

    def _repr_svg_(self) -> str:
        """How Jupyter shows a Drawing: the picture itself."""
        return self.svg

    def save(self, path: Any) -> None:
        """Write the SVG to ``path`` (a str or a pathlib.Path), as UTF-8 text.

        Raises:
            TypeError: If ``path`` is not a str or an os.PathLike.
        """
        with open(as_path(path), "w", encoding="utf-8") as file:
            file.write(self.svg)


def draw(
    model: Layer,
    x: object = None,
    target: object = None,
    loss_fn: Any = None,
    *,
    value_names: Sequence[str] | None = None,
    labels: Mapping[str, str] | None = None,
    digits: int | None = 4,
    units: bool | None = None,
    names: Sequence[str] | None = None,
) -> Drawing:
    """Draw a network: its values as circles, its layers as arrows, and their numbers.

    Without ``x`` the drawing shows the structure: the values' names, each
    layer's symbol (or its class name in a box) and its parameters. With
    ``x`` it also runs the forward pass, on a copy, and writes every value
    under its circle. With ``target`` too it runs `trace`, so the numbers
    are exactly trace's, and adds the cost C and a second row for the
    backward pass: dC/d(value) under every value, and under every layer
    the gradient of each of its parameters (its own share, for a weight
    that several layers share).

    A model that can be iterated (a `nanonet.Sequential`) is drawn one
    layer per arrow; any other layer is one arrow. A value that is an
    array of at most 4 numbers shows them in a column; a larger array (a
    batch, say) shows its shape: `trace` shows every number.

    A small Dense network is drawn unit by unit instead: when every layer
    is a `nanonet.Dense` or a layer without parameters that acts on each
    number alone (an activation), no value is wider than 8 units, ``x`` is
    None or one sample, and there is no ``target``. Each value is a column
    of circles (with one sample, each shows its number); each weight is a
    line from a unit to a unit of the next column, as thick as the weight
    is large against the layer's largest, solid where it is positive and
    dashed where negative; a bias is the weight of a square unit that is
    always 1; an activation is an arrow from each unit to the next. The
    title counts the units: ``Sequential: x (2) → y0 (4) → y1 (4) → y2 (1)``.

    The drawing is sized for its text to be 13 px at full size. It shrinks
    to fit a narrower page, but not below 11 px text: on a phone, scroll it
    sideways.

    Args:
        model: The network (or a single layer).
        x: The input, a number or an array; None to draw only the structure.
        target: The desired output, for the cost and the gradients (needs ``x``).
        loss_fn: The loss; `nanonet.MSELoss` by default (needs ``target``).
        value_names: Names for the values, as in `trace`: the input first,
            then each layer's output. By default ``x``, ``y0``, ``y1``, ...;
            the chapter's are ``["s0", "x1", "s1", "x2", "s2", "out"]``.
        labels: Names for the parameters, as in `trace` and `History.plot`:
            a dict such as ``{"0.weight": "w0"}``; a parameter without a
            label is shown by its name from ``named_parameters()``.
        digits: Significant digits of every number (None: all of them).
        units: Draw unit by unit (True), as a chain of values (False), or
            unit by unit whenever the network allows it (None, the default).
        names: The old spelling of ``value_names`` (deprecated: it warns).

    Returns:
        The picture, a `Drawing`. Its ``.svg`` is the text, ``.save(path)``
            writes it, and Jupyter shows it as a picture.

    Raises:
        TypeError: If ``model`` is not a Layer, a layer's ``symbol`` is not
            a str, ``labels`` is not a dict of str to str, ``digits`` is not
            an int, or both ``value_names`` and ``names`` are given (and the
            errors of the forward pass and the loss for a bad ``x`` or
            ``target``).
        ValueError: If ``target`` is given without ``x``, ``loss_fn``
            without ``target``, ``value_names`` does not hold one name per
            value, ``labels`` names a parameter the model does not have or
            gives two the same label, ``digits`` is below 1, or
            ``units=True`` for a network that cannot be drawn unit by unit
            (the message says why).

    Examples:
        >>> from nanonet import Linear, Sigmoid, Sequential
        >>> model = Sequential(Linear(2.0), Sigmoid(), Linear(1.0), Sigmoid(), Linear(0.5))
        >>> drawing = draw(model, 2.0, 0.7, value_names=["s0", "x1", "s1", "x2", "s2", "out"],
        ...                labels={"0.weight": "w0", "2.weight": "w1", "4.weight": "w2"})
        >>> drawing.title
        'Sequential: s0 → x1 → s1 → x2 → s2 → out → C'
        >>> "0.3638" in drawing.svg, "dC/dw0" in drawing.svg, "-0.001177" in drawing.svg
        (True, True, True)

        A small Dense network, unit by unit:

        >>> from nanonet import Dense, Tanh
        >>> draw(Sequential(Dense(2, 4, rng=0), Tanh(), Dense(4, 1, rng=1)))
        Drawing('Sequential: x (2) → y0 (4) → y1 (4) → y2 (1)')
    """
    if not isinstance(model, Layer):
        raise TypeError(f"draw needs a Layer, got {type(model).__name__}")
    if target is not None and x is None:
        raise ValueError(
            "draw got a target but no x: the gradients come from a forward pass, "
            "so give the input too, as in draw(model, x, target)"
        )
    if loss_fn is not None and target is None:
        raise ValueError("draw got a loss_fn but no target: a loss needs a target to compare with")
    digits = None if digits is None else as_count(digits, "digits")
    if units is not None and not isinstance(units, bool):
        raise TypeError(f"units must be True, False or None, got {type(units).__name__}")
    steps = steps_of(model)
    names = pick_value_names(value_names, len(steps), names)
    full_labels = parameter_labels(model, labels)
    if units is not False:
        reason = why_not_units(steps, x, target)
        if not reason:
            sample = [] if x is None else run_copy(model, x)[2]
            return Drawing(*units_svg(model, steps, names, full_labels, sample, digits))
        if units:
            raise ValueError(f"draw cannot draw this network unit by unit: {reason}")

    values: list[Value] = []  # the input, each layer's output and, with a target, C
    grads: list[Value] = []  # with a target, dC/d(each of those)
    parameter_grads: list[dict[str, Value]] = [{} for _ in steps]  # per layer, by its own names
    if target is not None:
        t = trace(model, x, target, loss_fn, value_names=names, labels=full_labels, digits=digits)
        forward = {row["index"]: row for row in t.rows if row["pass"] == "forward"}
        backward = {row["index"]: row for row in t.rows if row["pass"] == "backward"}
        values = [forward[k]["input"] for k in range(len(steps))] + [forward["C"]["input"], t.loss]
        grads = [backward[k]["grad_input"] for k in range(len(steps))]
        grads += [backward["C"]["grad_input"], 1.0]  # dC/d(output), and dC/dC = 1
        parameter_grads = [backward[k]["parameter_grads"] for k in range(len(steps))]
        names = [*names, "C"]
    elif x is not None:
        values = run_copy(model, x)[2]

    nodes = [
        _Node(
            name,
            _lines(values[k], digits) if values else [],
            _lines(grads[k], digits) if grads else [],
        )
        for k, name in enumerate(names)
    ]
    full_names = {id(p): name for name, p in model.named_parameters()}
    edges = [
        _layer_edge(step, full_names, full_labels, parameter_grads[k], digits)
        for k, step in enumerate(steps)
    ]
    if target is not None:
        label, _ = symbol_of(MSELoss() if loss_fn is None else loss_fn)  # a loss is never boxed
        edges.append(_Edge(label, False, FONT_SIZE, [_named("target", target, digits)], [], label))

    title = f"{type(model).__name__}: " + " → ".join(node.name for node in nodes)
    return Drawing(_chain_svg(nodes, edges, title, _describe(nodes, edges)), title)


def _layer_edge(
    layer: Layer,
    full_names: dict[int, str],
    labels: dict[str, str],
    grads: dict[str, Value],
    digits: int | None,
) -> _Edge:
    """A layer's arrow: its label, its parameters above, their gradients below."""
    label, boxed = symbol_of(layer)
    parameters: list[str] = []
    gradients: list[tuple[str, list[str]]] = []
    for own_name, parameter in layer.named_parameters():
        name = full_names[id(parameter)]
        parameters.append(_named(labels[name], parameter.value, digits))
        if own_name in grads:
            gradients.append((f"dC/d{d_name(labels[name], name)}", _lines(grads[own_name], digits)))
    words = f"{type(layer).__name__}" + (f" ({label})" if not boxed else "")
    if parameters:
        words += " with " + ", ".join(parameters)
    return _Edge(label, boxed, FONT_SIZE if boxed else SYMBOL_SIZE, parameters, gradients, words)


def _lines(value: Value, digits: int | None) -> list[str]:
    """A value as lines of text: a number, a column of a few numbers, or an array's shape."""
    if isinstance(value, np.ndarray):
        if value.size > MAX_LINES:
            return [f"shape {value.shape}"]
        return [format_number(float(number), digits) for number in value.ravel()]
    return [format_number(value, digits)]


def _named(name: str, value: object, digits: int | None) -> str:
    """``name = 2`` for a number, ``name (3, 2)`` (its shape) for an array."""
    array = np.asarray(value, dtype=float)
    if array.ndim == 0:
        return f"{name} = {format_number(float(array), digits)}"
    return f"{name} {array.shape}"


def _describe(nodes: list[_Node], edges: list[_Edge]) -> str:
    """The picture in words, for the SVG's <desc> (what a screen reader says)."""
    steps = ", ".join(
        f"{edge.words} takes {a.name} to {b.name}"
        for a, b, edge in zip(nodes, nodes[1:], edges, strict=False)
    )
    parts = [f"Each circle is a value and each arrow a layer: {steps or 'no layers'}."]
    if nodes[0].forward:
        parts.append(
            "Forward pass, left to right: "
            + ", ".join(f"{node.name} = {', '.join(node.forward)}" for node in nodes)
            + "."
        )
    if nodes[0].backward:
        gradients = [f"dC/d{node.name} = {', '.join(node.backward)}" for node in reversed(nodes)]
        for edge in reversed(edges):
            gradients += [f"{name} = {', '.join(value)}" for name, value in edge.gradients]
        parts.append("Backward pass, right to left: " + ", ".join(gradients) + ".")
    return " ".join(parts)


# -- the SVG --------------------------------------------------------------------


def _chain_svg(nodes: list[_Node], edges: list[_Edge], title: str, description: str) -> str:
    """Lay the nodes and edges out and write them as an SVG document."""
    r = RADIUS
    radius = [max(r, 0.55 * svg.width(node.name) + 4) for node in nodes]  # across: an oval's
    grad_width = [max((svg.width(line) for line in node.backward), default=0.0) for node in nodes]
    node_width = [
        max(2 * radius[k], grad_width[k], *(svg.width(line) for line in node.forward))
        for k, node in enumerate(nodes)
    ]
    box = [svg.width(edge.label) + 14 if edge.boxed else 0.0 for edge in edges]
    edge_width = [
        max(
            box[k],
            svg.width(edge.label, edge.size),
            *map(svg.width, [*edge.parameters, *edge.gradient_lines()]),
        )
        for k, edge in enumerate(edges)
    ]

    # Left to right: each gap wide enough for what sits in it and around it.
    xs = [PAD + node_width[0] / 2]
    for k, edge in enumerate(edges):
        arrow = max(ARROW, svg.width(edge.label, edge.size) + 8, box[k] + 2 * BACK_ARROW)
        gap = max(
            radius[k] + radius[k + 1] + 6 + arrow,  # the arrow, and its label or box
            edge_width[k] + 20,  # the texts above and below the arrow
            (node_width[k] + node_width[k + 1]) / 2 + 14,  # the values
            (grad_width[k] + grad_width[k + 1]) / 2 + 12 + BACK_ARROW,  # the gradients
        )
        xs.append(xs[-1] + gap)

    # Top to bottom: parameters and labels, the circles, the values, the gradients.
    # Values sit under their circles and gradients in rows of their own, so
    # the numbers of a circle and of an arrow never share a line.
    above = max((len(edge.parameters) for edge in edges), default=0)
    y_label = 26  # from the arrow up to the baseline of the lowest parameter
    y_arrow = PAD + max(r, 20, y_label + 10 + LINE * (above - 1))  # the circles and the arrows
    y_values = y_arrow + r + 16  # the first line of the values
    forward_lines = max(len(node.forward) for node in nodes)
    bottom: float = y_values + LINE * (forward_lines - 1) if forward_lines else y_arrow + r - 4
    y_back = bottom + 22  # the backward arrows, the gradients' first line centred on them
    backward_lines = max(len(node.backward) for node in nodes)
    y_grads = y_back + 4.5 + LINE * backward_lines + 4  # the parameters' gradients
    if backward_lines:
        bottom = y_back + 4.5 + LINE * (backward_lines - 1)  # the values' gradients
        below = max((len(edge.gradient_lines()) for edge in edges), default=0)
        if below:  # the parameters' gradients
            bottom = y_grads + LINE * (below - 1)

    parts = []
    for k, edge in enumerate(edges):
        left, right = xs[k] + radius[k] + 3, xs[k + 1] - radius[k + 1] - 3
        middle = (left + right) / 2
        if edge.boxed:
            half = box[k] / 2
            parts.append(svg.line(left, y_arrow, middle - half, y_arrow))
            parts.append(
                f'<rect x="{middle - half:.1f}" y="{y_arrow - BOX:.1f}" width="{box[k]:.1f}" '
                f'height="{2 * BOX}" rx="4" fill="none" stroke-width="1.5" stroke="currentColor"/>'
            )
            parts.append(svg.text(middle, y_arrow + 4.5, edge.label))
            parts.append(svg.arrow(middle + half, right, y_arrow))
        else:
            parts.append(svg.arrow(left, right, y_arrow))
            parts.append(svg.text(middle, y_arrow - 7, edge.label, size=edge.size))
        for i, line in enumerate(edge.parameters):
            parts.append(
                svg.text(middle, y_arrow - y_label - LINE * (len(edge.parameters) - 1 - i), line)
            )
        for i, line in enumerate(edge.gradient_lines()):
            parts.append(svg.text(middle, y_grads + LINE * i, line, "nanonet-backward"))
        if backward_lines:
            parts.append(
                svg.arrow(
                    xs[k + 1] - grad_width[k + 1] / 2 - 6,
                    xs[k] + grad_width[k] / 2 + 6,
                    y_back,
                    "nanonet-backward",
                )
            )
    for k, node in enumerate(nodes):
        parts.append(svg.ellipse(xs[k], y_arrow, radius[k], r))
        parts.append(svg.text(xs[k], y_arrow + 4.5, node.name))
        for i, line in enumerate(node.forward):
            parts.append(svg.text(xs[k], y_values + LINE * i, line, "nanonet-forward"))
        for i, line in enumerate(node.backward):
            parts.append(svg.text(xs[k], y_back + 4.5 + LINE * i, line, "nanonet-backward"))

    width = xs[-1] + node_width[-1] / 2 + PAD
    if forward_lines:  # a key to the colours, in words and arrows
        key = [("→ forward pass: the values", "nanonet-forward")]
        if backward_lines:
            key.append(("← backward pass: dC/d(value), dC/d(parameter)", "nanonet-backward"))
        bottom += LINE + 8
        spans = "".join(
            f'<tspan class="{css}" dx="{0 if i == 0 else 16}">{html.escape(text)}</tspan>'
            for i, (text, css) in enumerate(key)
        )
        parts.append(
            f'<text x="{PAD}" y="{bottom:.1f}" class="nanonet-key" fill="currentColor">'
            f"{spans}</text>"
        )
        width = max(width, 2 * PAD + sum(svg.width(text) + 16 for text, _ in key))
    return svg.document(width, bottom + 5 + PAD, title, description, parts)
