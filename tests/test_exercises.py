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
import re
from pathlib import Path

import numpy as np
import pytest
from support import RUNNABLE, WRONG_ANSWERS, exercises, runnable, wrong_answers

from nanonet.exercises import EXERCISES, check

PAGES = {page.stem: page for page in RUNNABLE}
ALL = [(page.stem, exercise) for page in RUNNABLE for exercise in exercises(page)]


def run(code: str, namespace: dict) -> None:
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(code, "<block>", "exec"), namespace)


@functools.cache
def before(page: str) -> dict[str, dict]:
    """Each exercise's namespace: the page's blocks above its starter, run in order."""
    namespace: dict = {"__name__": "__docs__"}
    found = {}
    starters = {exercise["index"]: exercise["name"] for exercise in exercises(PAGES[page])}
    for index, (block, _) in enumerate(runnable(PAGES[page])):
        if index in starters:
            found[starters[index]] = dict(namespace)
        run(block["code"], namespace)
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
