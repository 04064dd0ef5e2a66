"""``python -m nanonet.exercises``: check submitted notebooks, or list the exercises."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import EXERCISES
from ._grading import grade, report, run_submission

DESCRIPTION = """\
Check notebooks that students submitted: the notebooks of nanonet's docs
(the teacher's build, NANONET_TEACHER=1 docs/build, has them without the
answers), with the exercises' starter cells filled in. For each submission,
a verdict per exercise, from the same checkers as the site's Check buttons.

CHECKING RUNS THE STUDENT'S CODE, as any grader does. Each submission runs
in a fresh Python process, in an empty temporary folder, with a time limit,
so that a loop or a crash in one costs nothing else; but its code can do
anything your user can: read and write your files, use the network, start
programs. Check submissions you do not trust in a container or a virtual
machine that holds nothing else. A student who writes code to fool a
checker can fool it: read the code too.
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m nanonet.exercises",
        description="The self-checking exercises of nanonet's docs.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    checking = commands.add_parser(
        "check",
        help="check submitted notebooks (runs the students' code)",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    checking.add_argument("notebooks", nargs="+", type=Path, help="the submitted .ipynb files")
    checking.add_argument(
        "--timeout",
        type=float,
        default=300.0,
        help="seconds each submission may run, all its exercises together (default: 300)",
    )
    checking.add_argument("--json", action="store_true", help="print the verdicts as JSON")
    commands.add_parser("list", help="list the exercises, page by page")
    running = commands.add_parser("_run")  # the child process of `check`: one submission
    running.add_argument("notebook", type=Path)
    running.add_argument("results", type=Path)
    arguments = parser.parse_args(argv)

    if arguments.command == "_run":
        run_submission(arguments.notebook, arguments.results)
        return 0
    if arguments.command == "list":
        for name, exercise in EXERCISES.items():
            print(f"{exercise.page:14} {name:16} {exercise.title}")
        return 0
    if arguments.timeout <= 0:
        parser.error("--timeout must be a positive number of seconds")
    everything = []
    for path in arguments.notebooks:
        verdicts = grade(path, arguments.timeout)
        if arguments.json:
            everything += [{"submission": str(path), **verdict} for verdict in verdicts]
        else:
            print(report(path, verdicts), flush=True)
    if arguments.json:
        print(json.dumps(everything, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
