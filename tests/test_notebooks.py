"""Each teaching page's notebook runs top to bottom in a fresh kernel, and checks its exercises.

docs/_tools/notebook.py makes a notebook of every page marked ``runnable:
true``, as the docs build does for the site's download links. Here each is
written to a temporary folder, validated against the nbformat schema, run
in a new kernel (nbclient and ipykernel, the ``notebooks`` extra; figures
headless, with matplotlib's Agg backend), and every cell that shows an
output on the page must print that output again (support.outputs_match)
without an error. Each exercise's check cell, after its unchanged starter,
says "Not yet"; then, in the same kernel, the starter replaced by the page's
answer gets "Correct", and each typical wrong answer its own words, as on
the page (tests/test_exercises.py, tests/test_browser.py).

Without the ``notebooks`` extra these tests skip, unless
NANONET_REQUIRE_NOTEBOOKS=1 (as in CI): then they fail.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support import ROOT, RUNNABLE, exercises, load, require_or_skip, wrong_answers

notebook = load(ROOT / "docs/_tools/notebook.py")
figures = load(ROOT / "examples/docs_figures.py")

pytestmark = pytest.mark.notebooks

PAGES = RUNNABLE  # the teaching pages, which have a notebook each


@pytest.fixture(scope="module")
def jupyter():
    """nbformat and nbclient, or a skip (a failure when they are required)."""
    try:
        import ipykernel  # noqa: F401  (nbclient starts it by name)
        import nbclient
        import nbformat
    except ImportError as error:
        require_or_skip("notebooks", f"the notebooks extra is not installed ({error.name})")
    return nbformat, nbclient


def stdout(cell: dict) -> str:
    return "".join(
        "".join(output["text"])
        for output in cell["outputs"]
        if output["output_type"] == "stream" and output["name"] == "stdout"
    )


def shown(cell: dict) -> str:
    """What a check cell shows: the verdict, its last line's value."""
    return "".join(
        output["data"]["text/plain"]
        for output in cell["outputs"]
        if output["output_type"] == "execute_result"
    )


def drawing(name: str):
    made = figures.DRAWINGS[name]()
    return made.svg.encode(), made.title


def test_the_teaching_pages_have_notebooks():
    assert {page.stem for page in PAGES} >= {"tutorial", "batches", "custom-layers"}


@pytest.mark.parametrize("page", PAGES, ids=[page.stem for page in PAGES])
def test_the_notebook_runs_top_to_bottom_prints_the_pages_outputs_and_checks_its_exercises(
    page, jupyter, tmp_path, monkeypatch, outputs_match
):
    nbformat, nbclient = jupyter
    path = tmp_path / f"{page.stem}.ipynb"
    path.write_text(notebook.dumps(notebook.page_notebook(page, drawing=drawing)))
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    before = [stdout(cell) for cell in nb.cells if cell.cell_type == "code"]
    assert not any("Correct" in text or "Not yet" in text for text in before)

    monkeypatch.setenv("MPLBACKEND", "Agg")  # the kernel draws figures headless
    monkeypatch.chdir(tmp_path)  # files a page writes land here
    client = nbclient.NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)  # raises CellExecutionError if a cell fails

        code = [cell for cell in nb.cells if cell.cell_type == "code"]
        assert len(code) == len(before) > 0
        for number, (cell, expected) in enumerate(zip(code, before, strict=True), start=1):
            where = f"{page.name}, code cell {number}:\n{cell.source}"
            kinds = {(output["output_type"], output.get("name")) for output in cell.outputs}
            if "check" in cell.metadata.get("tags", []):
                assert kinds == {("execute_result", None)}, f"{where}\nshows {kinds}"
                assert shown(cell).startswith("Not yet: "), f"{where}\n{shown(cell)}"
                continue
            assert kinds <= {("stream", "stdout")}, f"{where}\nshows {kinds}"
            if expected:
                assert outputs_match(expected, stdout(cell)), f"{where}\nprinted\n{stdout(cell)}"
            elif "answer" not in cell.metadata.get("tags", []):
                assert stdout(cell) == "", f"{where}\nprinted\n{stdout(cell)}"

        def verdict(code: str, name: str) -> str:
            """Run ``code`` then the check cell of ``name`` in the kernel; its verdict."""
            for source in (code, notebook.CHECK.format(name=name)):
                nb.cells.append(nbformat.v4.new_code_cell(source))
                client.execute_cell(nb.cells[-1], len(nb.cells) - 1)
            return shown(nb.cells[-1])

        for exercise in exercises(page):
            name = exercise["name"]
            for code, words in wrong_answers(exercise):
                said = verdict(code, name)
                assert said.startswith("Not yet: ") and words in said, (name, words, said)
            said = verdict(exercise["answer"], name)
            assert said.startswith("Correct: "), (name, said)


def test_the_notebook_shows_the_drawings_and_no_heading_anchor():
    tutorial = next(page for page in PAGES if page.stem == "tutorial")
    cells = notebook.page_notebook(tutorial, drawing=drawing)["cells"]
    pictures = {
        name: cell for cell in cells for name in cell.get("attachments", {}) if "two_node_" in name
    }
    assert set(pictures) == {"two_node_network.svg", "two_node_backprop.svg"}
    svg = pictures["two_node_network.svg"]["attachments"]["two_node_network.svg"]
    assert "image/svg+xml" in svg
    text = "".join("".join(cell["source"]) for cell in cells)
    assert "nanonet-figure" not in text and "{#the-half}" not in text
    assert "## Why the cost has a ½, and how PyTorch differs\n" in text


def test_the_first_cell_says_how_to_install_the_wheel_and_installs_nothing():
    cells = notebook.page_notebook(PAGES[0])["cells"]
    setup = "".join(next(c for c in cells if c["cell_type"] == "code")["source"])
    wheel = notebook.wheel_name()
    assert wheel in setup and "home page" in setup and "pip install nanonet " not in setup
    assert wheel == f"nanonet-{__import__('nanonet').__version__}-py3-none-any.whl"
    namespace: dict = {}
    exec(compile(setup, "setup", "exec"), namespace)  # here nanonet imports: it says so
    assert (ROOT / "docs" / "index.md").read_text().count(f"(downloads/{wheel})") == 1


def test_a_notebook_that_prints_something_else_is_caught(jupyter, tmp_path, outputs_match):
    """The comparison sees a wrong output, and a failing cell stops the run."""
    nbformat, nbclient = jupyter
    page = tmp_path / "page.md"
    page.write_text(
        "---\nrunnable: true\n---\n\n# A page\n\n"
        '```python\nprint(0.1 + 0.2)\n```\n\n```text title="Output"\n0.4\n```\n\n'
        "```python\n1 / 0\n```\n"
    )
    nb = nbformat.reads(notebook.dumps(notebook.page_notebook(page)), as_version=4)
    first = [cell for cell in nb.cells if cell.cell_type == "code"][1]
    assert stdout(first) == "0.4\n"  # the page's output, shown before the run
    client = nbclient.NotebookClient(nb, timeout=60, kernel_name="python3")
    with pytest.raises(nbclient.exceptions.CellExecutionError, match="ZeroDivisionError"):
        client.execute()
    assert stdout(first) == "0.30000000000000004\n"
    assert not outputs_match("0.4", stdout(first))


def test_pages_without_the_mark_get_no_notebook():
    names = {Path(page).stem for page in PAGES}
    assert "performance" not in names and "index" not in names
