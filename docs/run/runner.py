"""Run a docs page's code blocks in Pyodide, as tests/test_docs.py runs them.

One namespace per page, blocks in page order. The in-page worker
(docs/run/worker.js) and the Node test (tests/pyodide_run.cjs) both install
this file as the module ``docs_runner`` and call the same functions, so the
browser runs blocks exactly as CI checks them.

What a block shows besides what it prints:

- matplotlib's figures. The site serves matplotlib, but loads it only for a
  block that needs it (`needs`). Its backend here is Agg, styled in the
  page's colours, light or dark (`THEMES`); ``plt.show()`` and the end of a
  block turn every open figure into a PNG under the block, and close it. A
  figure wider than the page's column is drawn as wide as the column (its
  height kept): shrunk as a picture instead, its text would be too small to
  read on a phone.
- Pictures of objects that show themselves in Jupyter (``_repr_svg_``,
  ``_repr_png_``), such as nanonet's drawings: those the block assigned to a
  name, and the value of its last line if that is an expression.

Each goes to the function given to `set_display`, as JSON text.

``scope`` names a namespace: "page" is the page's blocks; a later playground
can keep its own. `check` runs extra code after a block (an exercise's Check
button, docs/run/exercises.js): its last expression is the verdict.
"""

from __future__ import annotations

import ast
import base64
import builtins
import io
import json
import linecache
import os
import sys
import traceback
from pathlib import Path

#: Packages the site serves but loads only for a block that needs them, with
#: the names a block imports them by (as in pyodide-lock.json).
OPTIONAL = {"matplotlib": ("matplotlib", "pylab", "mpl_toolkits")}

#: nanonet's methods that import matplotlib themselves (History.plot and
#: History.plot_loss): a block that calls one needs it too.
PLOTTING_METHODS = {"plot", "plot_loss"}

#: The docs' figure colours, as examples/docs_figures.py draws the page's
#: figures (tests/test_pyodide.py checks that the two agree).
THEMES = {
    "light": {
        "text": "#1f2328",
        "grid": "#d0d7de",
        "lines": ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00"],
    },
    "dark": {
        "text": "#e6edf3",
        "grid": "#3d444d",
        "lines": ["#56b4e9", "#ff8c42", "#3fd0a0", "#e59ad0", "#f0c040"],
    },
}

#: matplotlib finds its backend by module name: this one, written next to
#: this file when it is imported.
BACKEND = '''"""matplotlib in the docs' Run buttons: Agg, and plt.show() shows the figures."""
from matplotlib.backends.backend_agg import FigureCanvasAgg as FigureCanvas  # noqa: F401

import docs_runner

docs_runner.style_figures()  # the page's colours, before the first figure


def show(*args, **kwargs):
    docs_runner.show_figures()
'''

namespaces: dict[str, dict] = {}
settings = {"theme": "light", "dpr": 1.0, "width": 0, "name": "", "styled": ""}


def _no_display(message: str) -> None:
    """Where pictures go until `set_display` is called: nowhere."""


display = _no_display


def set_display(function) -> None:
    """Send each picture to ``function(json_text)``: the worker posts it to the page."""
    global display
    display = function


def new_page(scope: str = "page") -> None:
    """Forget every name the previous blocks defined: a fresh page."""
    namespaces[scope] = {"__name__": "__docs__"}


def no_input(prompt: object = "") -> str:
    """``input()`` in the page: there is no keyboard for Python to read from."""
    print(prompt, end="")
    raise OSError(
        "input() cannot read what you type: Python in this page has no keyboard. "
        "Write the value into the code instead, e.g. answer = '42'"
    )


def needs(code: str) -> list[str]:
    """The optional packages (`OPTIONAL`) that ``code`` needs, judged from its text.

    A block needs matplotlib if it imports it, or calls a method named like
    one of nanonet's that import it (``history.plot(...)``). A block that
    cannot be parsed needs nothing: running it shows the syntax error.
    """
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    imported, called = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            imported.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            called.add(node.func.attr)
    found = [package for package, names in OPTIONAL.items() if imported & set(names)]
    if called & PLOTTING_METHODS and "matplotlib" not in found:
        found.append("matplotlib")
    return [package for package in found if not _installed(package)]


def _installed(package: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(package) is not None


def run(
    code: str,
    name: str,
    scope: str = "page",
    theme: str = "light",
    dpr: float = 1.0,
    width: float = 0,
) -> str:
    """Run code in a namespace, show its pictures, and say how it went.

    Args:
        code: the block's code.
        name: how tracebacks name the block, such as "code block 3".
        scope: the namespace ("page": the page's blocks).
        theme: the page's colour scheme, "light" or "dark", for figures.
        dpr: the screen's device pixel ratio: PNGs have that many pixels per
            CSS pixel (at most 2).
        width: the page's column, in CSS pixels (0: unknown); a wider figure
            is drawn as wide as that.

    Returns:
        JSON ``{"status": "ok" | "error", "text": ..., "value": ...}``: for an
        error, the traceback (without this file's frames); "value" is the
        value of the code's last line if it is an expression (as JSON if it
        can be, else its repr), or null. A block that needs a package not
        loaded yet also gets ``"needs": [package]``.
    """
    settings.update(theme=theme if theme in THEMES else "light", dpr=min(max(dpr, 1.0), 2.0))
    settings["width"] = width
    settings["name"] = name
    namespace = namespaces.setdefault(scope, {"__name__": "__docs__"})
    # Tracebacks then quote the block's lines, as they do for a file.
    linecache.cache[name] = (len(code), None, code.splitlines(True), name)
    before = {id(value): value for value in namespace.values()}  # kept alive: ids stay unique
    result: dict = {"status": "ok", "text": "", "value": None}
    try:
        if "matplotlib" in sys.modules:
            style_figures()
        value = _execute(code, name, namespace)
        result["value"] = _as_json(value)
        show_figures()
        shown = _show_new_pictures(namespace, before)
        if _picture(value) and id(value) not in shown:
            _show_picture(value)
    except BaseException as error:  # SystemExit too: the page must keep working
        result.update(status="error", text=_traceback(error))
        missing = _missing_package(error)
        if missing:
            result["needs"] = [missing]
    finally:
        sys.stdout.flush()  # a last print(..., end="") must not wait for the next block
        sys.stderr.flush()
    return json.dumps(result)


def check(code: str, name: str, scope: str = "page") -> str:
    """For a Check button: run checking code after a block, in its namespace.

    The code's last line is the verdict: True, or a message saying what is
    wrong (any other value), or a dict ``{"passed": bool, "message": str}``
    (what ``nanonet.exercises.check(...).as_dict()`` gives: a message for a
    pass too). An exception fails the check with its message.

    Returns:
        JSON ``{"passed": bool, "message": str}``.
    """
    result = json.loads(run(code, name, scope))
    if result["status"] == "error":
        return json.dumps({"passed": False, "message": result["text"].strip().splitlines()[-1]})
    verdict = result["value"]
    if isinstance(verdict, dict) and {"passed", "message"} <= verdict.keys():
        passed, message = verdict["passed"] is True, str(verdict["message"])
        return json.dumps({"passed": passed, "message": message})
    return json.dumps({"passed": verdict is True, "message": "" if verdict is True else verdict})


def _execute(code: str, name: str, namespace: dict) -> object:
    """Run ``code``; return the value of its last line if that is an expression, else None."""
    tree = ast.parse(code, name)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, name, "exec"), namespace)
    if last is None:
        return None
    return eval(compile(ast.Expression(last.value), name, "eval"), namespace)


def _as_json(value: object) -> object:
    if value is None:
        return None
    try:
        return json.loads(json.dumps(value, allow_nan=False))
    except (TypeError, ValueError):
        return repr(value)


def _traceback(error: BaseException) -> str:
    """The traceback of ``error``, without the frames of this file."""
    summary = traceback.TracebackException.from_exception(error)
    summary.stack = traceback.StackSummary.from_list(
        [frame for frame in summary.stack if frame.filename != __file__]
    )
    return "".join(summary.format())


def _missing_package(error: BaseException) -> str | None:
    """The optional package whose import failed, with ``error`` or its cause."""
    while error is not None:
        if isinstance(error, ModuleNotFoundError):
            # Pyodide's own message for a package it knows but has not loaded sets no .name.
            quoted = str(error).split("'")
            name = error.name or (quoted[1] if len(quoted) > 2 else "")
            for package, names in OPTIONAL.items():
                if name.split(".")[0] in names:
                    return package
        error = error.__cause__ or error.__context__
    return None


# -- pictures ------------------------------------------------------------------


def _picture(value: object) -> bool:
    """True for an object (not a class) that draws itself in Jupyter."""
    return not isinstance(value, type) and (
        hasattr(value, "_repr_svg_") or hasattr(value, "_repr_png_")
    )


def _show_new_pictures(namespace: dict, before: dict) -> set[int]:
    """Show each picture the block assigned to a name; return their ids."""
    shown = set()
    for value in list(namespace.values()):
        if _picture(value) and before.get(id(value)) is not value and id(value) not in shown:
            _show_picture(value)
            shown.add(id(value))
    return shown


def _show_picture(value: object) -> None:
    title = getattr(value, "title", None) or type(value).__name__
    alt = f"{title}: drawn by {settings['name']}"
    if hasattr(value, "_repr_svg_"):
        display(json.dumps({"kind": "svg", "svg": value._repr_svg_(), "alt": alt}))
    else:
        png = base64.b64encode(value._repr_png_()).decode()
        display(json.dumps({"kind": "png", "data": png, "alt": alt}))


def style_figures() -> None:
    """Give matplotlib the page's colours (light or dark), unless it has them already."""
    theme = settings["theme"]
    if settings["styled"] == theme:
        return
    import matplotlib

    colors = THEMES[theme]
    matplotlib.rcParams.update(
        {
            "figure.facecolor": "none",  # transparent: the page's own background shows
            "axes.facecolor": "none",
            "savefig.transparent": True,
            "text.color": colors["text"],
            "axes.labelcolor": colors["text"],
            "xtick.color": colors["text"],
            "ytick.color": colors["text"],
            "legend.labelcolor": colors["text"],
            "legend.frameon": False,
            "axes.edgecolor": colors["grid"],
            "axes.grid": True,
            "grid.color": colors["grid"],
            "grid.linewidth": 0.6,
            "axes.prop_cycle": matplotlib.cycler(color=colors["lines"]),
            "figure.dpi": 96,  # 1 inch is 96 CSS pixels, as in the page's figures
        }
    )
    settings["styled"] = theme


def show_figures() -> None:
    """Show every open matplotlib figure as a PNG under the block, and close it."""
    if "matplotlib.pyplot" not in sys.modules:
        return
    import matplotlib.pyplot as plt

    for number in plt.get_fignums():
        figure = plt.figure(number)
        if settings["theme"] == "dark":
            _black_to_text(figure)
        inches, height = figure.get_size_inches()
        if settings["width"] and inches * 96 > settings["width"]:
            figure.set_size_inches(settings["width"] / 96, height)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=96 * settings["dpr"])
        width, height = figure.get_size_inches() * 96
        display(
            json.dumps(
                {
                    "kind": "png",
                    "data": base64.b64encode(buffer.getvalue()).decode(),
                    "width": round(width),
                    "height": round(height),
                    "alt": _describe(figure),
                }
            )
        )
        plt.close(figure)


def _black_to_text(figure) -> None:
    """On a dark page, draw black lines and text (History.plot's target, "k") in its text colour."""
    from matplotlib.colors import same_color
    from matplotlib.lines import Line2D
    from matplotlib.text import Text

    for artist in figure.findobj(lambda artist: isinstance(artist, (Line2D, Text))):
        if same_color(artist.get_color(), "black"):
            artist.set_color(THEMES["dark"]["text"])


def _describe(figure) -> str:
    """A figure's text alternative: its titles, axis labels and legend entries."""
    parts = []
    for axes in figure.get_axes():
        words = [axes.get_title(), axes.get_xlabel(), axes.get_ylabel()]
        legend = axes.get_legend()
        if legend is not None:
            words += [text.get_text() for text in legend.get_texts()]
        parts.append(", ".join(word for word in words if word))
    shown = "; ".join(part for part in parts if part)
    return f"A figure drawn by {settings['name']}" + (f": {shown}" if shown else "")


def _install() -> None:
    """input() says that it cannot read; matplotlib uses the backend above."""
    builtins.input = no_input
    Path(__file__).with_name("docs_runner_backend.py").write_text(BACKEND)
    os.environ["MPLBACKEND"] = "module://docs_runner_backend"


_install()
new_page()
