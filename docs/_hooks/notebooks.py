"""MkDocs hook: each teaching page as a Jupyter notebook, and a link to download it.

Every page whose front matter says ``runnable: true`` gets a notebook made
from its own source by docs/_tools/notebook.py (code cells from the blocks
the tests run, their outputs from the page's Output blocks, the prose as
Markdown, a check cell after each exercise's starter, the answers collapsed
at the end), added to the site as ``notebooks/<page>.ipynb``, with the
page's figures and network drawings embedded. The page links to it under
its title. In the teacher's build (``NANONET_TEACHER=1``) the notebooks have
no answers. tests/test_notebooks.py runs each notebook in a fresh kernel.

A notebook needs nanonet installed: its first cell says how, from the wheel
this hook builds from the checkout and adds to the site as
``downloads/nanonet-<version>-py3-none-any.whl`` (the home page links it).
"""

from __future__ import annotations

import importlib.util
import os
import posixpath
import tempfile
from pathlib import Path

from mkdocs.structure.files import File
from mkdocs.utils.meta import get_data

TOOLS = Path(__file__).resolve().parent.parent / "_tools"
ROOT = TOOLS.parents[1]


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


notebook = _load("notebook", TOOLS / "notebook.py")
fetch_runtime = _load("fetch_runtime", TOOLS / "fetch_runtime.py")
wheels = tempfile.TemporaryDirectory(prefix="nanonet-download-")  # removed when the build ends

LINK = "Download this page as a Jupyter notebook"


def notebook_uri(src_uri: str) -> str:
    """Where a page's notebook is in the site: tutorial.md -> notebooks/tutorial.ipynb."""
    return f"notebooks/{src_uri.removesuffix('.md')}.ipynb"


def drawing(name: str):
    """A network drawing of examples/docs_figures.py, as SVG bytes and its title."""
    figures = _load("docs_figures", ROOT / "examples" / "docs_figures.py")
    if name not in figures.DRAWINGS:
        return None
    made = figures.DRAWINGS[name]()
    return made.svg.encode(), made.title


def on_files(files, config, **kwargs):
    teacher = os.environ.get("NANONET_TEACHER") == "1"
    wheel = fetch_runtime.build_nanonet_wheel(Path(tempfile.mkdtemp(dir=wheels.name)))
    files.append(File.generated(config, f"downloads/{wheel.name}", abs_src_path=str(wheel)))
    # After docs/_hooks/figures.py in mkdocs.yml: the figures are in `files` by now.
    for page in list(files.documentation_pages()):
        markdown, meta = get_data(Path(page.abs_src_path).read_text(encoding="utf-8"))
        if not meta.get("runnable"):
            continue
        folder = posixpath.dirname(page.src_uri)

        def figure(path, folder=folder):
            found = files.get_file_from_path(posixpath.normpath(posixpath.join(folder, path)))
            return None if found is None else found.content_bytes

        name = page.src_uri.removesuffix(".md")
        made = notebook.notebook(markdown, figure, drawing, teacher=teacher, page=name)
        content = notebook.dumps(made)
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
