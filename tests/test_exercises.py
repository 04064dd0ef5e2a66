"""The self-checking exercises: each checker says "Not yet" to its starter, "Correct" to the answer.

Every exercise of the teaching pages (a starter block marked
``data-exercise="name"``) is run here as the page runs it: the page's blocks
in order, in one namespace, then the starter, then the checker of
``nanonet.exercises``. The unchanged starter must get "Not yet" with a hint,
the answer in the page's answer box (run instead of the starter) "Correct",
and each typical wrong answer of support.WRONG_ANSWERS its own words. No
verdict tells the value an exercise asks for. tests/test_browser.py clicks
the same in Chromium, tests/test_notebooks.py runs the same in Jupyter.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest
from support import ROOT, RUNNABLE, WRONG_ANSWERS, exercises, load, runnable, wrong_answers

from nanonet.exercises import EXERCISES, check

PAGES = {page.stem: page for page in RUNNABLE}
ALL = [(page.stem, exercise) for page in RUNNABLE for exercise in exercises(page)]


def run(code: str, namespace: dict) -> None:
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(code, "<block>", "exec"), namespace)


@functools.cache
def before(page: str) -> dict[str, dict]:
    """Each exercise's namespace: the page's blocks above its starter, run in order.

    They run in a folder of their own: files a page writes land there.
    """
    namespace: dict = {"__name__": "__docs__"}
    found = {}
    starters = {exercise["index"]: exercise["name"] for exercise in exercises(PAGES[page])}
    here = os.getcwd()
    os.chdir(tempfile.mkdtemp(prefix="nanonet-exercises-"))
    try:
        for index, (block, _) in enumerate(runnable(PAGES[page])):
            if index in starters:
                found[starters[index]] = dict(namespace)
            run(block["code"], namespace)
    finally:
        os.chdir(here)
    return found


def verdict_after(page: str, exercise: dict, code: str) -> str:
    namespace = dict(before(page)[exercise["name"]])
    run(code, namespace)
    return str(check(exercise["name"], namespace))


def test_there_are_at_least_ten_exercises_each_with_its_checker_and_wrong_answers():
    names = [exercise["name"] for _, exercise in ALL]
    assert len(names) >= 10 and len(set(names)) == len(names)
    assert set(names) == set(EXERCISES) == set(WRONG_ANSWERS)
    assert {page for page, _ in ALL} == {"tutorial", "batches", "networks", "custom-layers"}
    for page, exercise in ALL:
        assert EXERCISES[exercise["name"]].page == page


@pytest.mark.parametrize("page, exercise", ALL, ids=[e["name"] for _, e in ALL])
def test_the_starter_is_not_yet_and_the_answer_is_correct(page, exercise):
    starter = verdict_after(page, exercise, exercise["starter"])
    assert starter.startswith("Not yet: ") and len(starter) > 40, starter
    answer = verdict_after(page, exercise, exercise["answer"])
    assert answer.startswith("Correct: "), answer


@pytest.mark.parametrize("page, exercise", ALL, ids=[e["name"] for _, e in ALL])
def test_each_typical_wrong_answer_gets_its_own_message(page, exercise):
    for code, words in wrong_answers(exercise):
        verdict = verdict_after(page, exercise, code)
        assert verdict.startswith("Not yet: ") and words in verdict, (words, verdict)


def test_the_chain_rule_verdicts_never_tell_a_factor():
    page, exercise = next((p, e) for p, e in ALL if e["name"] == "chain-rule")
    namespace = dict(before(page)["chain-rule"])
    run(exercise["answer"], namespace)
    factors = namespace["factors"]
    codes = [exercise["starter"], *(code for code, _ in wrong_answers(exercise))]
    for code in codes + ["factors = [1.0, 2.0, 3.0]", "factors = []"]:
        verdict = verdict_after(page, exercise, code)
        for factor in factors:
            if factor not in (0.5, 1.0, 1.5):  # the weights and the input, given
                for digits in (3, 4, 6):
                    shown = re.escape(f"{factor:.{digits}g}")
                    assert not re.search(rf"(?<![\d.]){shown}(?!\d)", verdict), verdict


def test_the_count_of_steps_is_never_told():
    from nanonet.exercises._tutorial import RATES, count_steps

    page, exercise = next((p, e) for p, e in ALL if e["name"] == "steps-to-target")
    counts = [str(count_steps(lr)) for lr in RATES]
    for code in [exercise["starter"], *(code for code, _ in wrong_answers(exercise))]:
        verdict = verdict_after(page, exercise, code)
        assert not any(count in verdict.split() for count in counts), verdict


def test_the_confusion_verdicts_never_tell_the_pair():
    page, exercise = next((p, e) for p, e in ALL if e["name"] == "confusion")
    for code in ["true_digit, read_as = 3, 5", "true_digit, read_as = 0, 9"]:
        verdict = verdict_after(page, exercise, code)
        assert verdict.startswith("Not yet") and "8" not in verdict, verdict


def test_a_verdict_prints_nothing_and_names_what_raised():
    page, exercise = next((p, e) for p, e in ALL if e["name"] == "leaky-relu")
    code = exercise["starter"].replace(
        "        return grad", "        print('debugging')\n        return grad * undefined_name"
    )
    printed = io.StringIO()
    namespace = dict(before(page)["leaky-relu"])
    run(code, namespace)
    with contextlib.redirect_stdout(printed):
        verdict = check("leaky-relu", namespace)
    assert printed.getvalue() == ""
    assert str(verdict) == (
        "Not yet: your backward raised NameError: name 'undefined_name' is not defined"
    )


def test_check_finds_the_callers_globals_and_says_what_is_missing():
    assert str(check("chain-rule", {})) == (
        "Not yet: there is no factors yet: run the block that defines it first"
    )
    factors = [0.1]  # noqa: F841 (check reads it from the caller's namespace)
    assert not check("chain-rule", {"factors": [0.1]})
    with pytest.raises(KeyError, match="no exercise 'nope'"):
        check("nope", {})


def test_checkers_leave_the_readers_objects_as_they_were():
    page, exercise = next((p, e) for p, e in ALL if e["name"] == "find-the-bugs")
    namespace = dict(before(page)["find-the-bugs"])
    run(exercise["answer"], namespace)
    cls = namespace["Affine"]
    assert check("find-the-bugs", namespace)
    assert namespace["Affine"] is cls and np.array_equal(cls(2).a.value, [1.0, 1.0])


def test_exercise_names_are_the_pages_and_the_pages_exist():
    for exercise in EXERCISES.values():
        assert Path(PAGES[exercise.page]).exists()
        assert exercise.title in PAGES[exercise.page].read_text(), exercise.title


# -- the teacher's command: python -m nanonet.exercises check ----------------------------

notebook = load(ROOT / "docs/_tools/notebook.py")


def submission(folder: Path, page: str, filled: dict[str, str], drop_checks=()) -> Path:
    """A student's notebook: the teacher's notebook of ``page``, starters filled in."""
    made = notebook.page_notebook(PAGES[page], teacher=True)
    starters = {e["name"]: e for e in exercises(PAGES[page])}
    cells = []
    for cell in made["cells"]:
        name = cell["metadata"].get("nanonet", {}).get("exercise")
        if name in filled:
            cell["source"] = filled[name].splitlines(keepends=True)
        if cell["metadata"].get("nanonet", {}).get("check") in drop_checks:
            continue
        cells.append(cell)
    made["cells"] = cells
    assert set(filled) <= set(starters)
    path = folder / f"{page}-{len(list(folder.iterdir()))}.ipynb"
    path.write_text(notebook.dumps(made))
    return path


def teacher(*arguments: str, timeout: float = 300) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "nanonet.exercises", *arguments]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=ROOT)


def answer(page: str, name: str) -> str:
    return next(e["answer"] for e in exercises(PAGES[page]) if e["name"] == name)


def test_the_teachers_command_gives_a_verdict_per_exercise_of_each_submission(tmp_path):
    wrong = dict(wrong_answers(next(e for e in exercises(PAGES["custom-layers"])
                                    if e["name"] == "l1-loss")))  # fmt: skip
    l1_code, l1_words = next(iter(wrong.items()))
    good = submission(
        tmp_path,
        "custom-layers",
        {"leaky-relu": answer("custom-layers", "leaky-relu"), "l1-loss": l1_code},
        drop_checks=["find-the-bugs"],  # checked at the end all the same
    )
    untouched = submission(tmp_path, "tutorial", {})
    done = teacher("check", "--json", str(good), str(untouched))
    assert done.returncode == 0, done.stderr
    verdicts = {(Path(v["submission"]).name, v["exercise"]): v for v in json.loads(done.stdout)}
    assert {name for (file, name) in verdicts if file == good.name} == {
        "leaky-relu", "l1-loss", "momentum", "find-the-bugs"
    }  # fmt: skip
    assert verdicts[(good.name, "leaky-relu")]["passed"] is True
    assert verdicts[(good.name, "leaky-relu")]["message"].startswith("Correct: ")
    l1 = verdicts[(good.name, "l1-loss")]
    assert not l1["passed"] and l1["message"].startswith("Not yet: ") and l1_words in l1["message"]
    assert verdicts[(good.name, "find-the-bugs")]["message"].startswith("Not yet: ")
    tutorial = [v for (file, _), v in verdicts.items() if file == untouched.name]
    assert len(tutorial) == 3 and all(v["message"].startswith("Not yet: ") for v in tutorial)

    text = teacher("check", str(good)).stdout
    assert text.startswith(f"{good} : 1 of 4 correct".replace(" :", ":"))
    assert "\n  leaky-relu     Correct: " in text


def test_a_loop_or_a_crash_costs_only_the_exercises_after_it(tmp_path):
    looping = submission(
        tmp_path,
        "custom-layers",
        {
            "leaky-relu": answer("custom-layers", "leaky-relu"),
            "l1-loss": "while True:\n    pass",
        },
    )
    crashing = submission(tmp_path, "batches", {"mse-loss": "import os\nos._exit(3)"})
    fine = submission(tmp_path, "batches", {"batch-linear": answer("batches", "batch-linear")})
    start = time.monotonic()
    done = teacher("check", "--json", "--timeout", "20", str(looping), str(crashing), str(fine))
    assert time.monotonic() - start < 120
    verdicts = {(Path(v["submission"]).name, v["exercise"]): v for v in json.loads(done.stdout)}
    assert verdicts[(looping.name, "leaky-relu")]["passed"] is True  # checked before the loop
    for name in ("l1-loss", "momentum", "find-the-bugs"):
        assert verdicts[(looping.name, name)]["message"] == (
            "Not checked: the submission ran out of time (20 s) before this exercise was checked"
        )
    crashed = verdicts[(crashing.name, "mse-loss")]["message"]
    assert crashed.startswith("Not checked: the submission's process ended (exit status 3)")
    assert verdicts[(fine.name, "batch-linear")]["passed"] is True
    assert verdicts[(fine.name, "mse-loss")]["message"].startswith("Not yet: ")


def test_a_starter_that_raises_is_named_in_its_verdict(tmp_path):
    broken = submission(
        tmp_path,
        "batches",
        {"mse-loss": "from nanonet import Loss\n\nclass MyMSELoss(Loss):\n    1 / 0"},
    )
    done = teacher("check", "--json", str(broken))
    (mse,) = [v for v in json.loads(done.stdout) if v["exercise"] == "mse-loss"]
    assert mse["message"].startswith("Not yet: there is no MyMSELoss yet")
    assert (
        "cell " in mse["message"]
        and "raised ZeroDivisionError: division by zero" in (mse["message"])
    )


def test_the_help_says_that_checking_runs_the_students_code():
    done = teacher("check", "--help")
    text = " ".join(done.stdout.split())
    assert "CHECKING RUNS THE STUDENT'S CODE, as any grader does" in text
    assert "fresh Python process" in text and "time limit" in text
    assert "Check submissions you do not trust in a container" in text
    listed = teacher("list").stdout.splitlines()
    assert [line.split()[1] for line in listed] == list(EXERCISES)
    assert teacher("check", "nope.ipynb").stdout.startswith("nope.ipynb: Not checked: cannot")
