"""Exercises that check the reader's own code: the registry of checkers, and their verdicts.

An exercise of the docs has a starter block, code with the parts to write
marked, and a checker here, which the page's **Check** button, a
notebook's check cell and the teacher's command (``python -m
nanonet.exercises check``) all run in the same way: `check` takes the
exercise's name and the namespace the reader's code ran in, and returns a
`Verdict`.

A checker works from the math, never from a stored answer: it runs
`nanonet.gradcheck` on the reader's layer against finite differences of the
reader's own forward, `nanonet.Trace.check` on a product worked out by hand,
checks shapes, trains on data it draws itself. It says what is wrong in the
reader's terms by raising `NotYet`, or returns what it verified; it never
tells the value the exercise asks for.
"""

from __future__ import annotations

import contextlib
import inspect
import io
import os
import sys
import traceback
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from ..layer import Layer
from ..loss import Loss
from ..optim.optimizer import Optimizer


class NotYet(Exception):
    """Raised by a checker: what is wrong with the reader's answer, in the reader's terms.

    Examples:
        >>> try:
        ...     raise NotYet("backward returns the input's gradient unchanged")
        ... except NotYet as error:
        ...     print(error)
        backward returns the input's gradient unchanged
    """


class Verdict:
    """The result of checking one exercise: passed or not, and a sentence saying why.

    The message starts with "Correct" (and says what was verified) or with
    "Not yet" (and says what is wrong). A verdict is true when it passed;
    it prints, and shows in Jupyter, as its message.

    Attributes:
        exercise (str): The exercise's name.
        passed (bool): Whether the answer is right.
        message (str): The sentence for the reader.

    Examples:
        >>> verdict = Verdict("leaky-relu", False, "Not yet: backward ignores grad")
        >>> bool(verdict), verdict
        (False, Not yet: backward ignores grad)
        >>> verdict.as_dict()
        {'passed': False, 'message': 'Not yet: backward ignores grad'}
    """

    def __init__(self, exercise: str, passed: bool, message: str) -> None:
        self.exercise, self.passed, self.message = exercise, passed, message

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return self.message

    def as_dict(self) -> dict[str, Any]:
        """``{"passed": ..., "message": ...}``: what the page's Check button shows."""
        return {"passed": self.passed, "message": self.message}


Checker = Callable[["Namespace"], str]


class Exercise:
    """One self-checking exercise: its name, its page, its title and its checker.

    Attributes:
        name (str): How the page, the notebook and `check` name it
            (``"leaky-relu"``).
        page (str): The docs page it is on (``"custom-layers"``).
        title (str): Its title on the page.
        checker (Callable): Takes a `Namespace`; returns what it verified,
            or raises `NotYet`.
        trains (bool): Whether the checker trains a network (it then takes
            longer than a second).

    Examples:
        >>> from nanonet.exercises import EXERCISES
        >>> EXERCISES["leaky-relu"].page
        'custom-layers'
    """

    def __init__(self, name: str, page: str, title: str, checker: Checker, trains: bool) -> None:
        self.name, self.page, self.title = name, page, title
        self.checker, self.trains = checker, trains

    def __repr__(self) -> str:
        return f"Exercise({self.name!r}, page={self.page!r})"


#: Every exercise, by name, in the order of the pages.
EXERCISES: dict[str, Exercise] = {}


def exercise(
    name: str, page: str, title: str, trains: bool = False
) -> Callable[[Checker], Checker]:
    """Register a checker as the exercise ``name`` of ``page``.

    Examples:
        >>> @exercise("double", page="examples", title="Double it")
        ... def double(reader):
        ...     if reader.value("y") != 2 * reader.value("x"):
        ...         raise NotYet("y is not twice x")
        ...     return "y is twice x"
        >>> check("double", {"x": 1.5, "y": 3.0})
        Correct: y is twice x
        >>> check("double", {"x": 1.5, "y": 2.0})
        Not yet: y is not twice x
        >>> del EXERCISES["double"]
    """

    def register(checker: Checker) -> Checker:
        if name in EXERCISES:
            raise ValueError(f"there is already an exercise named {name!r}")
        EXERCISES[name] = Exercise(name, page, title, checker, trains)
        return checker

    return register


def check(name: str, namespace: dict[str, Any] | None = None) -> Verdict:
    """Check the exercise ``name`` against the reader's code, which ran in ``namespace``.

    In a notebook, ``check("leaky-relu")`` checks the names the notebook
    defined (the caller's globals). What the reader's code prints while it
    is checked is not shown, and warnings are silenced.

    Args:
        name: The exercise's name, as in `EXERCISES`.
        namespace: The names the reader's code defined; the caller's
            globals if None.

    Returns:
        The `Verdict`.

    Raises:
        KeyError: If there is no exercise ``name`` (the message lists them).

    Examples:
        >>> from nanonet.exercises import check
        >>> check("leaky-relu", {})
        Not yet: there is no LeakyReLU yet: run the block that defines it first
    """
    if name not in EXERCISES:
        raise KeyError(f"there is no exercise {name!r}; there are {', '.join(EXERCISES)}")
    if namespace is None:
        frame = inspect.currentframe()
        namespace = frame.f_back.f_globals if frame and frame.f_back else {}
    printed = io.StringIO()
    try:
        with (
            contextlib.redirect_stdout(printed),
            warnings.catch_warnings(),
            np.errstate(all="ignore"),
        ):
            warnings.simplefilter("ignore")
            verified = EXERCISES[name].checker(Namespace(namespace))
    except NotYet as error:
        return Verdict(name, False, f"Not yet: {error}")
    except Exception as error:
        return Verdict(name, False, f"Not yet: {_raised(error)}")
    return Verdict(name, True, f"Correct: {verified}")


def _raised(error: Exception) -> str:
    """``"your backward raised ValueError: ..."``: the reader's function that raised, if any."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    where = ""
    for frame in traceback.extract_tb(error.__traceback__):
        outside = not os.path.abspath(frame.filename).startswith(package)
        if outside and "site-packages" not in frame.filename and not _stdlib(frame.filename):
            where = frame.name
    who = f"your {where}" if where and where != "<module>" else "your code"
    text = str(error).strip().splitlines()
    return f"{who} raised {type(error).__name__}" + (f": {text[0]}" if text else "")


def _stdlib(filename: str) -> bool:
    return filename.startswith((sys.prefix, sys.base_prefix)) and filename.endswith(".py")


class Namespace:
    """The names the reader's code defined, as a checker asks for them.

    Each method returns the value, or raises `NotYet` saying what is missing
    in the reader's terms.

    Examples:
        >>> reader = Namespace({"factors": [1.0, 2.0]})
        >>> reader.numbers("factors")
        [1.0, 2.0]
        >>> try:
        ...     reader.value("model")
        ... except NotYet as error:
        ...     print(error)
        there is no model yet: run the block that defines it first
    """

    def __init__(self, names: dict[str, Any]) -> None:
        self.names = names

    def value(self, name: str) -> Any:
        """The value named ``name``."""
        if name not in self.names:
            raise NotYet(f"there is no {name} yet: run the block that defines it first")
        return self.names[name]

    def subclass(self, name: str, base: type) -> Any:
        """The class named ``name``, which must be a subclass of ``base`` (Layer, Loss, ...)."""
        found = self.value(name)
        if not (isinstance(found, type) and issubclass(found, base)):
            raise NotYet(f"{name} must be a class that subclasses {base.__name__}")
        return found

    def layer_class(self, name: str) -> Any:
        """The reader's layer class ``name`` (its constructor is theirs: typed Any)."""
        return self.subclass(name, Layer)

    def loss_class(self, name: str) -> Any:
        return self.subclass(name, Loss)

    def optimizer_class(self, name: str) -> Any:
        return self.subclass(name, Optimizer)

    def function(self, name: str) -> Callable[..., Any]:
        found = self.value(name)
        if not callable(found):
            raise NotYet(f"{name} must be a function")
        return found

    def numbers(self, name: str) -> list[float]:
        """A list of numbers: no ``...`` left in it."""
        found = self.value(name)
        if found is Ellipsis:
            raise NotYet(f"replace the ... in {name} with your numbers")
        try:
            items = list(found)
        except TypeError:
            raise NotYet(f"{name} must be a list of numbers") from None
        if any(item is Ellipsis for item in items):
            raise NotYet(f"replace the ... in {name} with your numbers")
        numbers = []
        for item in items:
            try:
                numbers.append(float(item))
            except (TypeError, ValueError):
                raise NotYet(f"{name} must hold numbers only, but it holds {item!r}") from None
        if not all(np.isfinite(numbers)):
            raise NotYet(f"{name} holds inf or NaN: each factor is a finite number")
        return numbers
