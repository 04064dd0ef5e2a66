"""The docs' math: LaTeX to MathML spaced as TeX spaces it."""

from __future__ import annotations

import importlib.util
import re

import pytest
from conftest import ROOT


@pytest.fixture(scope="module")
def hook():
    pytest.importorskip("mkdocs")
    pytest.importorskip("latex2mathml")
    spec = importlib.util.spec_from_file_location("mathml", ROOT / "docs/_hooks/mathml.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def mathml(hook, latex: str) -> str:
    """The inner MathML of an inline formula, without the <math> and outer <mrow> tags."""
    converted = hook.to_mathml(latex, display=False)
    return re.fullmatch(r"<math [^>]*><mrow>(.*)</mrow></math>", converted)[1]


def test_an_arrow_is_a_relation_with_space_around_it(hook):
    arrow = mathml(hook, r"s_0 \overset{w_0}{\longrightarrow} x_1")
    assert "<mover><mrow><mo>&#x027F6;</mo></mrow>" in arrow
    assert "<mi>&#x027F6;</mi>" not in arrow
    assert "<mo>&#x02190;</mo>" in mathml(hook, r"w \leftarrow w")  # already an operator


def test_a_slash_has_no_space_around_it(hook):
    assert mathml(hook, r"\partial C / \partial w") == (
        '<mo>&#x02202;</mo><mi>C</mi><mo lspace="0" rspace="0">&#x0002F;</mo>'
        "<mo>&#x02202;</mo><mi>w</mi>"
    )


@pytest.mark.parametrize(
    ("latex", "signs"),
    [
        (r"[-1, 1)", 1),  # after an opening bracket
        (r"(-1, -1)", 2),  # and after a comma
        (r"x = -1", 1),  # after a relation
        (r"a - b", 0),  # between two terms: a binary minus
        (r"(a) - b", 0),  # after a closing bracket too
        (r"-3", 0),  # the first in its row: the browser already makes it a sign
    ],
)
def test_a_minus_after_an_operator_is_a_sign(hook, latex, signs):
    converted = mathml(hook, latex)
    assert converted.count('<mo form="prefix">&#x02212;</mo>') == signs
    assert converted.count("&#x02212;") == latex.count("-")


def test_an_upright_word_is_one_name(hook):
    assert mathml(hook, r"\mathrm{out} - \mathrm{target}_i") == (
        '<mi mathvariant="normal">out</mi><mo>&#x02212;</mo>'
        '<msub><mi mathvariant="normal">target</mi><mi>i</mi></msub>'
    )


def test_display_math_gets_its_own_block(hook):
    html = hook.on_page_content(
        '<p>If <span class="arithmatex">\\(y = w x\\)</span>:</p>\n'
        '<div class="arithmatex">\\[\n\\frac{\\partial y}{\\partial w} = x\n\\]</div>'
    )
    assert html.startswith(
        '<p>If <math xmlns="http://www.w3.org/1998/Math/MathML" display="inline">'
    )
    display = '<math xmlns="http://www.w3.org/1998/Math/MathML" display="block">'
    assert f'<div class="math-display">{display}' in html
    assert "arithmatex" not in html
