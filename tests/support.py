"""What several test files share: paths, page reading, output comparison, skips.

Fixtures live in conftest.py; this module holds plain functions and constants,
imported by name (``from support import ...``), so that no test file imports
another.

* ``ROOT``: the checkout.
* ``outputs_match``: the comparison of printed output that the docs, docstring,
  Pyodide, browser and notebook tests use (numbers with a relative tolerance,
  the rest exact).
* ``PAGES``, ``blocks``, ``runnable``, ``requirements``, ``RUNNABLE``: the docs
  pages as the tests read them: fenced blocks with ``--8<--`` snippets
  resolved, the python blocks the tests run, each with its Output block.
* ``load``: a file that is not a package module (a script of ``examples/``, a
  docs tool or hook), imported by path.
* ``require_or_skip``: skip a test whose optional tools are missing, or fail it
  when CI requires them (``NANONET_REQUIRE_<NAME>=1``).
* ``CHROMIUM``, ``CHROMIUM_ARGS``, ``OFFLINE_CHROMIUM_ARGS``: the headless
  Chromium the browser tests and ``tools/measure_*.py`` drive.
* ``build_site``, ``free_port``, ``serving``: the docs site built as if
  deployed on 127.0.0.1, and served there (the browser tests and the tools).
* Broken layers, each with one habit that breaks a backward pass (``WrongSign``,
  ``Assigns``, ``SumsOverBatch``, ...), and ``Returns``, a layer that returns
  what it is told: the gradcheck, Sequential and bad-input tests share them.
"""

from __future__ import annotations

import contextlib
import importlib.util
import math
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from urllib.request import urlopen

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: How far apart two printed numbers may be: the last digits of numpy's exp and
#: tanh and of BLAS reductions depend on the CPU; 1e-9 leaves 6 digits to spare.
RELATIVE_TOLERANCE = 1e-9

# A number as Python and numpy print it; not part of a name such as "x1" or "0.weight".
_NUMBER = re.compile(
    r"(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?(?![\w.])|(?<![\w.])-?(?:inf|nan)\b"
)


def _pieces(text: str) -> tuple[list[str], list[float]]:
    """Split ``text`` into the text around the numbers and the numbers."""
    lines = [line.rstrip() for line in text.splitlines()]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    text = "\n".join(lines)
    return _NUMBER.split(text), [float(number) for number in _NUMBER.findall(text)]


def outputs_match(expected: str, printed: str) -> bool:
    """Whether ``printed`` is ``expected``, up to the last digits of its numbers.

    Every number must agree to a relative tolerance of ``RELATIVE_TOLERANCE``;
    everything else must be identical, indentation and spacing included. Only
    trailing spaces at the ends of lines and blank lines at the start and the
    end are ignored (Markdown editors strip them).
    """
    expected_text, expected_numbers = _pieces(expected)
    printed_text, printed_numbers = _pieces(printed)
    return expected_text == printed_text and all(
        (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=RELATIVE_TOLERANCE)
        for a, b in zip(expected_numbers, printed_numbers, strict=True)
    )


DOCS = ROOT / "docs"
PAGES = sorted(DOCS.rglob("*.md"))
FENCE = re.compile(r"^(?P<indent> *)(?P<fence>```+)(?P<lang>[\w-]*)(?P<attrs>[^\n]*)$")
SNIPPET = re.compile(
    r'^(?P<indent> *)--8<-- "(?P<path>[^":]+)(?::(?P<section>[\w-]+))?"$', re.MULTILINE
)
FRONT_MATTER = re.compile(r"\A---\n(?P<yaml>.*?)\n---\n", re.DOTALL)
REQUIRES = re.compile(r"^requires:\s*\[(?P<names>[^\]]*)\]\s*$", re.MULTILINE)


def snippet(path: str, section: str | None) -> str:
    """The text pymdownx.snippets puts in place of ``--8<-- "path:section"``."""
    lines = (ROOT / path).read_text().splitlines()
    if section:
        start = lines.index(f"# --8<-- [start:{section}]")
        end = lines.index(f"# --8<-- [end:{section}]")
        lines = lines[start + 1 : end]
    return "\n".join(line for line in lines if "--8<-- [" not in line)


TAB = re.compile(r'^=== "(?P<label>[^"]+)"')


def blocks(page: Path) -> list[dict]:
    """The fenced blocks of a page: language, attributes, code, and the content tab it is in."""
    found, lines, i, tab = [], page.read_text().splitlines(), 0, None
    while i < len(lines):
        if TAB.match(lines[i]):
            tab = TAB.match(lines[i])["label"]
        elif lines[i] and not lines[i].startswith(" "):
            tab = None  # text at the margin ends a set of tabs
        match = FENCE.match(lines[i])
        if not match or not match["lang"] and not match["attrs"].strip():
            i += 1
            continue
        indent, fence = len(match["indent"]), match["fence"]
        body, i = [], i + 1
        while not lines[i].strip() == fence:
            body.append(lines[i][indent:])
            i += 1
        code = "\n".join(body)
        if "--8<--" in code:
            code = SNIPPET.sub(lambda m: snippet(m["path"], m["section"]), code)
        in_tab = tab if indent >= 4 else None
        found.append(
            {"lang": match["lang"], "attrs": match["attrs"], "code": code, "line": i, "tab": in_tab}
        )
        i += 1
    return found


def runnable(page: Path) -> list[tuple[dict, dict | None]]:
    """The python blocks the tests run, each with the Output block that follows it (or None)."""
    page_blocks = blocks(page)
    found = []
    for index, block in enumerate(page_blocks):
        if block["lang"] != "python" or ".no-test" in block["attrs"]:
            continue
        following = page_blocks[index + 1] if index + 1 < len(page_blocks) else None
        is_output = following is not None and 'title="Output"' in following["attrs"]
        found.append((block, following if is_output else None))
    return found


def requirements(page: Path) -> list[str]:
    """The modules a page needs beyond nanonet and numpy: its front matter's ``requires: [...]``."""
    front = FRONT_MATTER.match(page.read_text())
    listed = REQUIRES.search(front["yaml"]) if front else None
    return [name.strip() for name in listed["names"].split(",") if name.strip()] if listed else []


def is_runnable(page: Path) -> bool:
    """True if the page's front matter says ``runnable: true`` (it has Run buttons)."""
    front = FRONT_MATTER.match(page.read_text())
    return bool(front and re.search(r"^runnable:\s*true\s*$", front["yaml"], re.MULTILINE))


#: The teaching pages: Run buttons on the site, a notebook to download.
RUNNABLE = [page for page in PAGES if is_runnable(page)]


#: A starter block: ```python {data-exercise="leaky-relu"}.
EXERCISE = re.compile(r'data-exercise="(?P<name>[\w-]+)"')


def exercises(page: Path) -> list[dict]:
    """A page's self-checking exercises, in page order.

    Each is a dict: ``name``; ``index``, the starter's position among the
    page's runnable blocks; ``starter``, its code; and ``answer``, the code
    of the answer box's first python block (the runnable block after the
    starter), which replaces the starter whole.
    """
    blocks = [block for block, _ in runnable(page)]
    found = []
    for index, block in enumerate(blocks):
        match = EXERCISE.search(block["attrs"])
        if match:
            found.append(
                {
                    "name": match["name"],
                    "index": index,
                    "starter": block["code"],
                    "answer": blocks[index + 1]["code"],
                }
            )
    return found


#: Typical wrong answers, at least one per exercise: what a reader types into the starter,
#: as (the starter's text, what replaces it, words the verdict must hold).
STEPS_LOOP = """        if abs(out - 0.7) < tolerance:
            return step{plus}
        loss_fn(out, 0.7)
        {zero_grad}
        model.backward(loss_fn.backward())
        optimizer.step()"""
STEPS_TODO = """        # your code: return the number of steps taken so far if out is
        # within tolerance of 0.7; else take one step of training"""
TRAIN_LOOP = """    for step in range(steps):
        loss_fn(model(x), y)
        {zero_grad}
        {backward}
        {step}"""
TRAIN_TODO = "    # your code: train the model for `steps` steps on the whole batch"
FORWARD_AT = """from nanonet import sigmoid

s0 = {s0}
s1 = sigmoid(2.0 * s0)
s2 = sigmoid(1.0 * s1)
out = 0.5 * s2
factors = [{factors}]"""
FACTORS_TODO = "factors = [...]  # your code: your six numbers, such as [0.1, 2.0, ...]"
RIGHT_FACTORS = "out - 0.7, 0.5, s2 * (1 - s2), 1.0, s1 * (1 - s1), s0"
RETURN_GRAD = "        return grad"

WRONG_ANSWERS: dict[str, list[tuple[str, str, str]]] = {
    "chain-rule": [
        (
            FACTORS_TODO,
            FORWARD_AT.format(s0=1.5, factors=RIGHT_FACTORS.replace("s1 * (1 - s1)", "0.25")),
            "0.25 is the sigmoid's largest slope",
        ),
        (
            FACTORS_TODO,
            FORWARD_AT.format(s0=1.5, factors=RIGHT_FACTORS.replace("s1 * (1 - s1)", "s1")),
            "a value of the forward pass: the factor a sigmoid adds is its slope",
        ),
        (
            FACTORS_TODO,
            FORWARD_AT.format(s0=1.5, factors=RIGHT_FACTORS.replace("out - 0.7", "0.7 - out")),
            "has the wrong sign",
        ),
        (
            FACTORS_TODO,
            FORWARD_AT.format(s0=1.5, factors=RIGHT_FACTORS.replace(", s0", "")),
            "missing: dx1/dw0 (layer 0, Linear)",
        ),
        (
            FACTORS_TODO,
            FORWARD_AT.format(s0=2.0, factors=RIGHT_FACTORS),
            "are factors at the page's input s0 = 2, not at s0 = 1.5",
        ),
    ],
    "tanh-backward": [
        (RETURN_GRAD, "        return grad * (1 - self.y)", "your dy/dx is 1 - y"),
        (RETURN_GRAD, "        return 1 - self.y**2", "backward gives the same whatever grad"),
        (RETURN_GRAD, "        return grad * self.y * (1 - self.y)", "the sigmoid's derivative"),
    ],
    "steps-to-target": [
        (
            STEPS_TODO,
            STEPS_LOOP.format(plus=" + 1", zero_grad="optimizer.zero_grad()"),
            "one step off (one too many)",
        ),
        (
            STEPS_TODO,
            STEPS_LOOP.format(plus="", zero_grad="pass"),
            "a loop without optimizer.zero_grad()",
        ),
    ],
    "mse-loss": [
        ("        return self.diff", "        return self.diff", "4 times too large, exactly"),
        (
            "        return self.diff",
            "        return self.diff / len(self.diff)",
            "divides by 2, the number of rows",
        ),
        (
            "        return self.diff",
            "        return -self.diff / np.size(self.diff)",
            "sign flipped",
        ),
    ],
    "batch-linear": [
        (
            "self.weight.grad += grad * self.x",
            "self.weight.grad += grad * self.x",
            "a batch's gradients must be summed",
        ),
        (
            "self.weight.grad += grad * self.x",
            "self.weight.grad += float(np.mean(grad * self.x))",
            "4 times too small, exactly the batch size (4)",
        ),
        (
            "self.weight.grad += grad * self.x",
            "self.weight.grad = float(np.sum(grad * self.x))",
            "assigns the gradient of parameter 'weight' instead of adding to it",
        ),
    ],
    "dense-backward": [
        (
            RETURN_GRAD,
            "        self.weight.grad += self.x.T @ grad\n"
            "        self.bias.grad += grad.sum(axis=0)\n"
            "        return grad @ self.weight.value",
            "the transposed shape",
        ),
        (
            RETURN_GRAD,
            "        self.weight.grad += grad.T @ self.x\n"
            "        self.bias.grad += grad.mean(axis=0)\n"
            "        return grad @ self.weight.value",
            "4 times too small, exactly the batch size (4)",
        ),
        (
            RETURN_GRAD,
            "        self.weight.grad += grad.T @ self.x\n"
            "        self.bias.grad += grad.sum(axis=0)\n"
            "        return grad @ self.weight.value.T",
            "a matrix product in your backward has factors whose shapes do not fit",
        ),
    ],
    "moons-training": [
        (
            TRAIN_TODO,
            TRAIN_LOOP.format(
                zero_grad="pass",
                backward="model.backward(loss_fn.backward())",
                step="optimizer.step()",
            ),
            "never calls optimizer.zero_grad()",
        ),
        (
            TRAIN_TODO,
            TRAIN_LOOP.format(
                zero_grad="optimizer.zero_grad()",
                backward="model.backward(loss_fn.backward())",
                step="pass",
            ),
            "does each step call optimizer.step()",
        ),
        (
            TRAIN_TODO,
            TRAIN_LOOP.format(
                zero_grad="optimizer.zero_grad()", backward="pass", step="optimizer.step()"
            ),
            "does each step call model.backward(loss_fn.backward())",
        ),
    ],
    "confusion": [
        (
            "true_digit = ...  # your code: the digit most often read wrongly\n"
            "read_as = ...  # your code: what the network read it as",
            "true_digit, read_as = 1, 8",
            "you swapped them",
        ),
        (
            "true_digit = ...  # your code: the digit most often read wrongly\n"
            "read_as = ...  # your code: what the network read it as",
            "true_digit = read_as = 5",
            "on the diagonal",
        ),
    ],
    "leaky-relu": [
        (
            RETURN_GRAD,
            "        return grad * (self.x > 0)",
            "backward gives no gradient for input x at 2 of its 5 elements",
        ),
        (
            RETURN_GRAD,
            "        return np.where(self.x > 0, 1.0, self.negative_slope)",
            "backward gives the same whatever grad it gets",
        ),
        (
            RETURN_GRAD,
            "        return grad * np.where(self.x > 0, 1.0, 0.01)",
            "still uses the slope 0.01",
        ),
        (RETURN_GRAD, RETURN_GRAD, "is 100 times too large at 2 of its 5 elements"),
    ],
    "l1-loss": [
        (
            "        return 0.0 * self.d",
            "        return np.sign(self.d)",
            "4 times too large, exactly the batch size (4)",
        ),
        (
            "        return 0.0 * self.d",
            "        return -np.sign(self.d) / np.size(self.d)",
            "sign flipped",
        ),
        ("        return 0.0 * self.d", "        return 0.0 * self.d", "no gradient"),
    ],
    "momentum": [
        (
            "        return value - self.lr * grad",
            "        return value - self.lr * grad",
            "your steps are plain SGD's",
        ),
        (
            "        return value - self.lr * grad",
            "        b = state.get('b', grad)\n"
            "        b = self.momentum * b + (1 - self.momentum) * grad\n"
            "        state['b'] = b\n"
            "        return value - self.lr * b",
            "an average of the gradients",
        ),
        (
            "        return value - self.lr * grad",
            "        b = state.get('b')\n"
            "        b = grad * 1.0 if b is None else self.momentum * b + grad\n"
            "        state['b'] = b\n"
            "        return value + self.lr * b",
            "uphill",
        ),
        (
            "        return value - self.lr * grad",
            "        b = getattr(self, 'b', None)\n"
            "        self.b = grad * 1.0 if b is None else self.momentum * b + grad\n"
            "        return value - self.lr * self.b",
            "keep b in the state dict",
        ),
    ],
    "find-the-bugs": [
        (
            "self.a.grad += np.mean(grad * self.x, axis=0)",
            "self.a.grad += np.sum(grad * self.x, axis=0)",
            "assigns the gradient of parameter 'c' instead of adding to it",
        ),
        (
            "self.c.grad = np.sum(grad, axis=0)",
            "self.c.grad += np.sum(grad, axis=0)",
            "4 times too small, exactly the batch size (4)",
        ),
    ],
}


def wrong_answers(exercise: dict) -> list[tuple[str, str]]:
    """The exercise's typical wrong answers: (code, words its verdict must hold).

    Each is the starter with one part typed in, as a reader would; a
    replacement by itself is the unchanged starter, which must get its own
    words too.
    """
    found = []
    for part, typed, words in WRONG_ANSWERS[exercise["name"]]:
        assert part in exercise["starter"], f"{exercise['name']}: the starter has no {part!r}"
        found.append((exercise["starter"].replace(part, typed, 1), words))
    return found


def check_code(name: str) -> str:
    """The code the page's Check button sends after the block, and a notebook's check cell runs."""
    return f'__import__("nanonet.exercises").exercises.check({name!r}, globals()).as_dict()'


def load(path: Path) -> ModuleType:
    """Import the Python file at ``path`` as a module of its own.

    It is registered as ``nanonet_<folder>_<stem>`` (``nanonet_tools_notebook``), never
    under its bare stem, which could shadow an installed package (Jupyter's ``notebook``).
    """
    name = f"nanonet_{path.parent.name.lstrip('_')}_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # (dataclasses and pickling look modules up)
    spec.loader.exec_module(module)
    return module


def require_or_skip(what: str, reason: str) -> None:
    """Skip for ``reason``, or fail if ``NANONET_REQUIRE_<WHAT>=1`` says it must run."""
    variable = f"NANONET_REQUIRE_{what.upper()}"
    if os.environ.get(variable) == "1":
        pytest.fail(f"{reason} ({variable}=1)")
    pytest.skip(reason)


CHROMIUM = os.environ.get("NANONET_CHROMIUM", "/usr/bin/chromium")
#: Headless, quiet, and nothing of its own fetched from the network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
#: The same, and no host but 127.0.0.1 resolves, whatever a page asks for.
OFFLINE_CHROMIUM_ARGS = [*CHROMIUM_ARGS, "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def build_site(folder: Path, port: int | None = None, **env: str) -> subprocess.CompletedProcess:
    """Build the docs site (``--strict``) into ``folder``; return the finished ``mkdocs build``.

    With ``port``, the site is built as if deployed at 127.0.0.1:``port``: its
    site_url (NANONET_SITE_URL) is that address, and Material's instant
    navigation, which keeps Python loaded from page to page, works only there.
    ``env`` adds variables (``NANONET_TEACHER="1"``).
    """
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(folder)]
    variables = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **env}
    if port is not None:
        variables["NANONET_SITE_URL"] = f"http://127.0.0.1:{port}/"
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=variables)


@contextlib.contextmanager
def serving(folder: Path, port: int) -> Iterator[str]:
    """``folder`` served by Python's http.server on 127.0.0.1:``port``; yields its address."""
    command = [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", str(port)]
    process = subprocess.Popen(
        [*command, "--directory", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(100):
            with contextlib.suppress(OSError), urlopen(url, timeout=1):
                break
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


# -- broken layers: each has one habit that breaks a backward pass ---------------------

import numpy as np  # noqa: E402 (the layers below need it; the helpers above do not)

from nanonet import Layer, Parameter  # noqa: E402


class WrongInputGrad(Layer):
    """y = x**2 with a backward that forgets the factor 2."""

    def forward(self, x):
        self.x = x
        return x * x

    def backward(self, grad):
        return grad * self.x


class WrongParamGrad(Layer):
    """y = a * x**2 whose parameter gradient is off by a factor."""

    def __init__(self):
        self.a = Parameter([1.5, -0.5])

    def forward(self, x):
        self.x = x
        return self.a.value * x * x

    def backward(self, grad):
        self.a.grad += 0.5 * grad * self.x * self.x  # should be grad * x**2
        return grad * 2 * self.a.value * self.x


class WrongSign(Layer):
    """y = -x whose backward forgets the sign."""

    def forward(self, x):
        return -x

    def backward(self, grad):
        return grad


class Assigns(Layer):
    """y = w * x whose backward assigns the weight's gradient instead of adding to it."""

    def __init__(self):
        self.w = Parameter(2.0)

    def forward(self, x):
        self.x = x
        return self.w.value * x

    def backward(self, grad):
        self.w.grad = float(np.sum(grad * self.x))  # should be +=
        return grad * self.w.value


class WipesInput(Layer):
    """A forward that overwrites the array it was given."""

    def forward(self, x):
        x *= 2.0
        return x

    def backward(self, grad):
        return 2.0 * grad


class WipesGradient(Layer):
    """A backward that overwrites the gradient it was given."""

    def forward(self, x):
        return 2.0 * x

    def backward(self, grad):
        grad *= 2.0
        return grad


class NoReturn(Layer):
    """A backward without ``return``."""

    def forward(self, x):
        return 2.0 * x

    def backward(self, grad):
        2.0 * grad


class WrongShape(Layer):
    """A backward that returns part of the gradient."""

    def forward(self, x):
        return 1.0 * x

    def backward(self, grad):
        return grad[:1]


class SumsOverBatch(Layer):
    """y = 2x whose backward sums dC/d(input) over the batch: numpy broadcasting hides it."""

    def forward(self, x):
        return 2.0 * x

    def backward(self, grad):
        return 2.0 * grad.sum(axis=0)


class Transposes(Layer):
    """y = 2x whose backward returns its gradient transposed."""

    def forward(self, x):
        return 2.0 * x

    def backward(self, grad):
        return 2.0 * grad.T


class ForgetsToSum(Layer):
    """y = w * x whose backward leaves the weight's gradient per sample, unsummed."""

    def __init__(self):
        self.w = Parameter(2.0)

    def forward(self, x):
        self.x = x
        return self.w.value * x

    def backward(self, grad):
        self.w.grad = self.w.grad + grad * self.x  # an array for a batch: should be summed
        return grad * self.w.value


class Returns(Layer):
    """A layer whose forward returns ``value`` and whose backward returns ``grad``."""

    def __init__(self, value, grad=1.0):
        self.value, self.grad = value, grad

    def forward(self, x):
        return self.value

    def backward(self, grad):
        return self.grad
