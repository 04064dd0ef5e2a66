"""The Run buttons in a real browser: headless Chromium runs the tutorial's blocks.

The site is built, served from 127.0.0.1 and opened in Debian's Chromium
through Playwright (whose own browser download is not used) by the fixtures
of conftest.py (``site``, ``server``, ``browser``, ``visit``). Every request
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
import os
import re
from pathlib import Path

import pytest
from support import (
    ROOT,
    RUNNABLE,
    exercises,
    outputs_match,
    runnable,
    wrong_answers,
)

try:
    from playwright.sync_api import expect
except ImportError:  # the browser extra is not installed: the tests skip (conftest.py)
    expect = None

pytestmark = pytest.mark.browser

TUTORIAL = ROOT / "docs" / "tutorial.md"
NOT_INCLUDED = "The in-page Python was not included in this build; see README."
LOAD_TIMEOUT = 120_000  # ms: loading Python on a busy 2-core machine, then running


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
    # Python loads when the reader shows intent (the pointer on a block) or after
    # the page has been at rest for a moment: not with the page.
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
        if static is not None:  # the page shows what Run prints, digit for digit
            printed = output.locator(".run-output__printed").text_content()
            assert printed.rstrip("\n").splitlines() == [
                line.rstrip() for line in static["code"].rstrip("\n").splitlines()
            ], f"{where}: {printed}"

    assert page.locator(".run-output__error:visible").count() == 0
    python_files = [url for url in tab.requests if "/run/pyodide/" in url]
    assert len(python_files) == len(set(python_files)), "Python loads once per visit"

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
    block, check, verdict, status = check_parts(page, "chain-rule")  # Check says the same
    assert check.get_attribute("title") == NOT_INCLUDED
    check.click()
    expect(status).to_have_text(NOT_INCLUDED)
    assert verdict.is_hidden()
    assert not any(
        "/run/" in url and url.endswith((".whl", ".wasm", "worker.js")) for url in tab.requests
    )


def button(block, name: str):
    """A button of a block's bar: Run, Stop, Edit or Reset."""
    bar = block.locator("xpath=following-sibling::*[1]")
    return bar.get_by_role("button", name=name, exact=True)


def edit(block, code: str) -> None:
    """Edit a block (CodeMirror) and put ``code`` in it."""
    if button(block, "Edit").is_visible():
        button(block, "Edit").click()
    editor = block.get_by_role("textbox")
    editor.fill(code)


def test_a_run_after_the_page_was_read_for_ten_seconds_answers_at_once(visit):
    """Python loads while the reader reads: the click finds it ready and never waits for it.

    State checks, not a stopwatch: a timed assertion fails on a loaded machine.
    """
    tab = visit()
    page = tab.open("tutorial/")
    page.wait_for_timeout(10_000)  # reading, the pointer elsewhere
    assert any(url.endswith(".wasm") for url in tab.requests), "Python did not start loading"
    page.wait_for_function(
        """() => window.nanonetPython().then(() => (window.__loaded = true)) && window.__loaded""",
        timeout=LOAD_TIMEOUT,
    )
    block, run, output, status = parts(page, 1)
    run.click()
    expect(output).to_contain_text("Linear(weight=2.0)", timeout=LOAD_TIMEOUT)
    assert "Loading Python" not in (status.text_content() or "")


def test_stop_ends_a_block_that_prints_forever(visit):
    page = visit().open("tutorial/")
    edited, _, _, _ = parts(page, 1)
    mine = "from nanonet import Linear, Sequential\nmodel = Sequential(Linear(3.0))\nprint(model)"
    edit(edited, mine)  # the reader's own code
    block, run, output, status = parts(page, 2)
    edit(block, "i = 0\nwhile True:\n    print(i)\n    i += 1")
    run.click()
    # Printed lines arrive in batches; past the first thousand they are only counted.
    expect(output.locator(".run-output__more")).to_contain_text("more lines", timeout=LOAD_TIMEOUT)
    page.wait_for_timeout(2000)  # a flood well under way
    button(block, "Stop").click()
    # Stopped, not slowed down: the status says so and the count stops growing. (No
    # stopwatch: a timed assertion fails on a busy machine; the page's own timeout
    # for Stop is the bound.)
    expect(status).to_contain_text("Stopped", timeout=5000)
    expect(run).to_be_enabled(timeout=5000)
    printed = output.locator(".run-output__printed").text_content()
    assert printed.startswith("0\n1\n2\n") and len(printed.splitlines()) == 1000
    more = output.locator(".run-output__more").text_content()
    assert re.fullmatch(r"… [\d,]+ more lines", more), more
    page.wait_for_timeout(500)
    assert output.locator(".run-output__more").text_content() == more, "it went on printing"

    # A Run further down runs the blocks above again, but not the stopped one: it says so.
    later, later_run, later_output, later_status = parts(page, 4)
    later_run.click()
    wait_until_done(later, later_run)
    expect(status).to_have_text("Skipped: you stopped this block. Its own Run runs it again.")
    expect(later_status).to_contain_text("Skipped code block 3 above, which you stopped.")
    # The edited block above ran the reader's code, and keeps it.
    _, _, edited_output, _ = parts(page, 1)
    assert "Linear(weight=3.0)" in edited_output.text_content()
    assert edited.locator(".cm-line").all_text_contents() == mine.splitlines()


def test_the_editor_indents_with_tab_and_lets_the_keyboard_leave(visit):
    page = visit().open("tutorial/")
    block, run, output, status = parts(page, 2)
    button(block, "Edit").click()
    editor = block.get_by_role("textbox")
    expect(editor).to_be_focused()
    editor.fill("")
    page.keyboard.type("for i in range(2):")
    page.keyboard.press("Enter")  # indents after a colon
    page.keyboard.type("print(i)")
    page.keyboard.press("Enter")  # keeps the indentation
    page.keyboard.press("Shift+Tab")  # dedents
    page.keyboard.type("x = 1")
    page.keyboard.press("Tab")  # indents the line
    lines = block.locator(".cm-line").all_text_contents()
    assert lines == ["for i in range(2):", "    print(i)", "    x = 1"]
    # Highlighting while editing, in the page's code colours.
    assert block.locator(".cm-content .tok-keyword").first.text_content() == "for"
    # Escape, then Tab, leaves the editor: to the next button, Run.
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    expect(editor).not_to_be_focused()
    expect(run).to_be_focused()
    # Ctrl+Enter runs the block.
    editor.focus()
    editor.press("Control+Enter")
    wait_until_done(block, run)
    assert output.locator(".run-output__printed").text_content() == "0\n1\n"


def picture_bytes(output) -> list[str]:
    """Each picture under a block: an SVG's markup, or a PNG's bytes in base64."""
    return output.evaluate(
        """async (node) => Promise.all(
            Array.from(node.querySelectorAll(".run-figure"), async (figure) => {
                const image = figure.querySelector("img");
                if (!image) return figure.querySelector("svg").outerHTML;
                const bytes = new Uint8Array(await (await fetch(image.src)).arrayBuffer());
                return btoa(String.fromCharCode(...bytes));
            }),
        )"""
    )


#: A block's code draws if it calls draw or plot, or uses matplotlib.
DRAWS = re.compile(r"\bdraw\(|\.plot(_loss)?\(|\bplt\.|matplotlib")


def test_every_block_that_draws_shows_its_picture(visit):
    drawing = {
        page: [i for i, (block, _) in enumerate(runnable(page)) if DRAWS.search(block["code"])]
        for page in RUNNABLE
    }
    assert any(drawing.values()), "no page has a block that draws"
    tab = visit()
    for source, indexes in drawing.items():
        if not indexes:
            continue
        page = tab.open(f"{source.stem}/")
        for index in indexes:
            block, run, output, status = parts(page, index)
            run.click()
            wait_until_done(block, run)
            where = f"{source.name}, block {index + 1}: {status.text_content()}"
            assert not status.text_content().startswith("Error"), where
            expect(output.locator(".run-figure").first).to_be_visible()
            assert output.locator(".run-figure svg, .run-figure img").count() >= 1, where


def test_a_drawing_redraws_after_an_edit(visit):
    """The tutorial's draw block: the picture under it, then a new one for new weights."""
    page = visit().open("tutorial/")
    index = next(i for i, (b, _) in enumerate(runnable(TUTORIAL)) if "draw(model" in b["code"])
    block, run, output, status = parts(page, index)
    run.click()
    wait_until_done(block, run)
    svg = output.locator(".run-figure svg")
    expect(svg).to_have_count(1)
    assert "out" in svg.locator("title").text_content()
    before = picture_bytes(output)
    edit(block, "from nanonet import draw\ndraw(model, 1.0, target)")
    run.click()
    wait_until_done(block, run)
    after = picture_bytes(output)
    assert len(after) == 1 and after != before


def test_a_matplotlib_figure_shows_under_its_block_and_redraws(visit, tmp_path):
    """History.plot in the page: matplotlib loads for it, and the PNG follows each edit."""
    code = """from nanonet import History, Linear, MSELoss, SGD, Sequential, Sigmoid
model = Sequential(Linear(2.0), Sigmoid(), Linear(1.0), Sigmoid(), Linear(0.5))
loss_fn, optimizer = MSELoss(), SGD(model.parameters(), lr=0.1)
history = History(model)
for step in range(STEPS):
    out = model(2.0)
    loss = loss_fn(out, 0.7)
    optimizer.zero_grad()
    model.backward(loss_fn.backward())
    optimizer.step()
    history.record(loss, output=out)
history.plot(target=0.7)"""
    shots = Path(os.environ.get("NANONET_SCREENSHOTS", tmp_path))
    tab = visit(viewport={"width": 1280, "height": 900})
    page = tab.open("tutorial/")
    block, run, output, status = parts(page, 1)
    edit(block, code.replace("STEPS", "1000"))
    run.click()
    expect(status).to_contain_text("Loading matplotlib", timeout=LOAD_TIMEOUT)
    wait_until_done(block, run)
    image = output.locator(".run-figure img")
    expect(image).to_have_count(1)
    assert "Iteration number" in image.get_attribute("alt")
    # History.plot's figure is 12 inches wide: drawn as wide as the column instead.
    column = block.evaluate("node => node.clientWidth")
    assert abs(image.evaluate("img => img.naturalWidth") - column) <= 2
    # Scaled to the column, and a link opens it full size.
    assert image.evaluate(
        "img => img.getBoundingClientRect().width <= img.closest('.run-output').clientWidth"
    )
    assert output.locator(".run-figure a[target=_blank]").count() == 1
    before = picture_bytes(output)
    output.scroll_into_view_if_needed()
    page.screenshot(path=shots / "tutorial-plot-light.png")
    page.locator("label[title='Switch to dark mode']").click()
    edit(block, code.replace("STEPS", "30"))
    run.click()
    wait_until_done(block, run)
    after = picture_bytes(output)
    assert len(after) == 1 and after != before
    assert output.locator(".run-figure").get_attribute("data-theme") == "dark"
    output.scroll_into_view_if_needed()
    page.screenshot(path=shots / "tutorial-plot-dark.png")
    assert any(url.endswith(".whl") and "matplotlib-3" in url for url in tab.requests)
    # A block that draws in a loop shows the first 20 pictures, and counts the rest.
    loop = (
        "import matplotlib.pyplot as plt\nfor i in range(25):\n    plt.plot([i, 0])\n    plt.show()"
    )
    edit(block, loop)
    run.click()
    wait_until_done(block, run)
    expect(output.locator(".run-figure img")).to_have_count(20)
    expect(output.locator(".run-output__note")).to_have_text("… 5 more pictures")


def test_python_stays_loaded_across_pages(visit):
    """Material's instant navigation: the next page's Run uses the same Python, afresh."""
    tab = visit()
    page = tab.open("tutorial/")
    block, run, output, status = parts(page, 1)
    run.click()
    wait_until_done(block, run)
    page.evaluate("window.sameDocument = true")
    page.get_by_role("link", name="Training on many samples").first.click()
    page.wait_for_url("**/batches/")
    assert page.evaluate("window.sameDocument === true"), "the page was reloaded"
    block, run, output, status = parts(page, 0)
    edit(block, "print('w0' in globals(), 'Linear' in globals())")
    run.click()
    wait_until_done(block, run)
    assert output.locator(".run-output__printed").text_content() == "False False\n"
    assert len([url for url in tab.requests if url.endswith("pyodide.asm.wasm")]) == 1


#: Every element of the content that is wider inside than its box and does not
#: show it all: each must scroll and carry scroll-cues.js's cue; the page itself
#: must not be wider than the screen.
CUT_WITHOUT_CUE = """() => {
    const cut = [];
    for (const node of document.querySelectorAll(".md-content *")) {
        if (node.scrollWidth <= node.clientWidth + 1 || !node.getClientRects().length) continue;
        if (getComputedStyle(node).overflowX === "visible") continue;
        if (!node.classList.contains("scroll-cue")) cut.push(node.outerHTML.slice(0, 120));
    }
    const page = document.documentElement;
    if (page.scrollWidth > innerWidth + 1) cut.push("the page scrolls sideways");
    return cut;
}"""


#: Material's script has wrapped the page's tables in boxes that scroll (it does so
#: when the page loads, for tables without a class attribute).
TABLES_WRAPPED = """() => Array.from(document.querySelectorAll(".md-typeset table:not([class])"))
    .every((table) => table.closest(".md-typeset__scrollwrap"))"""


def cut_without_cue(page) -> list[str]:
    """What CUT_WITHOUT_CUE finds once scroll-cues.js has marked the page.

    It marks on the next animation frame, which a busy machine may delay:
    the page gets up to 3 s to have nothing cut, then what is cut is reported.
    """
    with contextlib.suppress(Exception):  # (Playwright's TimeoutError)
        page.wait_for_function(f"({CUT_WITHOUT_CUE})().length === 0", timeout=3000)
    return page.evaluate(CUT_WITHOUT_CUE)


@pytest.mark.parametrize("width", [360, 400])
def test_on_a_phone_nothing_is_cut_off_without_a_cue(visit, site, server, width, tmp_path):
    shots = Path(os.environ.get("NANONET_SCREENSHOTS", tmp_path))
    page = visit(viewport={"width": width, "height": 800}).open("")
    pages = sorted(
        str(html.parent.relative_to(site))
        for html in site.rglob("index.html")
        if html.parent != site
    )
    problems = {}
    for path in ["", *(f"{path}/" for path in pages)]:
        page.goto(server + path)
        page.wait_for_function(TABLES_WRAPPED)  # under load, Material's script comes late
        page.evaluate(
            "() => { for (const box of document.querySelectorAll('details')) box.open = true; }"
        )
        cut = cut_without_cue(page)
        if cut:
            problems[path or "home"] = cut
    # The tutorial with Run's outputs: the trace (a wide table of text) and the drawing.
    page.goto(server + "tutorial/")
    index = next(i for i, (b, _) in enumerate(runnable(TUTORIAL)) if "draw(model" in b["code"])
    block, run, output, status = parts(page, index)
    run.click()
    wait_until_done(block, run)
    expect(output.locator(".run-figure svg")).to_be_visible()
    cut = cut_without_cue(page)
    if cut:
        problems["tutorial, after Run"] = cut
    assert output.locator(".run-figure.scroll-cue, pre.scroll-cue").count() >= 1
    output.scroll_into_view_if_needed()
    page.screenshot(path=shots / f"tutorial-{width}px-drawing.png")
    assert not problems, problems


def test_on_a_phone_figures_and_drawings_fit_the_column_and_open_larger(visit):
    """Shrunk to the column, a figure links to its full-size SVG; a drawing enlarges on a tap."""
    page = visit(viewport={"width": 400, "height": 800}, color_scheme="dark").open("tutorial/")
    figures = page.locator("a.figure-full:visible")
    assert figures.count() >= 2
    for k in range(figures.count()):
        link = figures.nth(k)
        assert link.locator("img").bounding_box()["width"] <= 400 - 32 + 0.5
        assert re.search(r"img/[\w-]+-dark\.svg$", link.get_attribute("href"))
        hint = link.evaluate("a => getComputedStyle(a, '::after').content")
        assert "open it full size" in hint
    # A drawing fits the column too; tapped (focused), it takes its legible width and scrolls.
    drawing = page.locator('[data-drawing="two_node_backprop"]')
    assert drawing.locator("svg").bounding_box()["width"] <= 400 - 32 + 0.5
    assert "larger" in drawing.evaluate("d => getComputedStyle(d, '::after').content")
    drawing.focus()
    assert drawing.evaluate("d => d.scrollWidth > d.clientWidth + 1")
    wide = visit(viewport={"width": 1280, "height": 800}).open("tutorial/")
    link = wide.locator("a.figure-full:visible").first
    assert link.evaluate("a => getComputedStyle(a, '::after').content") == "none"


#: A page's printed outputs (its "Output" blocks and Run's) wider than their box.
WIDE_OUTPUTS = """() => Array.from(
    document.querySelectorAll(".md-content .highlight pre > code, .run-output__printed"),
    (node) => [node, node.closest(".highlight")?.querySelector(":scope > .filename")],
).filter(([node, title]) => node.matches(".run-output__printed") || title?.textContent === "Output")
 .filter(([node]) => node.getClientRects().length && node.scrollWidth > node.clientWidth + 1)
 .map(([node]) => node.textContent.slice(0, 80))"""


def test_on_a_laptop_every_printed_output_fits_the_column(visit, site, server):
    """At 1280 px an error message, a list or a repr wraps; only columns would scroll."""
    page = visit(viewport={"width": 1280, "height": 900}).open("")
    wide = {}
    for html in sorted(site.rglob("index.html")):
        path = html.parent.relative_to(site).as_posix()
        page.goto(server + ("" if path == "." else f"{path}/"))
        page.evaluate(
            "() => { for (const box of document.querySelectorAll('details')) box.open = true; }"
        )
        page.wait_for_timeout(200)  # scroll-cues.js looks at the page on the next frame
        if found := page.evaluate(WIDE_OUTPUTS):
            wide[path] = found
    assert not wide, wide
    # Run's output wraps as the page's does: gradcheck's named mistake, in full.
    page.goto(server + "custom-layers/")
    block = page.locator("[data-run-block]").filter(has_text="ForgetfulBias").first
    index = block.evaluate(
        "node => [...document.querySelectorAll('[data-run-block]')].indexOf(node)"
    )
    block, run, output, status = parts(page, index)
    run.click()
    wait_until_done(block, run)
    printed = output.locator(".run-output__printed")
    expect(printed).to_contain_text("instead of adding to it")
    page.wait_for_timeout(200)
    assert page.evaluate(WIDE_OUTPUTS) == []
    # Columns keep their lines: the tutorial's trace at 400 px scrolls, with its cue.
    page.set_viewport_size({"width": 400, "height": 800})
    page.goto(server + "tutorial/")
    trace = page.locator(".highlight pre > code", has_text="forward pass").first
    trace.scroll_into_view_if_needed()
    page.wait_for_timeout(200)
    assert "wraps" not in trace.get_attribute("class")
    expect(trace).to_have_class(re.compile(r"\bscroll-cue\b"))
    # and so do numbers printed one line under the other, to be compared digit by digit.
    compared = page.locator(".highlight pre > code", has_text="chapter: 2.003").first
    compared.scroll_into_view_if_needed()
    page.wait_for_timeout(200)
    expect(compared).to_have_class(re.compile(r"\bscroll-cue\b"))
    assert "wraps" not in compared.get_attribute("class")


def test_other_scripts_can_check_a_block_and_run_code_of_their_own(visit):
    """window.nanonetPython(): what a later Check button or a playground page would use."""
    page = visit().open("tutorial/")
    block, run, output, status = parts(page, 1)
    run.click()
    wait_until_done(block, run)
    results = page.evaluate(
        """async () => {
            const python = await window.nanonetPython();
            const printed = [];
            const check = (code) => python.request({ type: "check", code, name: "a check" });
            return {
                right: await check("model[0].weight.value == 2.0"),
                wrong: await check("True if model[0].weight.value == 3 else 'w0 is not 3'"),
                // A playground keeps its own namespace, and gets each result as JSON.
                playground: await python.request(
                    { type: "run", code: "x = 41\\nprint('hi')\\n{'x': x + 1}",
                      name: "playground", scope: "playground" },
                    (message) => message.type === "output" && printed.push(message.text),
                ),
                printed,
                page: await check("'x' not in globals()"),
            };
        }"""
    )
    assert results["right"]["passed"] is True
    assert results["wrong"] == {**results["wrong"], "passed": False, "message": "w0 is not 3"}
    assert results["playground"]["status"] == "ok"
    assert results["playground"]["value"] == {"x": 42}
    assert "".join(results["printed"]) == "hi\n"
    assert results["page"]["passed"] is True  # the page's namespace does not see the playground's


# -- the exercises' Check buttons (docs/run/exercises.js) ------------------------------

EXERCISE_PAGES = [page for page in RUNNABLE if exercises(page)]


def check_parts(page, name: str):
    """An exercise's starter block, its Check button, its verdict and its status."""
    block = page.locator(f'[data-exercise="{name}"]')
    bar = block.locator("xpath=following-sibling::*[1]")
    output = block.locator("xpath=following-sibling::*[2]")
    return (
        block,
        bar.get_by_role("button", name="Check", exact=True),
        output.locator(".run-verdict"),
        bar.get_by_role("status"),
    )


def checked(block, check, verdict) -> str:
    """Press Check; wait for the verdict; return it."""
    check.click()  # the block is busy from the click on (run.js sets it before any await)
    wait_until_done(block, check)
    expect(verdict).to_be_visible()
    return verdict.text_content()


@pytest.mark.parametrize("source", EXERCISE_PAGES, ids=[page.stem for page in EXERCISE_PAGES])
def test_every_exercise_checks_its_starter_its_answer_and_its_typical_wrong_answers(
    visit, source, tmp_path
):
    """Not yet for the unchanged starter, its own words for each wrong answer, then Correct."""
    shots = Path(os.environ.get("NANONET_SCREENSHOTS", tmp_path))
    tab = visit(viewport={"width": 1280, "height": 900})
    page = tab.open(f"{source.stem}/")
    found = exercises(source)
    summary = page.locator(".exercise-progress__text")
    expect(summary).to_have_text(
        f"Exercises checked correct on this page: 0 of {len(found)} (kept in this browser only)."
    )
    for exercise in found:
        name = exercise["name"]
        block, check, verdict, status = check_parts(page, name)
        assert verdict.get_attribute("role") == "status"  # announced to screen readers
        said = checked(block, check, verdict)
        assert said.startswith("Not yet: ") and len(said) > 40, (name, said)
        assert verdict.get_attribute("class") == "run-verdict run-verdict--not-yet"
        tick = block.locator("xpath=ancestor::*[contains(@class, 'admonition')][1]").locator(
            ".exercise-tick"
        )
        expect(tick).to_be_hidden()
        for code, words in wrong_answers(exercise):
            edit(block, code)
            said = checked(block, check, verdict)
            assert said.startswith("Not yet: ") and words in said, (name, words, said)
        edit(block, exercise["answer"])
        said = checked(block, check, verdict)
        assert said.startswith("Correct: "), (name, said)
        assert verdict.get_attribute("class") == "run-verdict run-verdict--correct"
        assert status.text_content().startswith("Ran and checked in ")
        expect(tick).to_be_visible()
        # Run alone hides the verdict: it was of the code as it was then.
        button(block, "Run").click()
        wait_until_done(block, button(block, "Run"))
        expect(verdict).to_be_hidden()
    expect(summary).to_have_text(
        f"Exercises checked correct on this page: {len(found)} of {len(found)} "
        "(kept in this browser only)."
    )
    block, check, verdict, _ = check_parts(page, found[0]["name"])
    verdict_box = block.locator("xpath=ancestor::*[contains(@class, 'admonition')][1]")
    verdict_box.scroll_into_view_if_needed()
    page.screenshot(path=shots / f"{source.stem}-exercises.png")


def test_progress_survives_a_reload_and_reset_clears_it(visit):
    tab = visit()
    page = tab.open("custom-layers/")
    (exercise, *_) = exercises(next(p for p in RUNNABLE if p.stem == "custom-layers"))
    block, check, verdict, _ = check_parts(page, exercise["name"])
    edit(block, exercise["answer"])
    assert checked(block, check, verdict).startswith("Correct: ")
    stored = page.evaluate("() => JSON.parse(localStorage.getItem('nanonet-exercises'))")
    assert stored == {exercise["name"]: True}  # the only thing kept, in this browser

    page.reload()
    box = page.locator(f'[data-exercise="{exercise["name"]}"]').locator(
        "xpath=ancestor::*[contains(@class, 'admonition')][1]"
    )
    expect(box.locator(".exercise-tick")).to_be_visible()
    assert box.locator(".admonition-title").text_content().endswith("✓ (done)")
    expect(page.locator(".exercise-progress__text")).to_contain_text("1 of 4")
    # Only the exercise checked has its tick.
    expect(page.locator(".exercise-tick:visible")).to_have_count(1)

    page.get_by_role("button", name="Reset my progress").click()
    expect(box.locator(".exercise-tick")).to_be_hidden()
    expect(page.locator(".exercise-progress__text")).to_contain_text("0 of 4")
    expect(page.locator(".exercise-progress__said")).to_have_text("Your progress was reset.")
    assert page.evaluate("() => localStorage.getItem('nanonet-exercises')") is None
    page.reload()
    expect(page.locator(".exercise-tick:visible")).to_have_count(0)


def test_check_on_a_block_that_raises_says_so_and_stop_ends_a_check_that_loops(visit):
    page = visit().open("custom-layers/")
    block, check, verdict, status = check_parts(page, "leaky-relu")
    edit(block, "class LeakyReLU(Layer):\n    1 / 0")
    said = checked(block, check, verdict)
    assert said == "Not yet: the block raised an error (above): fix it, then Check again."
    output = block.locator("xpath=following-sibling::*[2]")
    assert "ZeroDivisionError" in output.locator(".run-output__error").text_content()
    # A backward that never returns: Check runs it, and Stop ends it.
    edit(
        block,
        "class LeakyReLU(Layer):\n"
        "    def __init__(self, negative_slope=0.01):\n"
        "        self.negative_slope = negative_slope\n\n"
        "    def forward(self, x):\n        return x\n\n"
        "    def backward(self, grad):\n        while True:\n            pass",
    )
    check.click()
    expect(status).to_have_text("Checking…", timeout=LOAD_TIMEOUT)
    button(block, "Stop").click()
    expect(status).to_contain_text("Stopped")
    expect(check).to_be_enabled()
    edit(block, exercises(next(p for p in RUNNABLE if p.stem == "custom-layers"))[0]["answer"])
    assert checked(block, check, verdict).startswith("Correct: ")


def test_the_teachers_site_has_no_answer_box_and_still_checks(visit, teacher_server):
    """Served on its own: the exercises check; no details box holds an answer."""
    page = visit(url=teacher_server).open("networks/")
    assert page.locator("details").count() == 0
    block, check, verdict, _ = check_parts(page, "dense-backward")
    assert checked(block, check, verdict).startswith("Not yet: ")
