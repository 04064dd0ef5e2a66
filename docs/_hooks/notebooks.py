"""MkDocs hook: each teaching page as a Jupyter notebook, and a link to download it.

Every page whose front matter says ``runnable: true`` gets a notebook made
from its own source by docs/_tools/notebook.py (code cells from the blocks
the tests run, their outputs from the page's Output blocks, the prose as
Markdown), added to the site as ``notebooks/<page>.ipynb``, with the
page's figures embedded. The page links to it under its title.
tests/test_notebooks.py runs each notebook in a fresh kernel.
"""

from __future__ import annotations

import importlib.util
import posixpath
from pathlib import Path

from mkdocs.structure.files import File
from mkdocs.utils.meta import get_data

TOOLS = Path(__file__).resolve().parent.parent / "_tools" / "notebook.py"
spec = importlib.util.spec_from_file_location("notebook", TOOLS)
notebook = importlib.util.module_from_spec(spec)
spec.loader.exec_module(notebook)

LINK = "Download this page as a Jupyter notebook"


def notebook_uri(src_uri: str) -> str:
    """Where a page's notebook is in the site: tutorial.md -> notebooks/tutorial.ipynb."""
    return f"notebooks/{src_uri.removesuffix('.md')}.ipynb"


def on_files(files, config, **kwargs):
    # After docs/_hooks/figures.py in mkdocs.yml: the figures are in `files` by now.
    for page in list(files.documentation_pages()):
        markdown, meta = get_data(Path(page.abs_src_path).read_text(encoding="utf-8"))
        if not meta.get("runnable"):
            continue
        folder = posixpath.dirname(page.src_uri)

        def figure(path, folder=folder):
            found = files.get_file_from_path(posixpath.normpath(posixpath.join(folder, path)))
            return None if found is None else found.content_bytes

        content = notebook.dumps(notebook.notebook(markdown, figure))
        files.append(File.generated(config, notebook_uri(page.src_uri), content=content))
    return files


def on_page_markdown(markdown, page, **kwargs):
    if not page.meta.get("runnable"):
        return markdown
    target = posixpath.relpath(
        notebook_uri(page.file.src_uri), posixpath.dirname(page.file.src_uri) or "."
    )
    name = posixpath.basename(target)
    link = f'[{LINK}]({target}){{ .notebook-download download="{name}" }}'
    lines = markdown.split("\n")
    # Under the page's title, or first if it has none.
    title = next((i for i, line in enumerate(lines) if line.startswith("# ")), -1)
    lines[title + 1 : title + 1] = ["", link, ""]
    return "\n".join(lines)
