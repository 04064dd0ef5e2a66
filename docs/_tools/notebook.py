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
  the site its text, and a figure is embedded in the notebook (an
  attachment). Math stays LaTeX between ``$``, which Jupyter renders.

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

#: What the notebook says first, under the page's title.
INTRO = (
    "*This notebook is the page “{title}” of nanonet's docs, with its code as cells "
    "and the outputs the code prints. Run it top to bottom where nanonet is installed "
    '(from a clone of the repository: `python -m pip install -e ".[plot]"`).*'
)

Image = Callable[[str], "bytes | None"]


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


def prose(lines: list[str], image: Image, attachments: dict[str, dict[str, str]]) -> list[str]:
    """Markdown lines as a notebook shows them: figures attached, site links made text."""
    out = []
    for line in lines:
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


def cells_of(lines: list[str], image: Image) -> list[dict]:
    """The notebook's cells, from a page's Markdown (without its front matter)."""
    cells: list[dict] = []
    markdown: list[str] = []

    def add_markdown() -> None:
        attachments: dict[str, dict[str, str]] = {}
        text = "\n".join(prose(markdown, image, attachments)).strip("\n")
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
        else:  # code to read, in the prose
            markdown += [f"```{fence['lang']}", *body, "```"]
    add_markdown()
    return cells


def notebook(markdown: str, image: Image = lambda path: None) -> dict:
    """A notebook (nbformat 4.5) from a page's Markdown, without its front matter.

    Args:
        markdown: the page's text.
        image: gives a figure's bytes from its path in the page, or None to
            show its description instead.
    """
    lines = flatten(resolve_snippets(markdown.splitlines()))
    cells = cells_of(lines, image)
    title = next((line[2:] for line in lines if line.startswith("# ")), "")
    if title and cells and cells[0]["cell_type"] == "markdown":
        head, _, rest = cells[0]["source"].partition("\n")
        if head == f"# {title}":
            intro = INTRO.format(title=title)
            cells[0]["source"] = f"{head}\n\n{intro}\n{rest}".rstrip("\n")
    count = 0
    for index, cell in enumerate(cells):
        cell["id"] = f"cell-{index}"
        if cell["cell_type"] == "code":
            count += 1
            cell["execution_count"] = count
            for output in cell["outputs"]:
                output["text"] = output["text"].splitlines(keepends=True)
        cell["source"] = cell["source"].splitlines(keepends=True)
    return {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def page_notebook(page: Path, image: Image = lambda path: None) -> dict:
    """The notebook of a docs page (a file), front matter left out."""
    return notebook(FRONT_MATTER.sub("", page.read_text(), count=1), image)


def dumps(nb: dict) -> str:
    """The notebook as Jupyter writes it: JSON, indented by one space."""
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
