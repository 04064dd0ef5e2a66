"""The docs site's code runs, its outputs are real, and its figures come from the code.

Every fenced ``python`` block of a page runs, in order, in one namespace per
page (a block marked ``{.no-test}`` is skipped). A ``text`` block titled
"Output" right after a python block must be what that block printed: the
same text, spacing and indentation included, with every number equal to a
relative tolerance of 1e-9 (the last digits of floats depend on the CPU).
``--8<--`` snippet lines are replaced by the file section they include, as
pymdownx.snippets does when the site is built.
"""

from __future__ import annotations

import contextlib
import difflib
import importlib.util
import io
import re
from pathlib import Path

import numpy as np
import pytest

import nanonet

ROOT = Path(__file__).resolve().parent.parent
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
        if "--8<--" in code:
            code = SNIPPET.sub(lambda m: snippet(m["path"], m["section"]), code)
        found.append({"lang": match["lang"], "attrs": match["attrs"], "code": code, "line": i})
        i += 1
    return found


def runnable(page: Path) -> list[tuple[dict, dict | None]]:
    """The python blocks the tests run, each with the Output block that follows it (or None)."""
    page_blocks = blocks(page)
    found = []
    for index, block in enumerate(page_blocks):
        if block["lang"] != "python" or ".no-test" in block["attrs"]:
            continue
        following = page_blocks[index + 1] if index + 1 < len(page_blocks) else None
        is_output = following is not None and 'title="Output"' in following["attrs"]
        found.append((block, following if is_output else None))
    return found


def run_page(page: Path) -> list[tuple[dict, str, dict | None]]:
    """Run a page's python blocks; return (block, what it printed, its Output block)."""
    namespace: dict = {"__name__": "__docs__"}
    results = []
    for block, output in runnable(page):
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(block["code"], f"{page.name}:{block['line']}", "exec"), namespace)
        results.append((block, printed.getvalue(), output))
    return results


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(DOCS)) for p in PAGES])
def test_page_code_runs_and_shows_its_real_output(page, tmp_path, monkeypatch, outputs_match):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    monkeypatch.chdir(tmp_path)  # files a page writes land here
    for block, printed, output in run_page(page):
        if output is not None and not outputs_match(output["code"], printed):
            diff = "\n".join(
                difflib.unified_diff(
                    output["code"].splitlines(),
                    printed.splitlines(),
                    "page",
                    "printed",
                    lineterm="",
                )
            )
            pytest.fail(f"{page.name}, block ending at line {block['line']}:\n{diff}")
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


def test_a_wrong_output_block_is_caught(tmp_path, outputs_match):
    """The comparison is strict where it must be: indentation and text, not only numbers."""
    page = tmp_path / "page.md"
    page.write_text(
        '```python\nprint("  dC/dy4 =", 0.1 + 0.2)\n```\n\n'
        '```text title="Output"\ndC/dy4 = 0.30000000000000004\n```\n'
    )
    ((_, printed, output),) = run_page(page)
    assert printed == "  dC/dy4 = 0.30000000000000004\n"
    assert not outputs_match(output["code"], printed)  # the indent differs
    assert outputs_match("  dC/dy4 = 0.3000000000000001", printed)  # the last digits may


@pytest.mark.parametrize("name", ["two_node", "two_node_cost", "sigmoid", "batch_loss"])
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_figures_are_drawn_from_the_examples(example, name, theme):
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt

    figures = example("docs_figures")
    fig = figures.FIGURES[name](theme)
    (ax,) = fig.axes
    assert ax.get_xlabel() and (ax.get_ylabel() or name == "sigmoid")
    assert fig.patch.get_alpha() == 0.0  # transparent: it sits on the page's own background
    lines = {line.get_label(): line for line in ax.get_lines()}
    if name == "two_node":
        assert ax.get_xscale() == "log"
        assert list(lines) == ["w2", "w1", "w0", "out", "target"]
        x, out = lines["out"].get_data()
        assert x[0] == 1 and x[-1] == 1000 and out[0] == pytest.approx(0.36375, abs=1e-5)
        assert lines["w2"].get_ydata()[-1] == pytest.approx(0.9418582194136942, rel=1e-12)
        assert lines["target"].get_ydata()[0] == 0.7
    if name == "sigmoid":
        s, derivative = (line.get_ydata() for line in ax.get_lines()[:2])
        assert np.max(derivative) == pytest.approx(0.25) and np.all(derivative <= 0.25)
    if name in ("two_node_cost", "batch_loss"):
        assert ax.get_yscale() == "log"
        loss = ax.get_lines()[0].get_ydata()
        assert loss[0] > 100 * loss[-1]
    svg = figures.render(name, theme).decode()
    assert svg.startswith("<?xml") and THEMES_TEXT[theme] in svg
    plt.close("all")


THEMES_TEXT = {"light": "#1f2328", "dark": "#e6edf3"}


def test_pages_show_each_figure_in_both_themes():
    for page in PAGES:
        text = page.read_text()
        for name in re.findall(r"\(img/([\w-]+)-light\.svg#only-light\)", text):
            assert f"(img/{name}-dark.svg#only-dark)" in text, f"{page.name}: {name}"


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


def test_a_teaching_pages_notebook_holds_the_blocks_the_tests_run_and_their_outputs():
    """docs/_tools/notebook.py reads a page its own way; it must agree with `runnable`."""
    spec = importlib.util.spec_from_file_location("notebook", ROOT / "docs/_tools/notebook.py")
    notebook = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(notebook)
    teaching = [page for page in PAGES if notebook.is_teaching_page(page.read_text())]
    assert teaching
    for page in teaching:
        code = [c for c in notebook.page_notebook(page)["cells"] if c["cell_type"] == "code"]
        expected = runnable(page)
        assert ["".join(cell["source"]) for cell in code] == [
            block["code"].rstrip("\n") for block, _ in expected
        ], page.name
        assert [["".join(o["text"]) for o in cell["outputs"]] for cell in code] == [
            [output["code"] + "\n"] if output else [] for _, output in expected
        ], page.name
        prose = "".join("".join(c["source"]) for c in notebook.page_notebook(page)["cells"])
        # The site's own syntax is gone: tabs, admonitions, snippets, definition lists,
        # figures by path, links to other pages.
        for syntax in ['=== "', "!!! ", "--8<--", "\n:   ", "](img/", "{.no-test}"]:
            assert syntax not in prose, f"{page.name}: {syntax}"
        assert not re.search(r"\]\((?![a-z]+:)[^)]*\.md\b", prose), page.name
