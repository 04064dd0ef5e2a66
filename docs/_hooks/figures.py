"""MkDocs hook: draw the docs' figures at build time, from the examples' own training runs.

Every figure of ``examples/docs_figures.py`` is rendered in a light and a
dark version and added to the site as ``img/<name>-light.svg`` and
``img/<name>-dark.svg``; a page shows the one that fits the reader's colour
scheme with Material's ``#only-light`` and ``#only-dark``. Nothing is
committed, so no picture can drift from the code that draws it.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

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
