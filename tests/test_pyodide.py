"""The docs' Run buttons: every runnable block runs in Pyodide and prints its Output.

The in-page Python is Pyodide, run in the reader's browser. Here the same
runtime files (the cache that docs/_tools/fetch_runtime.py fills and the docs
build copies into the site) run under Node, with the same runner
(docs/run/runner.py), every runnable block of every page marked
``runnable: true``, in page order, one namespace per page, and each printed
output is compared with the page's static Output block, as the docs tests
compare them (support.outputs_match).

Without the runtime cache or Node these tests skip, unless
NANONET_REQUIRE_PYODIDE=1 (as in CI): then they fail.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from support import ROOT, RUNNABLE, load, outputs_match, require_or_skip, runnable

fetch_runtime = load(ROOT / "docs/_tools/fetch_runtime.py")

pytestmark = pytest.mark.pyodide


@pytest.fixture(scope="module")
def run_in_pyodide(tmp_path_factory):
    """A function that runs pages of code blocks in Pyodide under Node.

    It takes a list of pages, each a list of blocks' code, and returns, for
    each page, each block's ``{"stdout", "status", "text"}``.
    """
    if fetch_runtime.verify() is None:
        require_or_skip("pyodide", "no Pyodide runtime: run python docs/_tools/fetch_runtime.py")
    node = shutil.which("node")
    if node is None:
        require_or_skip("pyodide", "Node is not installed")
    wheel = fetch_runtime.build_nanonet_wheel(tmp_path_factory.mktemp("wheel"))

    def run(pages: list[list[str]]) -> list[list[dict]]:
        job = {
            "runtime": str(fetch_runtime.CACHE),
            "packages": fetch_runtime.PACKAGES,
            "wheel": str(wheel),
            "runner": str(ROOT / "docs/run/runner.py"),
            "pages": pages,
        }
        done = subprocess.run(
            [node, str(ROOT / "tests/pyodide_run.cjs")],
            input=json.dumps(job),
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(done.stdout)

    return run


@pytest.fixture(scope="module")
def pyodide_results(run_in_pyodide) -> dict[Path, list[dict]]:
    """Every runnable page's blocks, run in Pyodide once for all tests."""
    pages = [[block["code"] for block, _ in runnable(page)] for page in RUNNABLE]
    return dict(zip(RUNNABLE, run_in_pyodide(pages), strict=True))


def test_the_teaching_pages_are_runnable():
    names = {page.stem for page in RUNNABLE}
    assert {"tutorial", "batches", "custom-layers"} <= names
    for page in RUNNABLE:
        assert runnable(page), f"{page.name} is marked runnable but has no python block"


@pytest.mark.parametrize("page", RUNNABLE, ids=[page.stem for page in RUNNABLE])
def test_runnable_blocks_print_their_outputs_in_pyodide(page, pyodide_results):
    results = pyodide_results[page]
    for (block, output), result in zip(runnable(page), results, strict=True):
        where = f"{page.name}, block ending at line {block['line']}"
        assert result["status"] == "ok", f"{where}: {result['text']}"
        if output is not None:
            assert outputs_match(output["code"], result["stdout"]), (
                f"{where}: printed in Pyodide\n{result['stdout']}\nexpected\n{output['code']}"
            )


def test_runner_reports_errors_and_missing_matplotlib(run_in_pyodide):
    """A traceback names the block and quotes its line; a figure gets a note."""
    first, second = run_in_pyodide(
        [
            ["x = 1", "print(x, end='')", "1 / (x - 1)"],
            ["print(x)", "import matplotlib.pyplot", "import nanonet; print(nanonet.Linear(0.5))"],
        ]
    )
    assert first[1] == {"stdout": "1", "status": "ok", "text": ""}
    assert first[2]["status"] == "error"
    traceback = first[2]["text"].splitlines()
    assert traceback[0] == "Traceback (most recent call last):"
    assert traceback[1:3] == ['  File "code block 3", line 1, in <module>', "    1 / (x - 1)"]
    assert traceback[-1] == "ZeroDivisionError: division by zero"
    assert "NameError: name 'x' is not defined" in second[0]["text"]  # each page starts afresh
    assert second[1]["status"] == "note" and "matplotlib" in second[1]["text"]
    assert second[2]["stdout"] == "Linear(weight=0.5)\n"
