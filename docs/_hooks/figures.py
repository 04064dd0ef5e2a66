"""MkDocs hook: draw the docs' figures at build time, from the examples' own training runs.

Every figure of ``examples/docs_figures.py`` is rendered in a light and a
dark version and added to the site as ``img/<name>-light.svg`` and
``img/<name>-dark.svg``; a page shows the one that fits the reader's colour
scheme with Material's ``#only-light`` and ``#only-dark``.

A drawing of its ``DRAWINGS`` (made by ``nanonet.draw``) goes into the page
itself, where a line ``<div class="nanonet-figure" data-drawing="NAME"></div>``
asks for it: inline, its lines and text take the page's colour and font, and
it follows Material's light/dark switch. Nothing is committed, so no picture
can drift from the code that draws it.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parents[2]


def _figures_module():
    spec = importlib.util.spec_from_file_location(
        "docs_figures", ROOT / "examples" / "docs_figures.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def on_files(files, config, **kwargs):
    figures = _figures_module()
    for name in figures.FIGURES:
        for theme in figures.THEMES:
            files.append(
                File.generated(
                    config, f"img/{name}-{theme}.svg", content=figures.render(name, theme)
                )
            )
    return files


DRAWING = re.compile(r'<div class="nanonet-figure" data-drawing="([\w-]+)"></div>')
# The column's width on the narrowest phone the site is checked at (360 px).
PHONE_COLUMN = 360 - 32
# A figure's <img>, which Material shows in one colour scheme only (src ending in
# #only-light or #only-dark).
FIGURE = re.compile(r'<img [^>]*src="([^"#]+)#only-(?:light|dark)"[^>]*>')


def on_page_content(html, page, config, files):
    drawings = _figures_module().DRAWINGS

    def inline(match):
        name = match[1]
        if name not in drawings:
            raise PluginError(
                f"{page.file.src_path} asks for the drawing {name!r}, which "
                f"examples/docs_figures.py does not make (it makes {sorted(drawings)})"
            )
        # Below its legible width (11 px text) a drawing scrolls sideways. On a phone a
        # wider one fits the column instead, and a tap (or Tab: it takes the focus)
        # shows it at that width, to scroll (extra.css).
        svg = drawings[name]().svg
        legible = int(re.search(r"min-width: (\d+)px", svg)[1])
        wide = ' nanonet-figure--wide" tabindex="0' if legible > PHONE_COLUMN else ""
        return (
            f'<div class="nanonet-figure{wide}" data-drawing="{name}" style="overflow-x: auto">'
            f"{svg}</div>"
        )

    def linked(match):
        # On a phone the figure shrinks to the column; the link opens it full size.
        title = "Open the figure full size"
        return f'<a class="figure-full" href="{match[1]}" title="{title}">{match[0]}</a>'

    return FIGURE.sub(linked, DRAWING.sub(inline, html))
