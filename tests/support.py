"""What several test files share: paths, page reading, output comparison, skips.

Fixtures live in conftest.py; this module holds plain functions and constants,
imported by name (``from support import ...``), so that no test file imports
another.

* ``ROOT``: the checkout.
* ``outputs_match``: the comparison of printed output that the docs, docstring,
  Pyodide, browser and notebook tests use (numbers with a relative tolerance,
  the rest exact).
* ``PAGES``, ``blocks``, ``runnable``, ``requirements``, ``RUNNABLE``: the docs
  pages as the tests read them: fenced blocks with ``--8<--`` snippets
  resolved, the python blocks the tests run, each with its Output block.
* ``load``: a file that is not a package module (a script of ``examples/``, a
  docs tool or hook), imported by path.
* ``require_or_skip``: skip a test whose optional tools are missing, or fail it
  when CI requires them (``NANONET_REQUIRE_<NAME>=1``).
* ``CHROMIUM``, ``CHROMIUM_ARGS``: the headless Chromium the browser tests drive.
"""

from __future__ import annotations

import importlib.util
import math
import os
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: How far apart two printed numbers may be: the last digits of numpy's exp and
#: tanh and of BLAS reductions depend on the CPU; 1e-9 leaves 6 digits to spare.
RELATIVE_TOLERANCE = 1e-9

# A number as Python and numpy print it; not part of a name such as "x1" or "0.weight".
_NUMBER = re.compile(
    r"(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?(?![\w.])|(?<![\w.])-?(?:inf|nan)\b"
)


def _pieces(text: str) -> tuple[list[str], list[float]]:
    """Split ``text`` into the text around the numbers and the numbers."""
    lines = [line.rstrip() for line in text.splitlines()]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    text = "\n".join(lines)
    return _NUMBER.split(text), [float(number) for number in _NUMBER.findall(text)]


def outputs_match(expected: str, printed: str) -> bool:
    """Whether ``printed`` is ``expected``, up to the last digits of its numbers.

    Every number must agree to a relative tolerance of ``RELATIVE_TOLERANCE``;
    everything else must be identical, indentation and spacing included. Only
    trailing spaces at the ends of lines and blank lines at the start and the
    end are ignored (Markdown editors strip them).
    """
    expected_text, expected_numbers = _pieces(expected)
    printed_text, printed_numbers = _pieces(printed)
    return expected_text == printed_text and all(
        (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=RELATIVE_TOLERANCE)
        for a, b in zip(expected_numbers, printed_numbers, strict=True)
    )


DOCS = ROOT / "docs"
PAGES = sorted(DOCS.rglob("*.md"))
FENCE = re.compile(r"^(?P<indent> *)(?P<fence>```+)(?P<lang>[\w-]*)(?P<attrs>[^\n]*)$")
SNIPPET = re.compile(
    r'^(?P<indent> *)--8<-- "(?P<path>[^":]+)(?::(?P<section>[\w-]+))?"$', re.MULTILINE
)
FRONT_MATTER = re.compile(r"\A---\n(?P<yaml>.*?)\n---\n", re.DOTALL)
REQUIRES = re.compile(r"^requires:\s*\[(?P<names>[^\]]*)\]\s*$", re.MULTILINE)


def snippet(path: str, section: str | None) -> str:
    """The text pymdownx.snippets puts in place of ``--8<-- "path:section"``."""
    lines = (ROOT / path).read_text().splitlines()
    if section:
        start = lines.index(f"# --8<-- [start:{section}]")
        end = lines.index(f"# --8<-- [end:{section}]")
        lines = lines[start + 1 : end]
    return "\n".join(line for line in lines if "--8<-- [" not in line)


TAB = re.compile(r'^=== "(?P<label>[^"]+)"')


def blocks(page: Path) -> list[dict]:
    """The fenced blocks of a page: language, attributes, code, and the content tab it is in."""
    found, lines, i, tab = [], page.read_text().splitlines(), 0, None
    while i < len(lines):
        if TAB.match(lines[i]):
            tab = TAB.match(lines[i])["label"]
        elif lines[i] and not lines[i].startswith(" "):
            tab = None  # text at the margin ends a set of tabs
        match = FENCE.match(lines[i])
        if not match or not match["lang"] and not match["attrs"].strip():
            i += 1
            continue
        indent, fence = len(match["indent"]), match["fence"]
        body, i = [], i + 1
        while not lines[i].strip() == fence:
            body.append(lines[i][indent:])
            i += 1
        code = "\n".join(body)
        if "--8<--" in code:
            code = SNIPPET.sub(lambda m: snippet(m["path"], m["section"]), code)
        in_tab = tab if indent >= 4 else None
        found.append(
            {"lang": match["lang"], "attrs": match["attrs"], "code": code, "line": i, "tab": in_tab}
        )
        i += 1
    return found


def runnable(page: Path) -> list[tuple[dict, dict | None]]:
    """The python blocks the tests run, each with the Output block that follows it (or None)."""
    page_blocks = blocks(page)
    found = []
    for index, block in enumerate(page_blocks):
        if block["lang"] != "python" or ".no-test" in block["attrs"]:
            continue
        following = page_blocks[index + 1] if index + 1 < len(page_blocks) else None
        is_output = following is not None and 'title="Output"' in following["attrs"]
        found.append((block, following if is_output else None))
    return found


def requirements(page: Path) -> list[str]:
    """The modules a page needs beyond nanonet and numpy: its front matter's ``requires: [...]``."""
    front = FRONT_MATTER.match(page.read_text())
    listed = REQUIRES.search(front["yaml"]) if front else None
    return [name.strip() for name in listed["names"].split(",") if name.strip()] if listed else []


def is_runnable(page: Path) -> bool:
    """True if the page's front matter says ``runnable: true`` (it has Run buttons)."""
    front = FRONT_MATTER.match(page.read_text())
    return bool(front and re.search(r"^runnable:\s*true\s*$", front["yaml"], re.MULTILINE))


#: The teaching pages: Run buttons on the site, a notebook to download.
RUNNABLE = [page for page in PAGES if is_runnable(page)]


def load(path: Path) -> ModuleType:
    """Import the Python file at ``path`` as a module of its own.

    It is registered as ``nanonet_<folder>_<stem>`` (``nanonet_tools_notebook``), never
    under its bare stem, which could shadow an installed package (Jupyter's ``notebook``).
    """
    name = f"nanonet_{path.parent.name.lstrip('_')}_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # (dataclasses and pickling look modules up)
    spec.loader.exec_module(module)
    return module


def require_or_skip(what: str, reason: str) -> None:
    """Skip for ``reason``, or fail if ``NANONET_REQUIRE_<WHAT>=1`` says it must run."""
    variable = f"NANONET_REQUIRE_{what.upper()}"
    if os.environ.get(variable) == "1":
        pytest.fail(f"{reason} ({variable}=1)")
    pytest.skip(reason)


CHROMIUM = os.environ.get("NANONET_CHROMIUM", "/usr/bin/chromium")
#: Headless, quiet, and nothing of its own fetched from the network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
