"""Run a docs page's code blocks in Pyodide, as tests/test_docs.py runs them.

One namespace per page, blocks in page order. The in-page worker
(docs/run/worker.js) and the Node test (tests/pyodide_run.cjs) both load
this file, so the browser runs blocks exactly as CI checks them.
"""

import json
import linecache
import sys
import traceback

# matplotlib and its dependencies would add about 10 MB to the first Run, for
# figures that the page already shows: a block that needs it gets this note.
FIGURE_NOTE = (
    "This block draws a figure with matplotlib, which the in-page Python leaves out "
    "to keep the download small. The figure on this page is the one it draws."
)

namespace: dict = {}


def new_page() -> None:
    """Forget every name the previous blocks defined: a fresh page."""
    namespace.clear()
    namespace["__name__"] = "__docs__"


def needs_matplotlib(error: BaseException) -> bool:
    """True if ``error`` is the import of matplotlib failing."""
    # Pyodide's own message for a known but not installed package does not set .name.
    return isinstance(error, ModuleNotFoundError) and (
        (error.name or "").split(".")[0] in ("matplotlib", "pylab") or "'matplotlib" in str(error)
    )


def run_block(code: str, name: str) -> str:
    """Run one block in the page's namespace.

    Args:
        code: the block's code.
        name: how tracebacks name the block, such as "code block 3".

    Returns:
        JSON ``{"status": "ok" | "error" | "note", "text": ...}``: for an error,
        the traceback (without this function's own frame); for a note, what to
        show instead of a traceback.
    """
    # Tracebacks then quote the block's lines, as they do for a file.
    linecache.cache[name] = (len(code), None, code.splitlines(True), name)
    try:
        exec(compile(code, name, "exec"), namespace)
        status, text = "ok", ""
    except BaseException as error:  # SystemExit too: the page must keep working
        if needs_matplotlib(error):
            status, text = "note", FIGURE_NOTE
        else:
            lines = traceback.format_exception(type(error), error, error.__traceback__.tb_next)
            status, text = "error", "".join(lines)
    finally:
        sys.stdout.flush()  # a last print(..., end="") must not wait for the next block
        sys.stderr.flush()
    return json.dumps({"status": status, "text": text})


new_page()
