"""Check submitted notebooks on the teacher's machine: ``python -m nanonet.exercises check``.

Each submission (a notebook of the docs, its starters filled in) runs in a
fresh Python process, in an empty folder, with a time limit: its code
cells in order, the answers at its end left out, and at each check cell
(``check("name")``) Check's own checker, whatever the cell now holds. An
exercise whose check cell is gone is checked at the end. The process writes
each verdict as it comes to a file, so a loop or a crash costs only the
exercises after it, and nothing of the other submissions.

Checking runs the student's code, as any grader does.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Any

from .registry import EXERCISES, check

#: A check cell's call, when its metadata is gone.
CHECK_CALL = re.compile(r"""\bcheck\(\s*["'](?P<name>[\w-]+)["']""")
#: An IPython line (``%pip install ...``, ``!ls``): not Python, not run.
MAGIC = re.compile(r"^(\s*)[%!]")


def read(path: Path) -> dict[str, Any]:
    """The notebook at ``path``, as JSON; ValueError if it is not one."""
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"cannot read {path} as a notebook: {error}") from None
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        raise ValueError(f"{path} is not a Jupyter notebook (no list of cells)")
    return notebook


def _source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _tags(cell: dict[str, Any]) -> list[str]:
    tags = cell.get("metadata", {}).get("tags", [])
    return tags if isinstance(tags, list) else []


def check_of(cell: dict[str, Any]) -> str | None:
    """The exercise a code cell checks, if it is a check cell."""
    name = cell.get("metadata", {}).get("nanonet", {}).get("check")
    if name in EXERCISES:
        return str(name)
    found = CHECK_CALL.search(_source(cell))
    return found["name"] if found and found["name"] in EXERCISES else None


def expected(notebook: dict[str, Any]) -> list[str]:
    """The exercises a submission is checked on: its page's, and any its check cells name."""
    page = notebook.get("metadata", {}).get("nanonet", {}).get("page")
    names = [name for name, exercise in EXERCISES.items() if exercise.page == page]
    for cell in notebook["cells"]:
        name = check_of(cell) if cell.get("cell_type") == "code" else None
        if name and name not in names:
            names.append(name)
    return names


def run_submission(path: Path, results: Path) -> None:
    """Run one submission's cells and write each verdict to ``results``: in the child process."""
    notebook = read(path)
    names = expected(notebook)
    namespace: dict[str, Any] = {"__name__": "__main__"}
    problem = ""  # the last error since the last check

    def write(name: str) -> None:
        verdict = check(name, namespace)
        message = verdict.message
        if problem and not verdict.passed:
            message += f" ({problem})"
        line = {"exercise": name, "passed": verdict.passed, "message": message}
        with results.open("a", encoding="utf-8") as file:
            file.write(json.dumps(line) + "\n")
        if name in names:
            names.remove(name)

    for number, cell in enumerate(notebook["cells"], start=1):
        if cell.get("cell_type") != "code" or "answer" in _tags(cell):
            continue
        name = check_of(cell)
        if name:
            write(name)
            problem = ""
            continue
        code = "\n".join(MAGIC.sub(r"\1pass  # ", line) for line in _source(cell).splitlines())
        try:
            with (
                contextlib.redirect_stdout(io.StringIO()),
                contextlib.redirect_stderr(io.StringIO()),
                warnings.catch_warnings(),
            ):
                warnings.simplefilter("ignore")
                exec(compile(code, f"cell {number}", "exec"), namespace)
        except (Exception, SystemExit) as error:  # sys.exit() in a cell ends that cell only
            text = str(error).strip().splitlines()
            problem = f"cell {number} raised {type(error).__name__}" + (
                f": {text[0]}" if text else ""
            )
    for name in list(names):
        write(name)


def grade(path: Path, timeout: float) -> list[dict[str, Any]]:
    """Check one submission in a fresh process: a verdict per exercise."""
    try:
        names = expected(read(path))
    except ValueError as error:
        return [{"exercise": "", "passed": False, "message": f"Not checked: {error}"}]
    with tempfile.TemporaryDirectory(prefix="nanonet-check-") as folder:
        results = Path(folder) / "verdicts.jsonl"
        results.touch()
        work = Path(folder) / "work"
        work.mkdir()
        submission = str(path.resolve())
        command = [sys.executable, "-m", "nanonet.exercises", "_run", submission, str(results)]
        env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONDONTWRITEBYTECODE": "1"}
        process = subprocess.Popen(
            command,
            cwd=work,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,  # its own process group: a timeout ends its children too
        )
        try:
            _, errors = process.communicate(timeout=timeout)
            why = f"the submission's process ended (exit status {process.returncode})"
            last = errors.decode(errors="replace").strip().splitlines()
            if last:
                why += f": {last[-1]}"
        except subprocess.TimeoutExpired:
            _kill(process)
            why = f"the submission ran out of time ({timeout:g} s)"
        found = [json.loads(line) for line in results.read_text().splitlines() if line]
    checked = {verdict["exercise"] for verdict in found}
    for name in names:
        if name not in checked:
            message = f"Not checked: {why} before this exercise was checked"
            found.append({"exercise": name, "passed": False, "message": message})
    return found


def _kill(process: subprocess.Popen) -> None:
    """End a submission's process and every process it started."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.kill()
    process.communicate()


def report(path: Path, verdicts: list[dict[str, Any]]) -> str:
    """The verdicts of one submission as text, one line per exercise."""
    if len(verdicts) == 1 and not verdicts[0]["exercise"]:  # the file could not be read
        return f"{path}: {verdicts[0]['message']}"
    passed = sum(verdict["passed"] for verdict in verdicts)
    width = max((len(verdict["exercise"]) for verdict in verdicts), default=0)
    lines = [f"{path}: {passed} of {len(verdicts)} correct"]
    lines += [f"  {v['exercise'].ljust(width)}  {v['message']}" for v in verdicts]
    return "\n".join(lines)
