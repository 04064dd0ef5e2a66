"""The Run buttons in a real browser: headless Chromium runs the tutorial's blocks.

Builds the site, serves it from 127.0.0.1, and drives Debian's Chromium
through Playwright (whose own browser download is not used). Every request
the page and its worker make is recorded, and all must go to 127.0.0.1;
outside hosts do not even resolve in this browser.

Needs the ``docs`` and ``browser`` extras, the runtime cache
(``python docs/_tools/fetch_runtime.py``) and Chromium at /usr/bin/chromium
(or $NANONET_CHROMIUM). Without them these tests skip, unless
NANONET_REQUIRE_BROWSER=1: then they fail. Screenshots go to
$NANONET_SCREENSHOTS if set.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import urlopen

import pytest
from support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    ROOT,
    RUNNABLE,
    load,
    outputs_match,
    require_or_skip,
    runnable,
)

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # the browser extra is not installed: the tests skip
    expect = sync_playwright = None

pytestmark = pytest.mark.browser

fetch_runtime = load(ROOT / "docs/_tools/fetch_runtime.py")
TUTORIAL = ROOT / "docs" / "tutorial.md"
NOT_INCLUDED = "The in-page Python was not included in this build; see README."
LOAD_TIMEOUT = 120_000  # ms: loading Python on a busy 2-core machine, then running


@pytest.fixture(scope="module")
def site(request) -> Path:
    """The docs site, built with the in-page Python (the docs_site fixture)."""
    if fetch_runtime.verify() is None:
        require_or_skip("browser", "no Pyodide runtime: run python docs/_tools/fetch_runtime.py")
    if importlib.util.find_spec("material") is None:
        require_or_skip("browser", "the docs extra is not installed")
    return request.getfixturevalue("docs_site")


@pytest.fixture(scope="module")
def server(site):
    """The site's address, served by Python's http.server on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", str(port)]
    process = subprocess.Popen(
        [*command, "--directory", str(site)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    for _ in range(100):
        with contextlib.suppress(OSError), urlopen(url, timeout=1):
            break
        time.sleep(0.1)
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
    if sync_playwright is None:
        require_or_skip("browser", "Playwright is not installed (the browser extra)")
    if not Path(CHROMIUM).exists():
        require_or_skip("browser", f"no Chromium at {CHROMIUM}")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                *CHROMIUM_ARGS,
                # Belt and braces: no outside host resolves, whatever the page asks.
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            ],
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
        outside = [url for url in self.requests if urlsplit(url).hostname != "127.0.0.1"]
        assert not outside, f"requests left 127.0.0.1: {outside}"
        assert not self.errors, f"JavaScript errors: {self.errors}"


@pytest.fixture
def visit(browser, server):
    visits = []

    def open_visit(**options) -> Visit:
        visits.append(Visit(browser, server, **options))
        return visits[-1]

    yield open_visit
    for each in visits:
        each.close()


def parts(page, index: int):
    """A runnable block, its Run button, its output area and its status."""
    block = page.locator("[data-run-block]").nth(index)
    # Open the collapsed admonitions it is in (an exercise's answer) and select its
    # tab if it is in one: a hidden button cannot be clicked.
    block.evaluate(
        """node => {
            for (let box = node.closest("details"); box; box = box.parentElement.closest("details"))
                box.open = true;
            const tab = node.closest(".tabbed-block");
            if (!tab) return;
            const set = tab.closest(".tabbed-set");
            const index = Array.from(tab.parentNode.children).indexOf(tab);
            set.querySelectorAll(":scope > .tabbed-labels > label")[index].click();
        }"""
    )
    bar = block.locator("xpath=following-sibling::*[1]")
    output = block.locator("xpath=following-sibling::*[2]")
    run = bar.get_by_role("button", name="Run", exact=True)
    return block, run, output, bar.get_by_role("status")


def wait_until_done(block, run) -> None:
    expect(block).not_to_have_attribute("aria-busy", "true", timeout=LOAD_TIMEOUT)
    expect(run).to_be_enabled()


def test_only_the_pages_the_tests_run_have_run_buttons(site):
    """The hook reads the front matter with YAML, the tests with a regex: they agree."""
    with_buttons = {
        str(html.parent.relative_to(site))
        for html in site.rglob("index.html")
        if "data-run-block" in html.read_text()
    }
    assert with_buttons == {page.stem for page in RUNNABLE}


@pytest.mark.parametrize("source", RUNNABLE, ids=[page.stem for page in RUNNABLE])
def test_the_browser_runs_the_code_the_node_test_runs(visit, source):
    """Each runnable page's Run buttons: one per runnable block, on the same code."""
    page = visit().open(f"{source.stem}/")
    blocks = page.locator("[data-run-block]")
    shown = blocks.evaluate_all(
        "nodes => nodes.map(node => node.querySelector('code').textContent)"
    )
    expected = [block["code"] for block, _ in runnable(source)]
    # Trailing blank lines aside (a snippet's last line is blank in the tests' copy).
    assert [code.rstrip() for code in shown] == [code.rstrip() for code in expected]
    assert page.locator(".run-bar").count() == len(shown)


def test_every_run_of_the_tutorial_prints_the_chapters_numbers(visit, tmp_path):
    shots = Path(os.environ.get("NANONET_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    tab = visit(viewport={"width": 1280, "height": 900})
    page = tab.open("tutorial/")
    expected = runnable(TUTORIAL)
    blocks = page.locator("[data-run-block]")
    assert blocks.count() == len(expected)
    # The browser runs exactly the code the Node test runs.
    shown = blocks.evaluate_all(
        "nodes => nodes.map(node => node.querySelector('code').textContent)"
    )
    assert [code.rstrip("\n") for code in shown] == [block["code"] for block, _ in expected]
    assert not any("/run/pyodide/" in url for url in tab.requests), "Python must load lazily"

    for index, (source, static) in enumerate(expected):
        block, run, output, status = parts(page, index)
        run.click()
        if index == 0:  # loading takes seconds: the busy state is visible
            expect(run).to_be_disabled()
            expect(block).to_have_attribute("aria-busy", "true")
            expect(status).to_contain_text("Loading")
            page.screenshot(path=shots / "tutorial-loading.png")
        wait_until_done(block, run)
        where = f"tutorial.md, block ending at line {source['line']}"
        assert output.locator(".run-output__error").is_hidden(), where
        assert not status.text_content().startswith(("Error", "Could not")), where
        if static is not None:
            printed = output.locator(".run-output__printed").text_content()
            assert outputs_match(static["code"], printed), f"{where}: {printed}"

    assert page.locator(".run-output__error:visible").count() == 0
    python_files = [url for url in tab.requests if "/run/pyodide/" in url]
    assert len(python_files) == len(set(python_files)), "Python loads once per page visit"

    # For people to look at: a block with its output, light, dark and narrow.
    trace = page.locator("[data-run-block]").nth(12)  # a block with its output
    trace.scroll_into_view_if_needed()
    page.screenshot(path=shots / "tutorial-light.png")
    page.locator("label[title='Switch to dark mode']").click()
    trace.scroll_into_view_if_needed()
    page.screenshot(path=shots / "tutorial-dark.png")
    page.set_viewport_size({"width": 400, "height": 900})
    trace.scroll_into_view_if_needed()
    page.screenshot(path=shots / "tutorial-400px.png")


def test_a_later_block_runs_the_ones_above_it_first(visit):
    page = visit().open("tutorial/")
    blocks = runnable(TUTORIAL)
    # The page's last block with an Output (an exercise's answer, say): it needs the others.
    last = max(index for index, (_, static) in enumerate(blocks) if static is not None)
    block, run, output, status = parts(page, last)
    run.click()
    wait_until_done(block, run)
    printed = output.locator(".run-output__printed").text_content()
    assert outputs_match(blocks[last][1]["code"], printed), printed
    # The earlier blocks ran, and show what they printed.
    _, _, first_output, _ = parts(page, 1)
    assert "Linear(weight=2.0)" in first_output.text_content()


def test_an_edited_block_that_raises_shows_its_traceback_and_the_page_keeps_working(
    visit, tmp_path
):
    page = visit().open("tutorial/")
    block, run, output, status = parts(page, 1)
    block.locator("xpath=following-sibling::*[1]").get_by_role("button", name="Edit").click()
    editor = block.get_by_role("textbox")
    editor.fill("weight = 0\nprint(1 / weight)")
    run.click()
    wait_until_done(block, run)
    error = output.locator(".run-output__error")
    assert error.is_visible()
    assert error.text_content().splitlines()[-1] == "ZeroDivisionError: division by zero"
    assert 'File "code block 2", line 2' in error.text_content()
    assert status.text_content() == "Error: ZeroDivisionError: division by zero"
    shots = Path(os.environ.get("NANONET_SCREENSHOTS", tmp_path))
    page.screenshot(path=shots / "tutorial-error.png")

    editor.fill("from nanonet import Linear, Sequential\nprint(Sequential(Linear(2.0)))")
    editor.press("Control+Enter")
    wait_until_done(block, run)
    assert output.locator(".run-output__error").is_hidden()
    assert "(0): Linear(weight=2.0)" in output.text_content()


def test_stop_ends_a_long_run_and_the_next_run_starts_afresh(visit):
    page = visit().open("tutorial/")
    block, run, output, status = parts(page, 2)
    bar = block.locator("xpath=following-sibling::*[1]")
    bar.get_by_role("button", name="Edit").click()
    block.get_by_role("textbox").fill("print('looping')\nwhile True:\n    pass")
    run.click()
    expect(output).to_contain_text("looping", timeout=LOAD_TIMEOUT)
    expect(run).to_be_disabled()
    bar.get_by_role("button", name="Stop").click()
    expect(status).to_contain_text("Stopped")
    expect(run).to_be_enabled()
    expect(block).not_to_have_attribute("aria-busy", "true")

    bar.get_by_role("button", name="Reset").click()
    run.click()
    wait_until_done(block, run)
    assert output.text_content().endswith("Linear(weight=0.023643249400513433)\n")


def test_without_the_runtime_the_run_buttons_say_so(visit):
    """As in a build without the cache: blocks carry no data-run-packages."""
    tab = visit()

    def strip(route):
        body = route.fetch().text()
        route.fulfill(
            body=body.replace("data-run-packages=", "data-stripped="), content_type="text/html"
        )

    tab.page.route("**/tutorial/", strip)
    page = tab.open("tutorial/")
    block, run, output, status = parts(page, 0)
    assert run.get_attribute("title") == NOT_INCLUDED
    run.click()
    expect(status).to_have_text(NOT_INCLUDED)
    assert output.is_hidden()
    assert not any(
        "/run/" in url and url.endswith((".whl", ".wasm", "worker.js")) for url in tab.requests
    )
