"""Turn a teaching page of the docs into a Jupyter notebook.

A page marked ``runnable: true`` in its front matter reads like a notebook
already: prose, then code, then what the code printed. `page_notebook`
makes that a real one (nbformat 4.5, written by hand: it is plain JSON):

- every ``python`` block the docs tests run becomes a code cell, in page
  order (a block marked ``{.no-test}`` stays in the prose, as code to read);
- the ``text`` block titled "Output" after it becomes the cell's output, so
  the notebook shows its outputs before anyone runs it, as the chapter's
  notebook does;
- the prose between them becomes Markdown cells, with the site's own syntax
  made plain Markdown: ``--8<--`` snippets are resolved as
  pymdownx.snippets resolves them, a tab (``=== "By hand"``) or an
  admonition (``!!! note "Title"``) becomes its title in bold followed by
  its content, a definition list a bulleted list, a link to another page of
  the site its text, a heading loses its ``{#anchor}``, and a figure, or a
  network drawing (``<div class="nanonet-figure" data-drawing=...>``), is
  embedded in the notebook (an attachment). Math stays LaTeX between ``$``,
  which Jupyter renders;
- the first code cell checks that nanonet can be imported, and if not, says
  how to install the wheel the site offers for download (nanonet is not on
  PyPI: no cell installs anything);
- an exercise's starter block (``{data-exercise="name"}``) is followed by a
  check cell, ``check("name")`` from `nanonet.exercises`, which gives the
  verdict the page's Check button gives;
- the answers (``??? success "Answer"`` boxes) are gathered at the end of
  the notebook, collapsed (the cell metadata ``jupyter.source_hidden`` and
  ``outputs_hidden``, which JupyterLab and Notebook 7 honour), without
  outputs: no answer is printed after its question. The teacher's
  notebook (``teacher=True``, ``NANONET_TEACHER=1 docs/build``) has none.

The docs build (docs/_hooks/notebooks.py) adds the notebooks to the site,
and tests/test_notebooks.py runs them. Stdlib only.
"""

from __future__ import annotations

import base64
import json
import mimetypes
import posixpath
import re
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)
FENCE = re.compile(r"^(?P<indent> *)(?P<fence>```+)(?P<lang>[\w-]*)(?P<attrs>[^\n]*)$")
SNIPPET = re.compile(r'^(?P<indent> *)--8<-- "(?P<path>[^":]+)(?::(?P<section>[\w-]+))?"$')
TAB = re.compile(r'^=== "(?P<title>[^"]*)"\s*$')
ADMONITION = re.compile(r'^(?:!!!|\?\?\?\+?) (?P<kind>[\w-]+)(?: "(?P<title>[^"]*)")?\s*$')
DEFINITION = re.compile(r"^:   (?P<text>.*)$")
IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?P<path>[^)\s#]+)(?:#(?P<only>[\w-]+))?\)")
LINK = re.compile(r"(?<!!)\[(?P<text>[^\]]+)\]\((?P<url>[^)\s]+)\)")
DRAWING = re.compile(r'<div class="nanonet-figure" data-drawing="(?P<name>[\w-]+)"></div>')
HEADING_ATTRIBUTES = re.compile(r"^(?P<heading>#+ .*?)\s*\{[#:.][^}]*\}\s*$")
EXERCISE = re.compile(r'data-exercise="(?P<name>[\w-]+)"')
ANSWER = re.compile(r'^(?P<indent> *)\?\?\?\+? success "Answer"\s*$')
QUESTION = re.compile(r'^ *(?:!!!|\?\?\?\+?) question "(?P<title>[^"]*)"')
VERSION = re.compile(r'^__version__ = "(?P<version>[^"]+)"$', re.MULTILINE)

#: What the notebook says first, under the page's title.
INTRO = (
    "*This notebook is the page “{title}” of nanonet's docs, with its code as cells "
    "and the outputs the code prints. Run it top to bottom where nanonet is installed: "
    "the first cell checks that it is.*"
)
#: What it says about its exercises, if it has any.
EXERCISES = (
    "*Each exercise's starter cell is followed by a check cell: edit the starter, run "
    "it, then run the check cell, which gives the verdict the site's Check button gives. "
    "The answers are at the end, collapsed.*"
)


def wheel_name() -> str:
    """The file name of the wheel of this checkout's nanonet: nanonet-0.2.0-py3-none-any.whl."""
    found = VERSION.search((ROOT / "nanonet" / "__init__.py").read_text())
    assert found, "nanonet/__init__.py has no __version__"
    return f"nanonet-{found['version']}-py3-none-any.whl"


#: The first code cell: nanonet must be importable; if not, how to install it.
SETUP = """try:
    import nanonet
except ModuleNotFoundError:
    print(
        "nanonet is not installed in this Python. Download its wheel, {wheel}, "
        "from the docs site's home page, and install it from a cell of this notebook with "
        "%pip install {wheel} (nanonet is not on PyPI: install it from that file)."
    )
    raise
print(f"nanonet {{nanonet.__version__}} is ready")"""

#: The check cell after an exercise's starter.
CHECK = """from nanonet.exercises import check

check({name!r})"""

ANSWERS = (
    "## Answers\n\n"
    "The answers to the exercises above, collapsed: try each exercise first. Click the bar "
    "beside a collapsed cell to open it."
)
#: The metadata of an answer's cells: collapsed (JupyterLab and Notebook 7 honour it).
HIDDEN = {"jupyter": {"source_hidden": True, "outputs_hidden": True}, "tags": ["answer"]}

Image = Callable[[str], "bytes | None"]
Drawing = Callable[[str], "tuple[bytes, str] | None"]


def is_teaching_page(text: str) -> bool:
    """True if the page's front matter says ``runnable: true``."""
    front = FRONT_MATTER.match(text)
    return bool(front and re.search(r"^runnable:\s*true\s*$", front[1], re.MULTILINE))


def snippet(path: str, section: str | None) -> list[str]:
    """The lines pymdownx.snippets puts in place of ``--8<-- "path:section"``."""
    lines = (ROOT / path).read_text().splitlines()
    if section:
        start = lines.index(f"# --8<-- [start:{section}]")
        end = lines.index(f"# --8<-- [end:{section}]")
        lines = lines[start + 1 : end]
    return [line for line in lines if "--8<-- [" not in line]


def resolve_snippets(lines: list[str]) -> list[str]:
    resolved = []
    for line in lines:
        match = SNIPPET.match(line)
        if match:
            indent = match["indent"]
            resolved += [
                indent + part if part else "" for part in snippet(match["path"], match["section"])
            ]
        else:
            resolved.append(line)
    return resolved


def dedent(lines: list[str], by: int = 4) -> list[str]:
    return [line[by:] if line[:by].strip() == "" else line.lstrip() for line in lines]


def flatten(lines: list[str]) -> list[str]:
    """Tabs, admonitions and definition lists as plain Markdown, code blocks untouched."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        fence = FENCE.match(line)
        if fence and not fence["indent"]:  # copy a code block as it is
            end = i + 1
            while end < len(lines) and lines[end].strip() != fence["fence"]:
                end += 1
            out += lines[i : end + 1]
            i = end + 1
            continue
        container = TAB.match(line) or ADMONITION.match(line)
        if container:
            # The body: the indented lines (and blank lines) that follow.
            end = i + 1
            while end < len(lines) and (not lines[end].strip() or lines[end].startswith("    ")):
                end += 1
            title = container["title"] or container.groupdict().get("kind", "").capitalize()
            out += [f"**{title}**", ""] if title else []
            out += flatten(dedent(lines[i + 1 : end]))
            i = end
            continue
        definition = i + 1 < len(lines) and DEFINITION.match(lines[i + 1])
        if line.strip() and definition:  # a term, then ":   its definition"
            out.append(f"- {line.strip()}: {definition['text']}")
            end = i + 2
            while end < len(lines) and lines[end].startswith("    "):
                out.append("  " + lines[end].strip())
                end += 1
            i = end
            continue
        out.append(line)
        i += 1
    return out


def take_answers(lines: list[str], note: str = "") -> tuple[list[str], list[tuple[str, list[str]]]]:
    """Take the answer boxes (``??? success "Answer"``) out of a page's lines.

    Returns:
        The lines without them (``note`` in place of each, if given), and
            each answer as (the title of its question, its lines, dedented).
    """
    out: list[str] = []
    answers: list[tuple[str, list[str]]] = []
    title, i = "", 0
    while i < len(lines):
        question = QUESTION.match(lines[i])
        title = question["title"] if question else title
        found = ANSWER.match(lines[i])
        if not found:
            out.append(lines[i])
            i += 1
            continue
        indent = len(found["indent"])
        end = i + 1
        while end < len(lines) and (
            not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip()) > indent
        ):
            end += 1
        answers.append((title, [line[indent + 4 :] for line in lines[i + 1 : end]]))
        if note:
            out += [" " * indent + note, ""]
        i = end
    return out, answers


def strip_answers(markdown: str) -> str:
    """A page's Markdown without its answer boxes: the teacher's build."""
    return "\n".join(take_answers(markdown.split("\n"))[0])


def prose(
    lines: list[str],
    image: Image,
    attachments: dict[str, dict[str, str]],
    drawing: Drawing = lambda name: None,
) -> list[str]:
    """Markdown lines as a notebook shows them: figures attached, site links made text."""
    out = []
    for line in lines:
        heading = HEADING_ATTRIBUTES.match(line)
        if heading:  # "## Why ... {#the-half}": the anchor is the site's
            line = heading["heading"]
        shown = DRAWING.fullmatch(line.strip())
        if shown:
            found_drawing = drawing(shown["name"])
            if found_drawing is None:
                continue
            svg, title = found_drawing
            name = f"{shown['name']}.svg"
            attachments[name] = {"image/svg+xml": base64.b64encode(svg).decode("ascii")}
            out.append(f"![{title}](attachment:{name})")
            continue
        found = IMAGE.fullmatch(line.strip())
        if found and found["only"] == "only-dark":
            continue  # the same figure for a dark page: the light one is attached
        if found:
            data = image(found["path"])
            if data is None:
                out.append(f"*{found['alt']}*")
                continue
            name = posixpath.basename(found["path"])
            kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
            attachments[name] = {kind: base64.b64encode(data).decode("ascii")}
            out.append(f"![{found['alt']}](attachment:{name})")
            continue
        out.append(LINK.sub(lambda m: m[0] if re.match(r"[a-z]+:", m["url"]) else m["text"], line))
    return out


def cells_of(lines: list[str], image: Image, drawing: Drawing = lambda name: None) -> list[dict]:
    """The notebook's cells, from a page's Markdown (without its front matter)."""
    cells: list[dict] = []
    markdown: list[str] = []

    def add_markdown() -> None:
        attachments: dict[str, dict[str, str]] = {}
        text = "\n".join(prose(markdown, image, attachments, drawing)).strip("\n")
        text = re.sub(r"\n{3,}", "\n\n", text)
        if text:
            cell: dict = {"cell_type": "markdown", "metadata": {}, "source": text}
            if attachments:
                cell["attachments"] = attachments
            cells.append(cell)
        markdown.clear()

    i = 0
    while i < len(lines):
        fence = FENCE.match(lines[i])
        if not fence or not (fence["lang"] or fence["attrs"].strip()):
            markdown.append(lines[i])
            i += 1
            continue
        indent = len(fence["indent"])
        end = i + 1
        while lines[end].strip() != fence["fence"]:
            end += 1
        body = [line[indent:] for line in lines[i + 1 : end]]
        i = end + 1
        if fence["lang"] == "python" and ".no-test" not in fence["attrs"]:
            add_markdown()
            cell = {"cell_type": "code", "metadata": {}, "source": "\n".join(body).rstrip("\n")}
            # The page's Output block after it, past blank lines, is the cell's output.
            following = i
            while following < len(lines) and not lines[following].strip():
                following += 1
            output = following < len(lines) and FENCE.match(lines[following])
            cell["outputs"] = []
            if output and 'title="Output"' in output["attrs"]:
                end = following + 1
                while lines[end].strip() != output["fence"]:
                    end += 1
                printed = [line[len(output["indent"]) :] for line in lines[following + 1 : end]]
                cell["outputs"] = [
                    {"output_type": "stream", "name": "stdout", "text": "\n".join(printed) + "\n"}
                ]
                i = end + 1
            cells.append(cell)
            exercise = EXERCISE.search(fence["attrs"])
            if exercise:  # a starter: its check cell follows
                name = exercise["name"]
                cell["metadata"] = {"tags": ["exercise"], "nanonet": {"exercise": name}}
                cells.append(
                    {
                        "cell_type": "code",
                        "metadata": {"tags": ["check"], "nanonet": {"check": name}},
                        "source": CHECK.format(name=name),
                        "outputs": [],
                    }
                )
        else:  # code to read, in the prose
            markdown += [f"```{fence['lang']}", *body, "```"]
    add_markdown()
    return cells


def notebook(
    markdown: str,
    image: Image = lambda path: None,
    drawing: Drawing = lambda name: None,
    teacher: bool = False,
    page: str = "",
) -> dict:
    """A notebook (nbformat 4.5) from a page's Markdown, without its front matter.

    Args:
        markdown: the page's text.
        image: gives a figure's bytes from its path in the page, or None to
            show its description instead.
        drawing: gives a network drawing's SVG and title from its name, or
            None to leave it out.
        teacher: leave the answers out (the teacher's notebook).
        page: the page's name (``"custom-layers"``), kept in the notebook's
            metadata: ``python -m nanonet.exercises check`` finds its
            exercises by it.
    """
    lines = resolve_snippets(markdown.splitlines())
    note = "" if teacher else "*The answer is at the end of this notebook, collapsed.*"
    lines, answers = take_answers(lines, note)
    lines = flatten(lines)
    cells = cells_of(lines, image, drawing)
    title = next((line[2:] for line in lines if line.startswith("# ")), "")
    if title and cells and cells[0]["cell_type"] == "markdown":
        head, _, rest = cells[0]["source"].partition("\n")
        if head == f"# {title}":
            intro = INTRO.format(title=title)
            if any("check" in cell["metadata"].get("tags", ()) for cell in cells):
                intro += "\n\n" + EXERCISES
            cells[0]["source"] = f"{head}\n\n{intro}\n{rest}".rstrip("\n")
    wheel = wheel_name()
    setup = {
        "cell_type": "code",
        "metadata": {"tags": ["setup"]},
        "source": SETUP.format(wheel=wheel),
        "outputs": [
            {
                "output_type": "stream",
                "name": "stdout",
                "text": f"nanonet {wheel.split('-')[1]} is ready\n",
            }
        ],
    }
    first = 1 if cells and cells[0]["cell_type"] == "markdown" else 0
    cells.insert(first, setup)
    if answers and not teacher:
        cells.append({"cell_type": "markdown", "metadata": {}, "source": ANSWERS})
        for question, answer in answers:
            heading = f"### Answer: {question}"
            cells.append({"cell_type": "markdown", "metadata": {}, "source": heading})
            for cell in cells_of(flatten(answer), image, drawing):
                cell["metadata"] = json.loads(json.dumps(HIDDEN))
                if cell["cell_type"] == "code":
                    cell["outputs"] = []  # no answer printed before it runs
                else:
                    del cell["metadata"]["jupyter"]["outputs_hidden"]
                cells.append(cell)
    count = 0
    for index, cell in enumerate(cells):
        cell["id"] = f"cell-{index}"
        if cell["cell_type"] == "code":  # as if run top to bottom, up to the first check
            tags = cell["metadata"].get("tags", [])
            ran = "check" not in tags and "answer" not in tags
            count += ran
            cell["execution_count"] = count if ran else None
            for output in cell["outputs"]:
                output["text"] = output["text"].splitlines(keepends=True)
        cell["source"] = cell["source"].splitlines(keepends=True)
    return {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
            "nanonet": {"page": page},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def page_notebook(
    page: Path,
    image: Image = lambda path: None,
    drawing: Drawing = lambda name: None,
    teacher: bool = False,
) -> dict:
    """The notebook of a docs page (a file), front matter left out."""
    markdown = FRONT_MATTER.sub("", page.read_text(), count=1)
    return notebook(markdown, image, drawing, teacher, page.stem)


def dumps(nb: dict) -> str:
    """The notebook as Jupyter writes it: JSON, indented by one space."""
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
