"""draw: the network as SVG, with trace's numbers in the right places.

The SVG is read back as XML: each circle's name, the value under it, the
gradient in the backward row below it, and each layer's label, parameters
and their gradients are found by position, so a number in the wrong place
fails as surely as a wrong number.

The browser test renders the drawing in Debian's Chromium through
Playwright (the ``browser`` extra), light and dark, at 700 and 400 px, and
measures it; screenshots go to $NANONET_SCREENSHOTS if set. Without Chromium
or Playwright it skips, unless NANONET_REQUIRE_BROWSER=1: then it fails.
"""

from __future__ import annotations

import base64
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from nanonet import (
    CrossEntropyLoss,
    Dense,
    Drawing,
    Layer,
    Linear,
    Parameter,
    ReLU,
    Sequential,
    Sigmoid,
    Tanh,
    draw,
    trace,
)

SVG = "{http://www.w3.org/2000/svg}"
CHAPTER_NAMES = ["s0", "x1", "s1", "x2", "s2", "out"]


class Picture:
    """A drawing's SVG read back as XML: its circles, and its texts by position and kind.

    A text's kind is its class without the prefix: ``forward`` (a value),
    ``backward`` (a gradient), ``key`` (the key to the colours), or ``""``
    (names, labels and parameters, in the text colour).
    """

    def __init__(self, svg: str):
        self.root = ET.fromstring(svg)  # well-formed XML, or this raises
        texts = self.root.iter(f"{SVG}text")
        self.texts = sorted(
            (float(t.get("y")), float(t.get("x")), t.get("class", "").removeprefix("nanonet-"),
             "".join(t.itertext()))
            for t in texts
        )  # fmt: skip
        self.circles = sorted(float(c.get("cx")) for c in self.root.iter(f"{SVG}ellipse"))

    def at(self, x: float, kind: str = "") -> list[str]:
        """The texts of ``kind`` centred on ``x``, top to bottom."""
        return [text for _, tx, k, text in self.texts if abs(tx - x) < 0.05 and k == kind]

    def names(self) -> list[str]:
        """The name in each circle, left to right."""
        return [name for cx in self.circles for name in self.at(cx)]

    def under(self, name: str, kind: str) -> list[str]:
        """The value (``forward``) or gradient (``backward``) under the circle ``name``."""
        return self.at(dict(zip(self.names(), self.circles, strict=True))[name], kind)

    def edge(self, k: int) -> tuple[list[str], list[str]]:
        """Above arrow ``k``, its labels; under it, its gradients (texts centred on it)."""
        middles = sorted(
            {tx for _, tx, kind, _ in self.texts if kind != "key"}
            - {tx for _, tx, _, _ in self.texts for cx in self.circles if abs(tx - cx) < 0.05}
        )
        return self.at(middles[k]), self.at(middles[k], "backward")

    @property
    def title(self) -> str:
        return self.root.find(f"{SVG}title").text

    @property
    def desc(self) -> str:
        return self.root.find(f"{SVG}desc").text


@pytest.fixture
def chapter_drawing(two_node, chapter):
    return draw(two_node(), chapter.s0, chapter.target, value_names=CHAPTER_NAMES)


def test_the_two_node_drawing_holds_the_forward_values_at_4_digits(chapter_drawing, chapter):
    picture = Picture(chapter_drawing.svg)
    assert picture.names() == [*CHAPTER_NAMES, "C"]
    expected = {
        "s0": chapter.s0,
        "x1": chapter.w0 * chapter.s0,
        "s1": chapter.s1,
        "x2": chapter.w1 * chapter.s1,
        "s2": chapter.s2,
        "out": chapter.out,
        "C": chapter.initial_cost,
    }
    for name, value in expected.items():
        assert picture.under(name, "forward") == [f"{value:.4g}"], name
    # The numbers the issue names, as text: the same as trace prints them.
    assert picture.under("out", "forward") == ["0.3638"]
    assert picture.under("C", "forward") == ["0.05653"]
    assert [picture.under(n, "forward")[0] for n in ["x1", "s1", "s2"]] == ["4", "0.982", "0.7275"]


def test_the_two_node_drawing_holds_the_gradients_at_4_digits(chapter_drawing, chapter):
    picture = Picture(chapter_drawing.svg)
    t = trace(Sequential(Linear(2.0), Sigmoid(), Linear(1.0), Sigmoid(), Linear(0.5)), 2.0, 0.7)
    backward = {row["index"]: row for row in t.rows if row["pass"] == "backward"}
    # dC/d(value) under each value: what each layer's backward received, and C's own 1.
    for k, name in enumerate(CHAPTER_NAMES[1:]):
        assert picture.under(name, "backward") == [f"{backward[k]['grad_output']:.4g}"], name
    assert picture.under("s0", "backward") == ["-0.001177"]  # dC/ds0, what backward returns
    assert picture.under("out", "backward") == ["-0.3362"]  # out - target
    assert picture.under("C", "backward") == ["1"]
    # Under each Linear's arrow, dC/d(its weight), which gradient descent uses.
    for k, name in [(0, "0.weight"), (2, "2.weight"), (4, "4.weight")]:
        _, below = picture.edge(k)
        assert below == [f"dC/d({name})", f"{chapter.first_gradients[name]:.4g}"]
    assert [picture.edge(k)[1][1] for k in (0, 2, 4)] == ["-0.001177", "-0.03273", "-0.2446"]
    assert picture.edge(1)[1] == [] and picture.edge(5)[1] == []  # no parameters, no gradients


def test_each_layer_is_labelled_by_its_symbol_and_its_parameters(chapter_drawing):
    picture = Picture(chapter_drawing.svg)
    labels = [picture.edge(k)[0] for k in range(6)]
    assert labels == [
        ["0.weight = 2", "×"],
        ["σ"],
        ["2.weight = 1", "×"],
        ["σ"],
        ["4.weight = 0.5", "×"],
        ["target = 0.7", "MSELoss"],
    ]
    assert not list(picture.root.iter(f"{SVG}rect"))  # every layer here has a symbol


def test_the_title_and_desc_say_what_the_picture_shows(chapter_drawing):
    picture = Picture(chapter_drawing.svg)
    assert picture.title == "Sequential: s0 → x1 → s1 → x2 → s2 → out → C"
    assert chapter_drawing.title == picture.title
    assert "Linear (×) with 0.weight = 2 takes s0 to x1" in picture.desc
    assert "out = 0.3638, C = 0.05653" in picture.desc
    assert "dC/dout = -0.3362" in picture.desc and "dC/d(0.weight) = -0.001177" in picture.desc


def test_the_model_is_left_as_it_was(two_node):
    model = two_node()
    before = model.state_dict()
    draw(model, 2.0, 0.7)
    draw(model, 2.0)
    assert model.state_dict() == before
    assert [p.grad for p in model.parameters()] == [0.0, 0.0, 0.0]
    assert not hasattr(model[0], "x")  # nothing ran through the model itself
    with pytest.raises(RuntimeError, match="forward pass first"):
        model.backward(1.0)


def test_without_x_the_drawing_is_the_structure_without_numbers(two_node):
    picture = Picture(draw(two_node()).svg)
    assert picture.names() == ["x", "y0", "y1", "y2", "y3", "y4"]
    assert {kind for _, _, kind, _ in picture.texts} == {""}  # no values, gradients or key
    assert "0.3638" not in draw(two_node()).svg
    assert picture.edge(0)[0] == ["0.weight = 2", "×"]  # the weights are the model's
    assert "Forward" not in picture.desc and "Backward" not in picture.desc


def test_with_x_and_no_target_only_the_forward_pass_is_drawn(two_node, chapter):
    picture = Picture(draw(two_node(), 2.0).svg)
    assert picture.names() == ["x", "y0", "y1", "y2", "y3", "y4"]  # no C
    assert picture.under("y4", "forward") == ["0.3638"]
    assert "backward" not in {kind for _, _, kind, _ in picture.texts}
    assert "Forward pass, left to right: x = 2, y0 = 4" in picture.desc


def test_digits_none_shows_every_digit(two_node, chapter):
    picture = Picture(draw(two_node(), 2.0, 0.7, digits=None).svg)
    (out,) = picture.under("y4", "forward")
    assert float(out) == pytest.approx(chapter.initial_out, rel=1e-12)
    assert len(out) > 12
    assert picture.edge(0)[1][1] == repr(float(picture.edge(0)[1][1]))  # repr: every digit
    assert Picture(draw(two_node(), 2.0, digits=2).svg).under("y4", "forward") == ["0.36"]


def test_names_label_the_circles_and_are_escaped(two_node):
    names = ["in", "a<b", "s&1", "x2", 's"2', "y"]
    picture = Picture(draw(two_node(), 2.0, 0.7, value_names=names).svg)  # still well-formed XML
    assert picture.names() == [*names, "C"]
    with pytest.raises(ValueError, match="value_names must hold 6 names"):
        draw(two_node(), value_names=["a", "b"])
    with pytest.raises(ValueError, match="value_names must hold 6 names"):
        draw(two_node(), value_names="s0 x1 s1 x2 s2 out")


def test_a_users_layer_without_a_symbol_is_a_box_with_its_name(Scale):
    class Double(Layer):  # no parameters, no symbol
        def forward(self, x):
            return 2.0 * x

        def backward(self, grad):
            return 2.0 * grad

    drawing = draw(Sequential(Scale(3.0), Double()), 0.5, 2.0)
    picture = Picture(drawing.svg)
    boxes = [
        [float(r.get(key)) for key in ["x", "y", "width", "height"]]
        for r in picture.root.iter(f"{SVG}rect")
    ]
    assert len(boxes) == 2
    for (left, top, width, height), name in zip(boxes, ["_Scale", "Double"], strict=True):
        inside = [
            text
            for y, x, _, text in picture.texts
            if left < x < left + width and top < y < top + height
        ]
        assert inside == [name]
    assert picture.edge(0)[0] == ["0.a = 3", "_Scale"]
    assert picture.edge(0)[1] == ["dC/d(0.a)", "1"]  # (3 * 0.5 * 2 - 2) * 2 * 0.5
    assert picture.edge(1) == (["Double"], [])
    assert picture.under("y1", "forward") == ["3"]


def test_a_users_layer_with_a_symbol_is_drawn_exactly_like_a_built_in_one():
    class Times(Layer):  # Linear, written as a user would, with the same symbol
        symbol = "×"

        def __init__(self, weight):
            self.weight = Parameter(weight)

        def forward(self, x):
            self.x = x
            return self.weight.value * x

        def backward(self, grad):
            self.weight.grad += grad * self.x
            return grad * self.weight.value

    built_in = draw(Sequential(Linear(2.0), Sigmoid()), 1.5, 0.2).svg
    users = draw(Sequential(Times(2.0), Sigmoid()), 1.5, 0.2).svg
    assert users.replace("Times", "Linear") == built_in


def test_a_symbol_that_is_not_a_str_is_refused(Scale):
    class Bad(Scale):
        symbol = 3

    class BadActivation(Tanh):
        symbol = 3

    with pytest.raises(TypeError, match=r"Bad\.symbol labels the layer in draw, .* got int"):
        draw(Bad(1.0))
    with pytest.raises(TypeError, match=r"BadActivation\.symbol labels the layer in draw"):
        draw(Sequential(Dense(2, 2, rng=0), BadActivation()))  # the unit picture too


def test_a_single_layer_is_drawn_as_one_arrow():
    picture = Picture(draw(Linear(3.0), 2.0, 1.0).svg)  # y = 6, C = 12.5, dC/dw = 10
    assert picture.names() == ["x", "y0", "C"]
    assert picture.under("C", "forward") == ["12.5"]
    assert picture.edge(0) == (["weight = 3", "×"], ["dC/d(weight)", "10"])


def test_dense_tanh_and_relu_networks_draw():
    model = Sequential(Dense(2, 3, rng=0), Tanh(), Dense(3, 1, rng=1), ReLU())
    picture = Picture(draw(model, np.array([0.5, -1.0]), np.array([0.3])).svg)
    assert [picture.edge(k)[0][-1] for k in range(4)] == [
        "Dense(2→3)",
        "tanh",
        "Dense(3→1)",
        "ReLU",
    ]
    assert picture.edge(0)[0] == ["0.weight (3, 2)", "0.bias (3,)", "Dense(2→3)"]
    assert picture.under("x", "forward") == ["0.5", "-1"]  # a few numbers: a column
    hidden = model[1](model[0](np.array([0.5, -1.0])))
    assert picture.under("y1", "forward") == [f"{v:.4g}" for v in hidden]
    below = picture.edge(0)[1]
    assert below[:2] == ["dC/d(0.weight)", "shape (3, 2)"]  # six numbers: the shape
    assert below[2] == "dC/d(0.bias)" and len(below) == 6
    # A batch shows each value's shape.
    batch = Picture(draw(model, np.ones((8, 2)), np.ones((8, 1))).svg)
    assert batch.under("x", "forward") == ["shape (8, 2)"]
    assert batch.under("y0", "backward") == ["shape (8, 3)"]


def test_a_batch_of_a_few_numbers_is_a_column(two_node):
    picture = Picture(draw(two_node(), [1.0, 2.0], [0.5, 0.7]).svg)
    assert picture.under("x", "forward") == ["1", "2"]
    assert picture.under("y0", "forward") == ["2", "4"]
    assert picture.edge(5)[0] == ["target (2,)", "MSELoss"]


def test_another_loss_is_named_on_the_last_arrow():
    model = Sequential(Dense(2, 3, rng=0))
    picture = Picture(draw(model, np.ones((4, 2)), np.array([0, 2, 1, 1]), CrossEntropyLoss()).svg)
    assert picture.edge(1)[0] == ["target (4,)", "CrossEntropyLoss"]


def test_a_shared_weight_shows_each_layers_share():
    first, second = Linear(0.5), Linear(0.5)
    second.weight = first.weight  # one parameter, two layers
    model = Sequential(first, Sigmoid(), second)
    picture = Picture(draw(model, 2.0, 0.0, digits=None).svg)
    assert picture.edge(0)[0][0] == picture.edge(2)[0][0] == "0.weight = 0.5"
    assert picture.edge(0)[1][0] == picture.edge(2)[1][0] == "dC/d(0.weight)"
    shares = [float(picture.edge(k)[1][1]) for k in (0, 2)]
    out = model(2.0)
    model.backward(out - 0.0)  # dC/dout for C = 1/2 (out - 0)**2
    assert sum(shares) == pytest.approx(first.weight.grad, rel=1e-12)
    assert shares == pytest.approx([0.07187, 0.2672], rel=1e-3)


def test_drawing_shows_in_jupyter_and_has_a_short_repr(chapter_drawing):
    assert chapter_drawing._repr_svg_() == chapter_drawing.svg
    assert repr(chapter_drawing) == "Drawing('Sequential: s0 → x1 → s1 → x2 → s2 → out → C')"
    assert isinstance(chapter_drawing, Drawing)


def test_the_svg_scales_but_not_below_11_px_text(chapter_drawing):
    root = ET.fromstring(chapter_drawing.svg)
    _, _, width, height = map(float, root.get("viewBox").split())
    assert float(root.get("width")) == width and float(root.get("height")) == height
    style = root.get("style")
    assert "max-width: 100%" in style
    min_width = float(re.search(r"min-width: (\d+)px", style)[1])
    assert 13 * min_width / width >= 11  # 13 px text shrinks to 11 px at most
    assert "@media (prefers-color-scheme: dark)" in chapter_drawing.svg
    for y, x, _, _ in Picture(chapter_drawing.svg).texts:
        assert 0 < x < width and 0 < y < height


def test_save_writes_the_svg_as_utf8(chapter_drawing, tmp_path):
    chapter_drawing.save(tmp_path / "backprop.svg")
    chapter_drawing.save(str(tmp_path / "again.svg"))
    for name in ["backprop.svg", "again.svg"]:
        assert (tmp_path / name).read_bytes() == chapter_drawing.svg.encode("utf-8")
    with pytest.raises(TypeError, match="path must be a str or an os.PathLike"):
        chapter_drawing.save(3)
    with pytest.raises(FileNotFoundError):
        chapter_drawing.save(tmp_path / "no such folder" / "x.svg")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["again.svg", "backprop.svg"]


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda m: draw(3.0), TypeError, "draw needs a Layer, got float"),
        (lambda m: draw(m, target=0.7), ValueError, "got a target but no x"),
        (lambda m: draw(m, 2.0, loss_fn=object()), ValueError, "got a loss_fn but no target"),
        (lambda m: draw(m, "two"), TypeError, "x must be"),
        (lambda m: draw(m, 2.0, digits=0), ValueError, "digits must be at least 1"),
        (lambda m: draw(m, 2.0, digits="4"), TypeError, "digits must be an int"),
    ],
)
def test_errors_say_what_is_wrong(two_node, call, error, message):
    model = two_node()
    with pytest.raises(error, match=message):
        call(model)
    assert model.state_dict() == two_node().state_dict()


def test_a_bad_x_raises_the_models_own_error():
    with pytest.raises(ValueError, match=r"Dense\(in_features=2.*takes samples of 2 features"):
        draw(Sequential(Dense(2, 3, rng=0)), np.ones((4, 5)))


def test_the_docs_drawings_are_the_chapters(example, chapter):
    figures = example("docs_figures")
    assert sorted(figures.DRAWINGS) == [
        "two_node_backprop",
        "two_node_network",
        "xor_network",
        "xor_structure",
    ]
    network = Picture(figures.DRAWINGS["two_node_network"]().svg)
    assert network.names() == CHAPTER_NAMES
    backprop = Picture(figures.DRAWINGS["two_node_backprop"]().svg)
    assert backprop.under("out", "forward") == [f"{chapter.initial_out:.4g}"]
    assert backprop.edge(0)[1] == ["dC/dw0", "-0.001177"]  # the prose's names
    assert network.edge(0)[0] == ["w0 = 2", "×"]
    xor = Units(figures.DRAWINGS["xor_network"]().svg)  # the networks page's, trained
    assert [len(column) for column in xor.columns] == [2, 4, 4, 1] and len(xor.weights) == 17
    assert "For one sample: x = 0, 1, " in xor.picture.desc
    assert Units(figures.DRAWINGS["xor_structure"]().svg).picture.desc.count("For one") == 0


def test_every_drawing_the_docs_ask_for_exists(example):
    asked = {
        name
        for page in (Path(__file__).parent.parent / "docs").rglob("*.md")
        for name in re.findall(r'data-drawing="([\w-]+)"', page.read_text())
    }
    assert asked and asked <= set(example("docs_figures").DRAWINGS)


# -- small Dense networks, unit by unit --------------------------------------------


def xor_network():
    """The untrained 2-4-1 network of the networks page (XOR)."""
    return Sequential(Dense(2, 4, rng=0), Tanh(), Dense(4, 1, rng=1))


class Units:
    """A unit-by-unit drawing read back: its units by column, bias squares and weight lines."""

    def __init__(self, svg: str):
        self.picture = Picture(svg)
        root = self.picture.root
        ellipses = [(float(e.get("cx")), float(e.get("cy"))) for e in root.iter(f"{SVG}ellipse")]
        xs = sorted({x for x, _ in ellipses})
        self.columns = [sorted(y for x, y in ellipses if x == cx) for cx in xs]
        self.xs = xs
        self.biases = [
            (float(r.get("x")) + float(r.get("width")) / 2, float(r.get("y")) + 11)
            for r in root.iter(f"{SVG}rect")
        ]
        self.weights = [
            (
                *(float(line.get(k)) for k in ("x1", "y1", "x2", "y2")),
                line.get("class"),
                float(line.get("stroke-width")),
            )
            for line in root.findall(f"{SVG}line")  # (the key's samples are in a group)
            if line.get("class") in ("nanonet-positive", "nanonet-negative")
        ]

    def line_into(self, column: int, unit: int, source_y: float) -> tuple[str, float]:
        """The class and width of the weight line from height ``source_y`` to a unit."""
        y = self.columns[column][unit]
        x = self.xs[column]
        ((css, width),) = [
            (css, w)
            for x1, y1, x2, y2, css, w in self.weights
            if abs(y2 - y) < 0.05 and abs(y1 - source_y) < 0.05 and x1 < x2 < x + 0.05
            and x2 > x - 60
        ]  # fmt: skip
        return css, width


def test_a_small_dense_network_is_drawn_unit_by_unit():
    model = xor_network()
    units = Units(draw(model).svg)
    assert [len(column) for column in units.columns] == [2, 4, 4, 1]  # x, y0, y1 = tanh(y0), y2
    assert units.picture.title == "Sequential: x (2) → y0 (4) → y1 (4) → y2 (1)"
    # every weight a line: 8 + 4 biases into y0, 4 + 1 bias into y2, none between y0 and y1
    assert len(units.weights) == 17 and len(units.biases) == 2
    first, second = model[0], model[2]
    for layer, into in ((first, 1), (second, 3)):
        weight, bias = layer.weight.value, layer.bias.value
        largest = max(np.abs(weight).max(), np.abs(bias).max())
        bias_y = [y for x, y in units.biases if abs(x - units.xs[into - 1]) < 0.05]
        for j in range(weight.shape[0]):
            sources = [*zip(units.columns[into - 1], weight[j], strict=True), (bias_y[0], bias[j])]
            for source_y, w in sources:
                css, width = units.line_into(into, j, source_y)
                assert css == ("nanonet-negative" if w < 0 else "nanonet-positive")
                assert width == pytest.approx(0.6 + 3.4 * abs(w) / largest, abs=0.006)
    # the activation: one arrow per unit, each with its symbol
    texts = [text for _, _, _, text in units.picture.texts]
    assert texts.count("tanh") == 4 and texts.count("1") == 2  # the biases' units
    for words in ["Dense(2→4)", "0.weight (4, 2)", "0.bias (4,)", "2.weight (1, 4)"]:
        assert words in texts
    assert {"positive weight", "negative weight", "the thicker, the larger"} <= set(texts)
    desc = units.picture.desc
    assert "Dense(2→4) joins each of the 2 units of x to each of the 4 units of y0" in desc
    assert f"0.weight = [[{first.weight.value[0, 0]:.4g}, " in desc
    assert "tanh takes each unit of y0 to its unit of y1" in desc


def test_one_sample_shows_every_units_value_and_labels_name_the_weights():
    model = xor_network()
    labels = {"0.weight": "W1", "0.bias": "b1", "2.weight": "W2", "2.bias": "b2"}
    x = np.array([0.0, 1.0])
    units = Units(draw(model, x, value_names=["x", "h", "a", "out"], labels=labels).svg)
    hidden = model[0](x)
    expected = [x, hidden, np.tanh(hidden), model(x)]
    for column, cx, values in zip(units.columns, units.xs, expected, strict=True):
        inside = [
            text
            for y in column
            for ty, tx, _, text in units.picture.texts
            if abs(tx - cx) < 0.05 and abs(ty - y - 4.5) < 0.05
        ]
        assert inside == [f"{v:.4g}" for v in values]
    texts = [text for _, _, _, text in units.picture.texts]
    assert "W1 (4, 2)" in texts and "b2 (1,)" in texts and "0.weight (4, 2)" not in texts
    assert "For one sample: x = 0, 1, h = " in units.picture.desc
    one_row = Units(draw(model, x[None, :]).svg)  # a batch of one is one sample too
    assert [len(column) for column in one_row.columns] == [2, 4, 4, 1]


@pytest.mark.parametrize(
    "make, x, target",
    [
        (lambda: Sequential(Dense(2, 16, rng=0), Tanh(), Dense(16, 2, rng=1)), None, None),
        (xor_network, np.ones((4, 2)), None),  # a batch
        (xor_network, np.ones(2), np.ones(1)),  # a target: the gradients
        (lambda: Sequential(Linear(2.0), Sigmoid()), None, None),  # no Dense
    ],
)
def test_other_networks_keep_the_chain_picture(make, x, target):
    picture = Picture(draw(make(), x, target).svg)
    assert not list(picture.root.iter(f"{SVG}rect"))
    assert len(picture.circles) == len(make()) + 1 + (target is not None)
    with pytest.raises(ValueError, match="cannot draw this network unit by unit: "):
        draw(make(), x, target, units=True)


def test_units_chooses_the_picture():
    chain = Picture(draw(xor_network(), units=False).svg)
    assert chain.names() == ["x", "y0", "y1", "y2"]
    assert len(Units(draw(xor_network(), units=True).svg).weights) == 17
    with pytest.raises(TypeError, match="units must be True, False or None, got str"):
        draw(xor_network(), units="yes")


def test_a_users_layer_is_drawn_unit_by_unit_only_if_it_acts_on_each_number_alone():
    class Cube(Layer):  # elementwise, no symbol: its class name on each arrow
        def forward(self, x):
            self.x = x
            return x**3

        def backward(self, grad):
            return grad * 3 * self.x**2

    class Mix(Layer):  # each output is the sum of all inputs
        def forward(self, x):
            return np.sum(x, axis=-1, keepdims=True) + 0 * x

        def backward(self, grad):
            return np.sum(grad, axis=-1, keepdims=True) + 0 * grad

    cube = Units(draw(Sequential(Dense(2, 3, rng=0), Cube(), Dense(3, 1, rng=1))).svg)
    assert [t for _, _, _, t in cube.picture.texts].count("Cube") == 3
    model = Sequential(Dense(2, 3, rng=0), Mix(), Dense(3, 1, rng=1))
    assert draw(model).title == "Sequential: x → y0 → y1 → y2"  # the chain picture
    with pytest.raises(ValueError, match=r"layer 1 \(Mix\) does not act on each number alone"):
        draw(model, units=True)
    with pytest.raises(ValueError, match=r"layer 0 \(_Scale\) has parameters but is not a Dense"):
        draw(Sequential(_scale(), Dense(1, 1, rng=0)), units=True)
    no_bias = Units(draw(Sequential(Dense(2, 2, bias=False, rng=0))).svg)
    assert no_bias.biases == [] and len(no_bias.weights) == 4


def _scale():
    class _Scale(Layer):
        def __init__(self):
            self.a = Parameter(2.0)

        def forward(self, x):
            return self.a.value * x

        def backward(self, grad):
            return grad * self.a.value

    return _Scale()


def test_the_unit_picture_leaves_the_model_as_it_was():
    model = xor_network()
    before = model.state_dict()
    draw(model, np.array([1.0, 0.0]))
    after = model.state_dict()
    assert all(np.array_equal(after[name], value) for name, value in before.items())
    assert not hasattr(model[0], "x")  # nothing ran through the model itself


def test_draw_takes_labels_and_names_is_the_old_spelling_of_value_names(two_node):
    labels = {"0.weight": "w0", "2.weight": "w1", "4.weight": "w2"}
    picture = Picture(draw(two_node(), 2.0, 0.7, labels=labels).svg)
    assert picture.edge(0) == (["w0 = 2", "×"], ["dC/dw0", "-0.001177"])
    assert "Linear (×) with w2 = 0.5 takes y3 to y4" in picture.desc
    with pytest.warns(DeprecationWarning, match="names= is now value_names="):
        old = draw(two_node(), names=CHAPTER_NAMES)
    assert old.svg == draw(two_node(), value_names=CHAPTER_NAMES).svg
    with pytest.raises(ValueError, match="labels names '1.weight'"):
        draw(two_node(), labels={"1.weight": "w"})


# -- in a browser ------------------------------------------------------------------


# Material's text and background colours, light and slate (dark).
PAGES = {
    "light": ("rgba(0, 0, 0, 0.87)", "rgb(255, 255, 255)"),
    "dark": ("hsla(225, 15%, 90%, 0.82)", "hsl(225, 15%, 14%)"),
}

MEASURE = """svg => {
    const box = svg.getBoundingClientRect();
    const scale = box.width / svg.viewBox.baseVal.width;
    const seen = node => {
        const r = node.getBoundingClientRect();
        const style = getComputedStyle(node);
        return {text: node.textContent, size: parseFloat(style.fontSize) * scale,
                fill: style.fill, box: [r.left, r.top, r.right, r.bottom]};
    };
    const frame = svg.parentElement;
    return {width: box.width, scrolls: frame.scrollWidth > frame.clientWidth,
            texts: [...svg.querySelectorAll('text')].map(seen),
            spans: [...svg.querySelectorAll('tspan')].map(seen),
            weights: [...svg.querySelectorAll('line.nanonet-positive, line.nanonet-negative')]
                .map(line => getComputedStyle(line).stroke),
            background: getComputedStyle(document.body).backgroundColor};
}"""


def _rgb(css: str) -> tuple[float, ...]:
    """A computed colour, rgb()/rgba() or color(srgb ...), as (r, g, b, alpha) from 0 to 1."""
    numbers = [float(n) for n in re.findall(r"\d*\.?\d+", css)]
    alpha = numbers[3] if len(numbers) > 3 else 1.0
    rgb = numbers[:3] if css.startswith("color(srgb") else [n / 255 for n in numbers[:3]]
    return (*rgb, alpha)


def _contrast(foreground: str, background: str) -> float:
    """WCAG's contrast ratio of a colour, maybe translucent, on an opaque background."""
    *fg, alpha = _rgb(foreground)
    *bg, _ = _rgb(background)
    shown = [alpha * f + (1 - alpha) * b for f, b in zip(fg, bg, strict=True)]

    def luminance(rgb: list[float]) -> float:
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted([luminance(shown), luminance(bg)], reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_is_wcags():
    assert _contrast("rgb(0, 0, 0)", "rgb(255, 255, 255)") == pytest.approx(21.0)
    assert _contrast("color(srgb 1 1 1)", "rgb(255, 255, 255)") == pytest.approx(1.0)
    assert _contrast("rgba(0, 0, 0, 0)", "rgb(30, 32, 41)") == pytest.approx(1.0)
    assert _contrast("rgb(118, 118, 118)", "rgb(255, 255, 255)") == pytest.approx(4.54, abs=0.01)


def _overlap(a: list[float], b: list[float]) -> float:
    """How far two boxes (left, top, right, bottom) overlap, in px (0 or less: apart)."""
    return min(min(a[2], b[2]) - max(a[0], b[0]), min(a[3], b[3]) - max(a[1], b[1]))


@pytest.mark.browser
@pytest.mark.parametrize("which", ["chapter", "xor_units"])
def test_the_drawing_renders_legibly_in_chromium_light_and_dark(
    which, chapter_drawing, browser, tmp_path
):
    """The chapter's backprop drawing, and the XOR network unit by unit with one sample's values.

    ``browser``: the tests' headless Chromium (tests/conftest.py), shared by the session.
    """
    drawing = chapter_drawing if which == "chapter" else draw(xor_network(), np.array([0.0, 1.0]))
    min_width = float(re.search(r"min-width: (\d+)px", drawing.svg)[1])
    shots = Path(os.environ.get("NANONET_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    image = "data:image/svg+xml;base64," + base64.b64encode(drawing.svg.encode()).decode()
    for scheme, (text, background) in PAGES.items():
        for width in (700, 400):
            where = f"{scheme}, {width} px"
            page = browser.new_page(viewport={"width": width, "height": 560}, color_scheme=scheme)
            page.set_content(
                f'<body style="margin: 16px; color: {text}; background: {background}; '
                f'font-family: Helvetica, Arial, sans-serif">'
                f'<div style="overflow-x: auto">{drawing.svg}</div>'
                f'<p>The same SVG as an image:</p><img src="{image}" alt="">'
                "</body>"
            )
            page.screenshot(path=shots / f"draw-{which}-{scheme}-{width}.png")
            seen = page.locator("svg").evaluate(MEASURE)
            # At 700 px it fits the page; at 400 it scrolls rather than shrink more.
            if width == 700:
                assert seen["width"] <= width - 32 + 0.5, where
            assert seen["scrolls"] == (min_width > width - 32), where
            # Every text is 11 px or more on the screen, and no two overlap.
            assert min(t["size"] for t in seen["texts"]) >= 11 - 1e-9, where
            for i, a in enumerate(seen["texts"]):
                for b in seen["texts"][i + 1 :]:
                    assert _overlap(a["box"], b["box"]) <= 0.5, f"{where}: {a}, {b}"
            # Every text, values and gradients in their colours too, reads on the
            # page: WCAG AA's 4.5:1.
            for t in seen["texts"] + seen["spans"]:
                ratio = _contrast(t["fill"], seen["background"])
                assert ratio >= 4.5, f"{where}: {t['text']!r} in {t['fill']}: {ratio:.2f}"
            # Every weight's line stands out as a graphic must: WCAG's 3:1.
            for stroke in seen["weights"]:
                assert _contrast(stroke, seen["background"]) >= 3, f"{where}: {stroke}"
            # Alone, as an image, it renders with its own colours and background.
            assert page.locator("img").evaluate("img => img.naturalWidth") > 0, where
            page.close()
