"""Each teaching page's notebook runs top to bottom in a fresh kernel and prints its outputs.

docs/_tools/notebook.py makes a notebook of every page marked ``runnable:
true``, as the docs build does for the site's download links. Here each is
written to a temporary folder, validated against the nbformat schema, run
in a new kernel (nbclient and ipykernel, the ``notebooks`` extra; figures
headless, with matplotlib's Agg backend), and every cell that shows an
output on the page must print that output again (support.outputs_match)
without an error.

Without the ``notebooks`` extra these tests skip, unless
NANONET_REQUIRE_NOTEBOOKS=1 (as in CI): then they fail.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support import ROOT, RUNNABLE, load, require_or_skip

notebook = load(ROOT / "docs/_tools/notebook.py")

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


def test_the_teaching_pages_have_notebooks():
    assert {page.stem for page in PAGES} >= {"tutorial", "batches", "custom-layers"}


@pytest.mark.parametrize("page", PAGES, ids=[page.stem for page in PAGES])
def test_the_notebook_runs_top_to_bottom_and_prints_the_pages_outputs(
    page, jupyter, tmp_path, monkeypatch, outputs_match
):
    nbformat, nbclient = jupyter
    path = tmp_path / f"{page.stem}.ipynb"
    path.write_text(notebook.dumps(notebook.page_notebook(page)))
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    shown = [stdout(cell) for cell in nb.cells if cell.cell_type == "code"]

    monkeypatch.setenv("MPLBACKEND", "Agg")  # the kernel draws figures headless
    monkeypatch.chdir(tmp_path)  # files a page writes land here
    client = nbclient.NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()  # raises CellExecutionError, with the traceback, if a cell fails

    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert len(code) == len(shown) > 0
    for number, (cell, expected) in enumerate(zip(code, shown, strict=True), start=1):
        where = f"{page.name}, code cell {number}:\n{cell.source}"
        kinds = {(output["output_type"], output.get("name")) for output in cell.outputs}
        assert kinds <= {("stream", "stdout")}, f"{where}\nshows {kinds}"
        if expected:
            assert outputs_match(expected, stdout(cell)), f"{where}\nprinted\n{stdout(cell)}"
        else:  # the page shows no output for this block, and it prints none
            assert stdout(cell) == "", f"{where}\nprinted\n{stdout(cell)}"


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
    first = [cell for cell in nb.cells if cell.cell_type == "code"][0]
    assert stdout(first) == "0.4\n"  # the page's output, shown before the run
    client = nbclient.NotebookClient(nb, timeout=60, kernel_name="python3")
    with pytest.raises(nbclient.exceptions.CellExecutionError, match="ZeroDivisionError"):
        client.execute()
    assert stdout(first) == "0.30000000000000004\n"
    assert not outputs_match("0.4", stdout(first))


def test_pages_without_the_mark_get_no_notebook():
    names = {Path(page).stem for page in PAGES}
    assert "performance" not in names and "index" not in names
