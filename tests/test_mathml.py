"""The docs' math: LaTeX to MathML spaced as TeX spaces it, and the site's own math font.

The font's cache is tested as the in-page Python's is (tests/test_run_build.py):
made-up files with their own pinned sha256, no network.
"""

from __future__ import annotations

import hashlib
import logging
import re
from types import SimpleNamespace

import pytest
from support import ROOT, load


@pytest.fixture(scope="module")
def hook():
    pytest.importorskip("mkdocs")
    pytest.importorskip("latex2mathml")
    return load(ROOT / "docs/_hooks/mathml.py")


def mathml(hook, latex: str) -> str:
    """The inner MathML of an inline formula, without the <math> and outer <mrow> tags."""
    converted = hook.to_mathml(latex, display=False)
    return re.fullmatch(r"<math [^>]*><mrow>(.*)</mrow></math>", converted)[1]


def test_an_arrow_is_a_relation_with_space_around_it(hook):
    arrow = mathml(hook, r"s_0 \overset{w_0}{\longrightarrow} x_1")
    assert "<mover><mrow><mo>&#x027F6;</mo></mrow>" in arrow
    assert "<mi>&#x027F6;</mi>" not in arrow
    assert "<mo>&#x02190;</mo>" in mathml(hook, r"w \leftarrow w")  # already an operator


def test_a_slash_has_no_space_around_it_and_partial_is_a_symbol(hook):
    assert mathml(hook, r"\partial C / \partial w") == (
        '<mi>&#x02202;</mi><mi>C</mi><mo lspace="0" rspace="0">&#x0002F;</mo>'
        "<mi>&#x02202;</mi><mi>w</mi>"
    )


@pytest.mark.parametrize(
    ("latex", "expected"),
    [
        # a thin space between a function name and its argument, as TeX sets log p ...
        (r"\log p", '<mi>log</mi><mspace width="0.1667em"></mspace><mi>p</mi>'),
        (r"\exp x", '<mi>exp</mi><mspace width="0.1667em"></mspace><mi>x</mi>'),
        # ... but none before a bracket, nor inside a subscript's base
        (r"\log(p)", '<mi>log</mi><mo stretchy="false">&#x00028;</mo><mi>p</mi>'),
        (r"\max_i x_i", "<msub><mi>max</mi><mi>i</mi></msub><msub><mi>x</mi><mi>i</mi></msub>"),
        # max is a name like log, not an operator spaced as in a + b
        (r"\max(x, 0)", '<mi>max</mi><mo stretchy="false">&#x00028;</mo><mi>x</mi>'),
    ],
)
def test_a_function_name_is_spaced_as_in_tex(hook, latex, expected):
    assert mathml(hook, latex).startswith(expected)


def test_bars_around_a_value_have_no_space_of_their_own(hook):
    bar = '<mo stretchy="false" lspace="0" rspace="0">&#x0007C;</mo>'
    assert mathml(hook, r"|p - t|") == f"{bar}<mi>p</mi><mo>&#x02212;</mo><mi>t</mi>{bar}"


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


# The math font: its cache, and what the hook adds to the site.


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def font_cache(hook, tmp_path, monkeypatch):
    """A complete font cache of made-up files, and fetch_font pinned to their sha256."""
    fetch_font = hook.fetch_font
    contents = {"files/math.woff2": b"wOF2 font", "LICENSE": b"SIL Open Font License"}
    for path, data in contents.items():
        (tmp_path / path.split("/")[-1]).write_bytes(data)
    monkeypatch.setattr(fetch_font, "FILES", {path: sha256(d) for path, d in contents.items()})
    monkeypatch.setattr(fetch_font, "CACHE", tmp_path)
    return tmp_path


def test_the_pinned_font_is_the_one_the_stylesheet_asks_for(hook):
    fetch_font = hook.fetch_font
    assert f"files/{fetch_font.FONT}" in fetch_font.FILES and "LICENSE" in fetch_font.FILES
    assert all(re.fullmatch(r"[0-9a-f]{64}", digest) for digest in fetch_font.FILES.values())
    css = (ROOT / "docs" / "extra.css").read_text()
    assert f'src: url("fonts/{fetch_font.FONT}") format("woff2");' in css
    assert re.search(r'\.md-typeset math \{\s*font-family: "STIX Two Math", math;', css)


def test_a_complete_font_cache_is_added_to_the_site(hook, font_cache, monkeypatch):
    fetch_font = hook.fetch_font
    assert fetch_font.verify() == ["math.woff2", "LICENSE"]
    monkeypatch.setattr(fetch_font.fetch_runtime, "run", pytest.fail)  # no npm
    assert fetch_font.main() == 0
    plugins = SimpleNamespace(_current_plugin="mathml")  # File.generated records it
    config = SimpleNamespace(
        site_dir=str(font_cache / "site"), use_directory_urls=True, plugins=plugins
    )
    files = hook.on_files(FakeFiles(), config=config)
    assert {file.src_uri: file.abs_src_path for file in files} == {
        "fonts/math.woff2": str(font_cache / "math.woff2"),
        "fonts/LICENSE": str(font_cache / "LICENSE"),
    }


def test_without_the_font_the_site_builds_and_says_so(hook, font_cache, caplog):
    (font_cache / "math.woff2").unlink()
    assert hook.fetch_font.verify() is None
    with caplog.at_level(logging.INFO, logger="mkdocs.hooks.mathml"):
        assert hook.on_files(FakeFiles(), config={}) == []
    assert "The math font is not included" in caplog.text


@pytest.mark.parametrize("name", ["math.woff2", "LICENSE"])
def test_a_changed_font_file_fails_verification_and_the_build(hook, font_cache, name, capsys):
    from mkdocs.exceptions import PluginError

    (font_cache / name).write_bytes(b"tampered")
    with pytest.raises(hook.fetch_font.VerificationError, match=name):
        hook.fetch_font.verify()
    assert hook.fetch_font.main() == 1
    assert "verification FAILED" in capsys.readouterr().err
    with pytest.raises(PluginError, match="failed verification"):
        hook.on_files(FakeFiles(), config={})


def test_an_unreachable_registry_leaves_the_font_cache_alone(hook, tmp_path, monkeypatch, capsys):
    def offline(command, cwd):
        raise hook.fetch_font.FetchError("npm pack ... failed: network unreachable")

    monkeypatch.setattr(hook.fetch_font, "CACHE", tmp_path / "cache")
    monkeypatch.setattr(hook.fetch_font.fetch_runtime, "run", offline)
    assert hook.fetch_font.main() == 2
    assert "could not fetch the math font" in capsys.readouterr().err
    assert not (tmp_path / "cache").exists()


class FakeFiles(list):
    """Enough of mkdocs' Files for on_files: a list of File objects."""
