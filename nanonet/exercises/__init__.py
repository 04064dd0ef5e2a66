"""Self-checking exercises: the checkers the docs' Check buttons, notebooks and teachers share.

The docs' teaching pages have exercises with a starter block (code with the
parts to write marked) and a **Check** button; each page's notebook has the
same starter cells, each followed by a check cell. Both call `check` with
the exercise's name, and the checker here looks at the reader's own code:
gradcheck of their layer against finite differences of their own forward,
`nanonet.Trace.check` of a product worked out by hand, shapes, a loss that
must fall, an accuracy on data the checker draws. The verdict starts with
"Correct" (and says what was verified) or "Not yet" (and says what is
wrong, in the reader's terms), and never tells the value the exercise asks
for.

A teacher checks submitted notebooks with
``python -m nanonet.exercises check submission.ipynb [more.ipynb ...]``
(see ``python -m nanonet.exercises check --help``): a verdict per exercise,
each submission in a fresh process with a time limit. Checking runs the
student's code.

Examples:
    >>> from nanonet.exercises import EXERCISES, check
    >>> sorted({exercise.page for exercise in EXERCISES.values()})
    ['batches', 'custom-layers', 'networks', 'tutorial']
    >>> check("chain-rule", {"factors": [...]})
    Not yet: replace the ... in factors with your numbers
"""

from . import _batches, _custom_layers, _networks, _tutorial  # noqa: F401 (they register)
from .registry import EXERCISES, Exercise, Namespace, NotYet, Verdict, check, exercise

#: The teaching pages, in the order of the site: `EXERCISES` is in this order.
PAGES = ("tutorial", "batches", "networks", "custom-layers")
for _name in sorted(EXERCISES, key=lambda name: PAGES.index(EXERCISES[name].page)):
    EXERCISES[_name] = EXERCISES.pop(_name)

__all__ = [
    "EXERCISES",
    "PAGES",
    "Exercise",
    "Namespace",
    "NotYet",
    "Verdict",
    "check",
    "exercise",
]
