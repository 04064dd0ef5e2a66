"""The docs site's code runs, its outputs are real, and its figures come from the code.

Every fenced ``python`` block of a page runs, in order, in one namespace per
page (a block marked ``{.no-test}`` is skipped). A ``text`` block titled
"Output" right after a python block must be what that block printed: the
same text, spacing and indentation included, with every number equal to a
relative tolerance of 1e-9 (the last digits of floats depend on the CPU).
``--8<--`` snippet lines are replaced by the file section they include, as
pymdownx.snippets does when the site is built.

A page whose code needs more than nanonet and numpy says so in its front
matter, ``requires: [torch]``: its test is skipped where such a module is
missing, unless ``NANONET_REQUIRE_TORCH=1`` (``NANONET_REQUIRE_<NAME>=1`` for
any module) is set, as CI does; then a missing module fails the test.
"""

from __future__ import annotations

import contextlib
import difflib
import importlib
import importlib.util
import io
import json
import os
import re
from pathlib import Path

import numpy as np
import pytest
from support import DOCS, PAGES, ROOT, RUNNABLE, blocks, load, requirements, runnable

import nanonet


def import_requirements(page: Path) -> None:
    """Import what a page requires; skip if one is missing, fail if NANONET_REQUIRE_<NAME>=1."""
    for name in requirements(page):
        if os.environ.get(f"NANONET_REQUIRE_{name.upper().replace('.', '_')}") == "1":
            importlib.import_module(name)
        else:
            pytest.importorskip(name)


def run_page(page: Path, tab: str | None = None) -> list[tuple[dict, str, dict | None]]:
    """Run a page's python blocks; return (block, what it printed, its Output block).

    With ``tab``, run only the blocks a reader sees who picks that tab in
    every set of content tabs (blocks outside tabs, and those in ``tab``).
    """
    namespace: dict = {"__name__": "__docs__"}
    results = []
    for block, output in runnable(page):
        if tab is not None and block["tab"] not in (None, tab):
            continue
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(block["code"], f"{page.name}:{block['line']}", "exec"), namespace)
        results.append((block, printed.getvalue(), output))
    return results


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(DOCS)) for p in PAGES])
def test_page_code_runs_and_shows_its_real_output(page, tmp_path, monkeypatch, outputs_match):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import_requirements(page)
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


TABBED = [
    (page, label)
    for page in PAGES
    for label in sorted({block["tab"] for block in blocks(page) if block["tab"]})
]


@pytest.mark.parametrize(
    "page, tab", TABBED, ids=[f"{page.name}: {label}" for page, label in TABBED]
)
def test_each_tab_reads_on_its_own(page, tab, tmp_path, monkeypatch, outputs_match):
    """A reader who follows one tab throughout (say only "nanonet") can run every block."""
    pytest.importorskip("matplotlib").use("Agg")
    import_requirements(page)
    monkeypatch.chdir(tmp_path)
    for block, printed, output in run_page(page, tab):
        if output is not None:
            assert outputs_match(output["code"], printed), f"{page.name}:{block['line']}"


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


def test_a_page_that_requires_a_missing_module_is_skipped_or_fails(tmp_path, monkeypatch):
    page = tmp_path / "page.md"
    page.write_text("---\nrequires: [numpy, no_such_module.sub]\n---\n\n# A page\n")
    assert requirements(page) == ["numpy", "no_such_module.sub"]
    monkeypatch.delenv("NANONET_REQUIRE_NO_SUCH_MODULE_SUB", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no_such_module"):
        import_requirements(page)
    monkeypatch.setenv("NANONET_REQUIRE_NO_SUCH_MODULE_SUB", "1")
    with pytest.raises(ModuleNotFoundError, match="no_such_module"):
        import_requirements(page)
    page.write_text("# A page with no front matter\n\nrequires: [no_such_module]\n")
    assert requirements(page) == []


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


def test_the_networks_page_figures(example):
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt

    figures, networks = example("docs_figures"), example("networks")
    (ax,) = figures.FIGURES["moons_boundary"]("light").axes
    points = [
        collection for collection in ax.collections if collection.get_label().startswith("class")
    ]
    assert [c.get_label() for c in points] == ["class 0", "class 1"]
    assert sum(len(c.get_offsets()) for c in points) == 300  # the training points
    model, (x_test, y_test), _ = networks.train_digits()
    wrong = int(np.sum(np.argmax(model(x_test), axis=1) != y_test))
    fig = figures.FIGURES["digits_misclassified"]("dark")
    titles = [ax.get_title() for ax in fig.axes if ax.get_visible()]
    assert len(titles) == wrong and all(", read as " in title for title in titles)
    plt.close("all")


THEMES_TEXT = {"light": "#1f2328", "dark": "#e6edf3"}


def test_pages_show_each_figure_in_both_themes():
    shown = set()
    for page in PAGES:
        text = page.read_text()
        for up, name in re.findall(r"\(((?:\.\./)*)img/([\w-]+)-light\.svg#only-light\)", text):
            assert f"({up}img/{name}-dark.svg#only-dark)" in text, f"{page.name}: {name}"
            assert up == "../" * len(page.relative_to(DOCS).parent.parts), f"{page.name}: {name}"
            shown.add(name)
    figures = load(ROOT / "examples/docs_figures.py")
    assert shown == set(figures.FIGURES)  # every figure drawn is shown, and the other way


def test_the_api_pages_of_datasets_and_draw_show_their_pictures(example):
    """The figures of api/datasets.md are the calls it prints; api/tools/draw.md's drawings."""
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt

    from nanonet.datasets import circles, load_digits, moons, spirals

    figures = example("docs_figures")
    fig = figures.FIGURES["datasets"]("dark")
    calls = {
        "moons": moons(300, noise=0.1, rng=0),
        "circles": circles(300, noise=0.05, rng=0),
        "spirals": spirals(300, noise=0.03, rng=0),
    }
    page = (DOCS / "api/datasets.md").read_text()
    for ax, (name, (x, y)) in zip(fig.axes, calls.items(), strict=True):
        assert ax.get_title() == name and name in page
        points = np.concatenate([c.get_offsets() for c in ax.collections])
        assert len(points) == len(x) and len(ax.collections) == y.max() + 1
    fig = figures.FIGURES["digits_samples"]("light")
    assert [ax.get_title() for ax in fig.axes] == [str(label) for label in load_digits()[1][:20]]
    plt.close("all")
    draw_page = (DOCS / "api/tools/draw.md").read_text()
    for name in re.findall(r'data-drawing="([\w-]+)"', draw_page):
        assert figures.DRAWINGS[name]().svg.startswith("<svg")
    assert 'data-drawing="xor_structure"' in draw_page


def test_every_public_name_has_a_docstring_with_an_example():
    for name in nanonet.__all__:
        doc = getattr(nanonet, name).__doc__ or ""
        assert "Example" in doc, f"{name} has no example in its docstring"


def test_every_public_module_has_an_api_page_at_its_path():
    package = ROOT / "nanonet"
    modules = sorted(
        path.relative_to(package).with_suffix("")
        for path in package.rglob("*.py")
        if not any(part.startswith("_") for part in path.relative_to(package).parts)
    )
    modules = [m for m in modules if m.parts[:2] != ("tools", "trace")]  # (one page: the package)
    pages = sorted(
        p.relative_to(DOCS / "api").with_suffix("") for p in (DOCS / "api").rglob("*.md")
    )
    pages.remove(Path("index"))
    assert pages == sorted([*modules, Path("tools/trace")])
    for module in modules:
        name = "nanonet." + ".".join(module.parts)
        assert f"::: {name}" in (DOCS / "api" / module).with_suffix(".md").read_text()


def test_mkdocs_config_is_offline():
    config = (ROOT / "mkdocs.yml").read_text()
    assert "font: false" in config
    assert "http" not in re.sub(r"https://github.com/\S*", "", config.split("nav:")[1])
    for page in PAGES:
        text = page.read_text()
        assert "cdn" not in text.lower() and "<script" not in text


def test_a_teaching_pages_notebook_holds_the_blocks_the_tests_run_and_their_outputs():
    """docs/_tools/notebook.py reads a page its own way; it must agree with `runnable`.

    The notebook holds a setup cell first, a check cell after each exercise's
    starter, the page's other blocks in order, and the answers' blocks at the
    end, without their outputs (none is printed before its question is solved).
    """
    notebook = load(ROOT / "docs/_tools/notebook.py")
    teaching = [page for page in PAGES if notebook.is_teaching_page(page.read_text())]
    assert teaching == RUNNABLE
    for page in teaching:
        cells = notebook.page_notebook(page)["cells"]
        code = [c for c in cells if c["cell_type"] == "code"]
        assert "setup" in code[0]["metadata"]["tags"], page.name
        tags = [c["metadata"].get("tags", []) for c in code]
        blocks = [c for c, t in zip(code, tags, strict=True) if not {"setup", "check"} & set(t)]
        answers = [c for c in blocks if "answer" in c["metadata"].get("tags", [])]
        in_page = blocks[: len(blocks) - len(answers)]
        assert blocks == in_page + answers  # the answers are last
        answer_lines = _answer_lines(page)
        expected = runnable(page)
        ordered = [b for b in expected if b[0]["line"] not in answer_lines]
        ordered += [b for b in expected if b[0]["line"] in answer_lines]
        assert ["".join(cell["source"]) for cell in blocks] == [
            block["code"].rstrip("\n") for block, _ in ordered
        ], page.name
        assert [["".join(o["text"]) for o in cell["outputs"]] for cell in blocks] == [
            [output["code"] + "\n"] if output and block["line"] not in answer_lines else []
            for block, output in ordered
        ], page.name
        for answer in answers:
            assert answer["metadata"]["jupyter"] == {"source_hidden": True, "outputs_hidden": True}
        checks = [c for c, t in zip(code, tags, strict=True) if "check" in t]
        starters = [c for c in code if "exercise" in c["metadata"].get("tags", [])]
        assert [c["metadata"]["nanonet"]["check"] for c in checks] == [
            c["metadata"]["nanonet"]["exercise"] for c in starters
        ]
        for starter in starters:
            after = code[code.index(starter) + 1]
            assert after in checks and after["outputs"] == [], page.name
        prose = "".join("".join(c["source"]) for c in cells)
        # The site's own syntax is gone: tabs, admonitions, snippets, definition lists,
        # figures by path, links to other pages, heading anchors.
        for syntax in ['=== "', "!!! ", "???", "--8<--", "\n:   ", "](img/", "{.no-test}", "{#"]:
            assert syntax not in prose, f"{page.name}: {syntax}"
        assert not re.search(r"\]\((?![a-z]+:)[^)]*\.md\b", prose), page.name
        assert "pip install nanonet " not in prose and "pip install nanonet\n" not in prose
        teacher = notebook.page_notebook(page, teacher=True)["cells"]
        assert not [c for c in teacher if "answer" in c["metadata"].get("tags", [])]
        assert "success" not in json.dumps(teacher) and "Answer" not in json.dumps(teacher)


def _answer_lines(page: Path) -> set[int]:
    """The lines (as support.blocks numbers them) of the blocks inside answer boxes."""
    lines, inside, found = page.read_text().splitlines(), None, set()
    for number, line in enumerate(lines):
        indent = len(line) - len(line.lstrip())
        if re.match(r' *\?\?\? success "Answer"', line):
            inside = indent
        elif inside is not None and line.strip() and indent <= inside:
            inside = None
        if inside is not None and line.strip().startswith("```") and line.strip() == "```":
            found.add(number)
    return found
