"""MkDocs hook: a page's own scripts and styles, named in its front matter.

    ---
    scripts: [playground.js]
    styles: [playground.css]
    ---

Each name is a file next to the page's Markdown source, which the site
serves. The hook puts a ``<link rel="stylesheet">`` for each style before the
page's content and a ``<script defer>`` for each script after it, so that
only that page loads them (the site's ``extra_css`` and ``extra_javascript``
load on every page). Material's instant navigation runs the scripts of the
content it swaps in, so a script also runs when the reader comes to the page
from another one; it must expect to run more than once.

Pages never write ``<script>`` themselves (tests/test_docs.py checks that):
whatever runs is a file of the site, named here. A name that is not a file
next to the page fails the build.
"""

from __future__ import annotations

from html import escape
from pathlib import PurePosixPath

from mkdocs.exceptions import PluginError


def on_page_content(html, page, files, **kwargs):
    styles, scripts = page.meta.get("styles", []), page.meta.get("scripts", [])
    if not styles and not scripts:
        return html
    folder = PurePosixPath(page.file.src_uri).parent

    def url(name: object) -> str:
        path = str(folder / str(name))
        file = files.get_file_from_path(path)
        if file is None:
            raise PluginError(f"{page.file.src_uri} names {name!r}, but there is no {path}")
        return escape(file.url_relative_to(page.file))

    links = [f'<link rel="stylesheet" href="{url(name)}">' for name in styles]
    tags = [f'<script src="{url(name)}" defer></script>' for name in scripts]
    return "\n".join([*links, html, *tags])
