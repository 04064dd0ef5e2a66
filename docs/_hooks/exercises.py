"""MkDocs hook: the teacher's build, ``NANONET_TEACHER=1 docs/build``: no answers.

The teaching pages' exercises have their answers in collapsed boxes
(``??? success "Answer"``). A teacher who sets them as work builds the site
with ``NANONET_TEACHER=1``: this hook takes every answer box out of the
pages, and docs/_hooks/notebooks.py out of the notebooks; everything else is
the same. The Check buttons still work: their checkers (``nanonet.exercises``)
look at what the reader's code does, and hold no answer to compare with.
They ship with the page, so they are for learning, not for marks: marks come
from ``python -m nanonet.exercises check`` on the teacher's machine.
"""

from __future__ import annotations

import importlib.util
import logging
import os
from pathlib import Path

TOOLS = Path(__file__).resolve().parent.parent / "_tools" / "notebook.py"
spec = importlib.util.spec_from_file_location("notebook", TOOLS)
notebook = importlib.util.module_from_spec(spec)
spec.loader.exec_module(notebook)

log = logging.getLogger("mkdocs.hooks.exercises")


def teacher() -> bool:
    """Whether this is the teacher's build (NANONET_TEACHER=1)."""
    return os.environ.get("NANONET_TEACHER") == "1"


def on_pre_build(config, **kwargs):
    if teacher():
        log.info("The teacher's build (NANONET_TEACHER=1): pages and notebooks without answers")


def on_page_markdown(markdown, page, **kwargs):
    return notebook.strip_answers(markdown) if teacher() else markdown
