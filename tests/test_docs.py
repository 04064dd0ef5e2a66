"""The docs site's code runs, its outputs are real, and its figures match the code.

Every fenced ``python`` block of a page runs, in order, in one namespace per
page (a block marked ``{.no-test}`` is skipped). A ``text`` block titled
"Output" right after a python block must equal what that block printed.
``--8<--`` snippet lines are replaced by the file section they include, as
pymdownx.snippets does when the site is built.
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest
from conftest import ROOT

import nanonet

DOCS = ROOT / "docs"
PAGES = sorted(DOCS.rglob("*.md"))
FENCE = re.compile(r"^(?P<indent> *)(?P<fence>```+)(?P<lang>[\w-]*)(?P<attrs>[^\n]*)$")
SNIPPET = re.compile(
    r'^(?P<indent> *)--8<-- "(?P<path>[^":]+)(?::(?P<section>[\w-]+))?"$', re.MULTILINE
)


def snippet(path: str, section: str | None) -> str:
    """The text pymdownx.snippets puts in place of ``--8<-- "path:section"``."""
    lines = (ROOT / path).read_text().splitlines()
    if section:
        start = lines.index(f"# --8<-- [start:{section}]")
        end = lines.index(f"# --8<-- [end:{section}]")
        lines = lines[start + 1 : end]
    return "\n".join(line for line in lines if "--8<-- [" not in line)


def blocks(page: Path) -> list[dict]:
    """The fenced blocks of a page: language, attributes and code, in order."""
    found, lines, i = [], page.read_text().splitlines(), 0
    while i < len(lines):
        match = FENCE.match(lines[i])
        if not match or not match["lang"] and not match["attrs"].strip():
            i += 1
            continue
        indent, fence = len(match["indent"]), match["fence"]
        body, i = [], i + 1
        while not lines[i].strip() == fence:
            body.append(lines[i][indent:])
            i += 1
        code = "\n".join(body)
        code = (
            SNIPPET.sub(lambda m: snippet(m["path"], m["section"]), code)
            if "--8<--" in code
            else code
        )
        found.append({"lang": match["lang"], "attrs": match["attrs"], "code": code, "line": i})
        i += 1
    return found


def run_page(page: Path) -> list[tuple[dict, str, dict | None]]:
    """Run a page's python blocks; return (block, what it printed, its Output block)."""
    namespace: dict = {"__name__": "__docs__"}
    results = []
    page_blocks = blocks(page)
    for index, block in enumerate(page_blocks):
        if block["lang"] != "python" or ".no-test" in block["attrs"]:
            continue
        following = page_blocks[index + 1] if index + 1 < len(page_blocks) else None
        output = (
            following
            if following and following["lang"] == "text" and 'title="Output"' in following["attrs"]
            else None
        )
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(block["code"], f"{page.name}:{block['line']}", "exec"), namespace)
        results.append((block, printed.getvalue(), output))
    return results


def normalise(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(DOCS)) for p in PAGES])
def test_page_code_runs_and_shows_its_real_output(page, tmp_path, monkeypatch):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    monkeypatch.chdir(tmp_path)  # files a page writes land here
    for block, printed, output in run_page(page):
        if output is not None:
            assert normalise(printed) == normalise(output["code"]), (
                f"{page.name}, block ending at line {block['line']}"
            )
    import matplotlib.pyplot as plt

    plt.close("all")


def test_every_output_block_follows_a_python_block():
    for page in PAGES:
        page_blocks = blocks(page)
        for index, block in enumerate(page_blocks):
            if 'title="Output"' in block["attrs"]:
                assert index > 0 and page_blocks[index - 1]["lang"] == "python", (
                    f"{page.name}:{block['line']}"
                )


def test_pages_have_code_and_the_tutorial_answers_the_exercise():
    assert len(PAGES) >= 8
    tutorial = (DOCS / "tutorial.md").read_text()
    assert "What is the expression for w0?" in tutorial
    assert sum(1 for p in PAGES for b in blocks(p) if b["lang"] == "python") >= 30


@pytest.mark.parametrize("name", ["two_node.png", "batch_loss.png"])
def test_figures_match_the_code_that_makes_them(name, tmp_path):
    pytest.importorskip("matplotlib")
    import docs_figures
    from matplotlib.testing.compare import compare_images

    docs_figures.FIGURES[name](tmp_path / name)
    assert (DOCS / "img" / name).exists(), f"run python examples/docs_figures.py to make {name}"
    assert compare_images(str(DOCS / "img" / name), str(tmp_path / name), tol=2) is None


def test_every_public_name_has_a_docstring_with_an_example():
    for name in nanonet.__all__:
        doc = getattr(nanonet, name).__doc__ or ""
        assert "Example" in doc, f"{name} has no example in its docstring"


def test_every_module_has_an_api_page():
    modules = sorted(p.stem for p in (ROOT / "nanonet").glob("*.py") if not p.stem.startswith("_"))
    pages = sorted(p.stem for p in (DOCS / "api").glob("*.md") if p.stem != "index")
    assert pages == modules
    for module in modules:
        assert f"::: nanonet.{module}" in (DOCS / "api" / f"{module}.md").read_text()


def test_mkdocs_config_is_offline():
    config = (ROOT / "mkdocs.yml").read_text()
    assert "font: false" in config
    assert "http" not in re.sub(r"https://github.com/\S*", "", config.split("nav:")[1])
    for page in PAGES:
        text = page.read_text()
        assert "cdn" not in text.lower() and "<script" not in text
