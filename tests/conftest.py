"""Fixtures and helpers shared by the tests.

* ``two_node``: the chapter's network, ``two_node(w0=2.0, w1=1.0, w2=0.5)``.
* ``chapter``: the chapter's numbers, which the two-node tests check.
* ``Scale``: a user layer ``y = a * x`` with one scalar parameter, written
  as the docs teach (no ``__slots__``, no registration).
* ``example``: imports a script of ``examples/`` by name (they are scripts,
  not a package, and are not put on ``sys.path``).
* ``outputs_match``: support.outputs_match as a fixture.
* ``docs_site``: the docs site, built once per session with ``mkdocs build
  --strict`` (skipped without the ``docs`` extra); ``teacher_site``: the
  teacher's build of it (``NANONET_TEACHER=1``: no answers).
* ``site``, ``server``, ``browser``, ``visit``: for the tests in a real
  browser (test_browser.py, test_playground.py): the site built with the
  in-page Python as if deployed at a local server, that server on
  127.0.0.1, Debian's headless Chromium driven by Playwright, and
  ``visit(url=None, **options)``, a page in a fresh browser context (a `Visit`,
  of the site or of ``url``, such as ``teacher_server``'s) that
  records every request and JavaScript error, and fails the test if a
  request left 127.0.0.1 or an error was thrown. Without the runtime cache,
  the ``docs`` and ``browser`` extras or Chromium they skip, unless
  NANONET_REQUIRE_BROWSER=1: then they fail.
"""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path
from types import ModuleType, SimpleNamespace
from urllib.parse import urlsplit

import numpy as np
import pytest
from support import (
    CHROMIUM,
    OFFLINE_CHROMIUM_ARGS,
    ROOT,
    build_site,
    free_port,
    load,
    outputs_match,
    require_or_skip,
    serving,
)

from nanonet import Layer, Linear, Parameter, Sequential, Sigmoid

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # the browser extra is not installed: the browser tests skip
    sync_playwright = None

fetch_runtime = load(ROOT / "docs/_tools/fetch_runtime.py")


@pytest.fixture(name="outputs_match")
def outputs_match_fixture():
    return outputs_match


@pytest.fixture
def two_node():
    """A factory for the chapter's network: Linear, Sigmoid, Linear, Sigmoid, Linear."""

    def make(w0: float = 2.0, w1: float = 1.0, w2: float = 0.5) -> Sequential:
        return Sequential(Linear(w0), Sigmoid(), Linear(w1), Sigmoid(), Linear(w2))

    return make


@pytest.fixture(scope="session")
def chapter():
    """The chapter's numbers (Case-Studies-Python, "Backpropagation").

    Computed floats are compared with them to a tolerance (1e-15 for one
    step, 1e-12 after 1000 steps), never to the last bit.
    """
    s0, target, w0, w1, w2 = 2.0, 0.7, 2.0, 1.0, 0.5
    s1 = 1 / (1 + math.exp(-w0 * s0))
    s2 = 1 / (1 + math.exp(-w1 * s1))
    return SimpleNamespace(
        s0=s0,
        target=target,
        w0=w0,
        w1=w1,
        w2=w2,
        s1=s1,
        s2=s2,
        out=w2 * s2,
        initial_out=0.3637538067518208,
        initial_cost=0.056530751236945946,
        first_gradients={  # dC/dw at the initial weights
            "0.weight": -0.0011773525714957249,
            "2.weight": -0.03272931245596375,
            "4.weight": -0.24462166559966714,
        },
        final_weights={  # after 1000 steps of gradient descent
            "0.weight": 2.0030616267423027,
            "2.weight": 1.0820743827324726,
            "4.weight": 0.9418582194136942,
        },
        # the chapter's own loop, which updates w2 first and reuses it
        sequential_update_weights=(2.0031198590477275, 1.0834236223083622, 0.9415374060237287),
    )


class _Scale(Layer):
    """y = a * x: a user layer with one scalar parameter and no __slots__ or registration."""

    def __init__(self, a):
        self.a = Parameter(a)

    def forward(self, x):
        self.x = x
        return self.a.value * x

    def backward(self, grad):
        self.a.grad += float(np.sum(grad * self.x))
        return grad * self.a.value


@pytest.fixture(name="Scale", scope="session")
def scale_fixture():
    return _Scale


@pytest.fixture(scope="session")
def example():
    """Import ``examples/<name>.py`` as a module, by path."""
    loaded: dict[str, ModuleType] = {}

    def load_example(name: str) -> ModuleType:
        if name not in loaded:
            loaded[name] = load(ROOT / "examples" / f"{name}.py")
        return loaded[name]

    return load_example


@pytest.fixture(scope="session")
def docs_site(tmp_path_factory) -> Path:
    """The docs site, built as docs/build builds it, with whatever caches are filled."""
    return _built(tmp_path_factory.mktemp("site"), NANONET_TEACHER="0")


@pytest.fixture(scope="session")
def teacher_site(tmp_path_factory) -> Path:
    """The teacher's build of the docs site: NANONET_TEACHER=1, no answers."""
    return _built(tmp_path_factory.mktemp("teacher-site"), NANONET_TEACHER="1")


def _built(folder: Path, **environment: str) -> Path:
    if importlib.util.find_spec("material") is None:
        pytest.skip("the docs extra is not installed")
    done = build_site(folder, **environment)
    assert done.returncode == 0, done.stderr[-3000:]
    return folder


# -- a real browser: the site with its in-page Python, served on 127.0.0.1 ------------


@pytest.fixture(scope="session")
def port() -> int:
    """A free port on 127.0.0.1 for the site's server."""
    return free_port()


@pytest.fixture(scope="session")
def site(port, tmp_path_factory) -> Path:
    """The docs site, built with the in-page Python, as if deployed at the test server.

    Its site_url (NANONET_SITE_URL) is the server's address: Material's instant
    navigation, which keeps Python loaded from page to page, works only there.
    """
    if fetch_runtime.verify() is None:
        require_or_skip("browser", "no Pyodide runtime: run python docs/_tools/fetch_runtime.py")
    if importlib.util.find_spec("material") is None:
        require_or_skip("browser", "the docs extra is not installed")
    folder = tmp_path_factory.mktemp("site")
    done = build_site(folder, port)
    assert done.returncode == 0, done.stderr[-3000:]
    return folder


@pytest.fixture(scope="session")
def server(site, port):
    """The site's address, served on 127.0.0.1."""
    with serving(site, port) as url:
        yield url


@pytest.fixture(scope="session")
def teacher_server(teacher_site):
    """The teacher's build's address, served on 127.0.0.1 at another free port."""
    with serving(teacher_site, free_port()) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    if sync_playwright is None:
        require_or_skip("browser", "Playwright is not installed (the browser extra)")
    if not Path(CHROMIUM).exists():
        require_or_skip("browser", f"no Chromium at {CHROMIUM}")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=OFFLINE_CHROMIUM_ARGS,  # (belt and braces: no outside host resolves)
        )
        yield chromium
        chromium.close()


class Visit:
    """A page in a fresh browser context, with every request it made."""

    def __init__(self, browser, url: str, **options):
        self.context = browser.new_context(**options)
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.context.on("request", lambda request: self.requests.append(request.url))
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.url = url

    def open(self, path: str):
        self.page.goto(self.url + path)
        return self.page

    def close(self) -> None:
        self.context.close()
        # A blob: URL (a picture Run drew) names memory of the page, not a host.
        outside = [
            url
            for url in self.requests
            if urlsplit(url.removeprefix("blob:")).hostname != "127.0.0.1"
        ]
        assert not outside, f"requests left 127.0.0.1: {outside}"
        assert not self.errors, f"JavaScript errors: {self.errors}"


@pytest.fixture
def visit(browser, server):
    visits = []

    def open_visit(url: str | None = None, **options) -> Visit:
        visits.append(Visit(browser, url or server, **options))
        return visits[-1]

    yield open_visit
    for each in visits:
        each.close()
