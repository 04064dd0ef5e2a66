"""MkDocs hook: the Run buttons' build side.

On a page whose front matter says ``runnable: true``, every ``python`` code
block not marked ``{.no-test}`` gets a ``data-run-block`` attribute, which
docs/run/run.js turns into a Run button. The page runs those blocks, as the
docs tests do, in page order and in one namespace. An element of any page
marked ``data-run-python`` (the playground's) asks for the same Python
without Run buttons: it gets the same ``data-run-packages``.

The in-page Python comes with the site: after the build this hook copies the
verified runtime cache (filled by docs/_tools/fetch_runtime.py) and a wheel
of nanonet built from this checkout into ``site/run/pyodide/``, and the code
editor (CodeMirror, bundled by docs/_tools/build_editor.py) into
``site/run/editor.js``; without the editor, Edit uses a plain text area. Without the
cache the site still builds, and the blocks say that Run is not available
(their ``data-run-packages`` attribute is missing). A cache whose files
fail verification fails the build.
"""

from __future__ import annotations

import importlib.util
import logging
import re
import shutil
import tempfile
from pathlib import Path

from mkdocs.exceptions import PluginError

TOOLS = Path(__file__).resolve().parent.parent / "_tools" / "fetch_runtime.py"
spec = importlib.util.spec_from_file_location("fetch_runtime", TOOLS)
fetch_runtime = importlib.util.module_from_spec(spec)
spec.loader.exec_module(fetch_runtime)
spec = importlib.util.spec_from_file_location("build_editor", TOOLS.with_name("build_editor.py"))
build_editor = importlib.util.module_from_spec(spec)
spec.loader.exec_module(build_editor)

log = logging.getLogger("mkdocs.hooks.run_buttons")

# pymdownx.highlight with pygments_lang_class writes a python block's classes
# as "language-python", then any attribute classes such as "no-test", then
# "highlight". A quote inside code is escaped, so this only matches real blocks.
PYTHON_BLOCK = re.compile(r'<div class="language-python(?P<classes>[^"]*) highlight"')
# An element (a tag, not text: text would have &lt;) that asks for the in-page Python.
ASKS_FOR_PYTHON = re.compile(r"(<[a-z][^<>]*\sdata-run-python)(?=[\s>])")

runtime: dict = {}  # this build's cache files and nanonet wheel, or empty: no Run


def on_pre_build(config, **kwargs):
    runtime.clear()
    try:
        files = fetch_runtime.verify()
    except fetch_runtime.VerificationError as error:
        raise PluginError(f"the in-page Python's cache failed verification: {error}") from None
    if files is None:
        log.info(
            "The in-page Python is not included (no %s): the Run buttons will say so. "
            "Run python docs/_tools/fetch_runtime.py to include it.",
            fetch_runtime.CACHE,
        )
        return
    wheels = tempfile.TemporaryDirectory(prefix="nanonet-wheel-")
    runtime.update(files=files, wheels=wheels)
    runtime["wheel"] = fetch_runtime.build_nanonet_wheel(Path(wheels.name))


def on_page_content(html, page, **kwargs):
    # What the worker loads: Pyodide packages by name, and nanonet's wheel file.
    if runtime:
        packages = " ".join([*fetch_runtime.PACKAGES, runtime["wheel"].name])
        extra = f' data-run-packages="{packages}"'
    else:
        extra = ""
    html = ASKS_FOR_PYTHON.sub(lambda match: match[1] + extra, html)
    if not page.meta.get("runnable"):
        return html

    def mark(match):
        if "no-test" in match["classes"].split():
            return match[0]
        return f"{match[0]} data-run-block{extra}"

    return PYTHON_BLOCK.sub(mark, html)


def on_post_build(config, **kwargs):
    editor = build_editor.built()
    if editor is not None:
        for name in build_editor.FILES:
            target = "editor.js" if name == "editor.js" else "editor-LICENSE.txt"
            shutil.copyfile(editor / name, Path(config["site_dir"]) / "run" / target)
    if not runtime:
        return
    dest = Path(config["site_dir"]) / "run" / "pyodide"
    dest.mkdir(parents=True, exist_ok=True)
    for name in runtime["files"]:
        shutil.copyfile(fetch_runtime.CACHE / name, dest / name)
    shutil.copyfile(runtime["wheel"], dest / runtime["wheel"].name)
    runtime["wheels"].cleanup()


def on_build_error(error, **kwargs):
    if runtime.get("wheels"):
        runtime["wheels"].cleanup()
