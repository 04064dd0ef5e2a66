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

import ast
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from support import (
    ROOT,
    RUNNABLE,
    check_code,
    exercises,
    load,
    outputs_match,
    require_or_skip,
    runnable,
    wrong_answers,
)

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
            assert lines(result["stdout"]) == lines(output["code"]), (
                f"{where}: printed in Pyodide\n{result['stdout']}\nexpected\n{output['code']}\n"
                "Every digit must agree; where the build's numpy prints other last digits, "
                "print fewer digits there."
            )
            assert outputs_match(output["code"], result["stdout"])  # and so, to a tolerance


def test_every_exercise_checks_in_pyodide_as_in_python(run_in_pyodide):
    """The Check button's code, after the starter, a wrong answer and the answer, in Pyodide."""
    pages, expected = [], []
    for page in RUNNABLE:
        found = {exercise["index"]: exercise for exercise in exercises(page)}
        codes: list[str] = []
        for index, (block, _) in enumerate(runnable(page)):
            exercise = found.get(index)
            if exercise is None:
                codes.append(block["code"])
                continue
            check = "#check\n" + check_code(exercise["name"])
            wrong, words = wrong_answers(exercise)[0]
            for code, verdict in (
                (block["code"], "Not yet: "),
                (wrong, words),
                (exercise["answer"], "Correct: "),
            ):
                codes += [code, check]
                expected.append((exercise["name"], len(pages), len(codes) - 1, verdict))
        pages.append(codes)
    results = run_in_pyodide(pages)
    assert len(expected) >= 30
    for name, page, index, verdict in expected:
        result = results[page][index]
        assert verdict in result["message"], (name, verdict, result)
        assert result["passed"] is (verdict == "Correct: "), (name, result)
        assert result["message"].startswith(("Correct: ", "Not yet: ")), (name, result)


def lines(text: str) -> list[str]:
    """Text as a Markdown page keeps it: no trailing spaces, no blank lines at either end."""
    return "\n".join(line.rstrip() for line in text.splitlines()).strip("\n").splitlines()


def test_runner_reports_errors_pictures_input_and_values(run_in_pyodide):
    """A traceback names the block and quotes its line; pictures are shown; input() says why not."""
    first, second = run_in_pyodide(
        [
            ["x = 1", "print(x, end='')", "1 / (x - 1)", "x + 1", "name = input('Name? ')"],
            [
                "print(x)",
                "from nanonet import Linear, Sigmoid, Sequential, draw\n"
                "model = Sequential(Linear(2.0), Sigmoid())\n"
                "drawing = draw(model, 1.0)\nprint(drawing)",
                "draw(model, 1.0, 0.5)",
                "from nanonet import History, MSELoss\nhistory = History(model)\n"
                "history.record(MSELoss()(model(1.0), 0.5), output=model(1.0))\n"
                "history.plot(target=0.7)",
                "import matplotlib.pyplot as plt\nplt.plot([1, 2]); plt.title('one'); plt.show()\n"
                "plt.plot([2, 1]); plt.title('two')",
                "#check\nmodel[0].weight.value == 2.0",
                "#check\n'the weight should be 3' if model[0].weight.value != 3 else True",
            ],
        ]
    )
    assert first[1]["stdout"] == "1" and first[1]["status"] == "ok"
    assert first[2]["status"] == "error"
    traceback = first[2]["text"].splitlines()
    assert traceback[0] == "Traceback (most recent call last):"
    assert traceback[1:3] == ['  File "code block 3", line 1, in <module>', "    1 / (x - 1)"]
    assert traceback[-1] == "ZeroDivisionError: division by zero"
    assert first[3]["value"] == 2  # the last line's value, for a Check button or a playground
    assert first[4]["stdout"] == "Name? "
    assert first[4]["text"].splitlines()[-1].startswith("OSError: input() cannot read")

    assert "NameError: name 'x' is not defined" in second[0]["text"]  # each page starts afresh
    # A drawing assigned to a name, and one that is the block's last value: SVG.
    assert second[1]["stdout"] == "Drawing('Sequential: x → y0 → y1')\n"
    assert [picture["kind"] for picture in second[1]["pictures"]] == ["svg"]
    assert second[2]["pictures"][0]["kind"] == "svg" and "C" in second[2]["pictures"][0]["alt"]
    # matplotlib is loaded for a block that needs it, even through nanonet (History.plot).
    (plot,) = second[3]["pictures"]
    assert second[3]["status"] == "ok", second[3]["text"]
    assert plot["kind"] == "png" and plot["width"] == 12 * 96  # History.plot's 12 inches
    assert "Iteration number" in plot["alt"] and "target" in plot["alt"]
    # plt.show() shows what is drawn so far; the end of the block shows the rest.
    assert [picture["alt"].split(": ")[-1] for picture in second[4]["pictures"]] == ["one", "two"]
    assert second[5] == {"stdout": "", "passed": True, "message": ""}
    assert second[6] == {"stdout": "", "passed": False, "message": "the weight should be 3"}


def test_runner_says_which_optional_packages_a_block_needs():
    """runner.needs reads the code (no Pyodide needed: it is plain Python)."""
    source = (ROOT / "docs/run/runner.py").read_text()
    tree = ast.parse(source)
    namespace: dict = {"__name__": "runner_needs"}
    wanted = {"OPTIONAL", "PLOTTING_METHODS", "needs", "_installed"}
    for node in tree.body:
        names = {getattr(node, "name", None)} | {
            target.id for target in getattr(node, "targets", []) if isinstance(target, ast.Name)
        }
        if names & wanted or isinstance(node, (ast.Import, ast.ImportFrom)):
            exec(compile(ast.Module([node], []), "runner.py", "exec"), namespace)
    needs = namespace["needs"]
    namespace["_installed"] = lambda package: False  # as in a fresh page
    assert needs("import matplotlib.pyplot as plt") == ["matplotlib"]
    assert needs("from matplotlib import pyplot") == ["matplotlib"]
    assert needs("history.plot(target=0.7)") == ["matplotlib"]
    assert needs("import numpy as np\nprint(np.pi)") == []
    assert needs("this is not Python") == []


def test_the_runner_draws_in_the_docs_figure_colours():
    """runner.THEMES and examples/docs_figures.THEMES: the same colours, light and dark."""
    source = (ROOT / "docs/run/runner.py").read_text()
    (assignment,) = [
        node
        for node in ast.parse(source).body
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "THEMES"
    ]
    runner_themes = ast.literal_eval(assignment.value)
    figures = load(ROOT / "examples/docs_figures.py")
    for theme, colours in figures.THEMES.items():
        assert runner_themes[theme] == {key: colours[key] for key in ("text", "grid", "lines")}
