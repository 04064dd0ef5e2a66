"""Measure the docs' Run buttons as a reader meets them, for docs/performance.md.

Builds the site (as docs/build does, with site_url set to the local server,
so that Material's instant navigation works), serves it from 127.0.0.1 and
drives headless Chromium (Debian's, through Playwright: the ``browser``
extra) through the tutorial, ``--rounds`` times, each in a fresh browser
profile (nothing cached). Prints, per round and as ranges:

- the bytes the page fetches to start Python, and matplotlib's, as served
  and gzipped (a server that compresses sends about the latter);
- the seconds from a click on Run to the first output, with the page open
  and at rest for 10 s before the click, and with a click at once;
- the seconds from Run to the picture: a nanonet drawing, and History.plot
  (matplotlib loaded for it, then again once loaded);
- the seconds from Stop to the page's "Stopped", while a block prints in a
  tight loop.

Usage: python tools/measure_run_buttons.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import gzip
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from support import CHROMIUM, OFFLINE_CHROMIUM_ARGS, build_site, free_port, serving  # noqa: E402

PLOT = """from nanonet import History, Linear, MSELoss, SGD, Sequential, Sigmoid
model = Sequential(Linear(2.0), Sigmoid(), Linear(1.0), Sigmoid(), Linear(0.5))
loss_fn, optimizer = MSELoss(), SGD(model.parameters(), lr=0.1)
history = History(model)
for step in range(1000):
    out = model(2.0)
    loss = loss_fn(out, 0.7)
    optimizer.zero_grad()
    model.backward(loss_fn.backward())
    optimizer.step()
    history.record(loss, output=out)
history.plot(target=0.7)"""
FLOOD = "i = 0\nwhile True:\n    print(i)\n    i += 1"


def sizes(site: Path, urls: list[str]) -> tuple[int, int]:
    """The bytes of the site's files at these URLs: as served, and gzipped."""
    raw = packed = 0
    for url in set(urls):
        data = (site / url.split("/", 3)[3]).read_bytes()
        raw += len(data)
        packed += len(gzip.compress(data, 6))
    return raw, packed


class Tutorial:
    def __init__(self, browser, url: str):
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.requests: list[str] = []
        self.context.on("request", lambda request: self.requests.append(request.url))
        self.page = self.context.new_page()
        self.page.goto(url + "tutorial/")
        self.blocks = self.page.locator("[data-run-block]")

    def part(self, index: int, which: int):
        return self.blocks.nth(index).locator(f"xpath=following-sibling::*[{which}]")

    def edit(self, index: int, code: str) -> None:
        self.part(index, 1).get_by_role("button", name="Edit").click()
        self.blocks.nth(index).get_by_role("textbox").fill(code)

    def run(self, index: int, until: str) -> float:
        """Click Run; return the seconds until ``until`` (a selector in the output) shows."""
        start = time.monotonic()
        self.part(index, 1).get_by_role("button", name="Run", exact=True).click()
        self.part(index, 2).locator(until).first.wait_for(state="visible", timeout=300_000)
        return time.monotonic() - start

    def wait_idle(self, index: int) -> None:
        self.page.wait_for_function(
            f"!document.querySelectorAll('[data-run-block]')[{index}].hasAttribute('aria-busy')",
            timeout=300_000,
        )


def measure(browser, url: str, site: Path) -> dict[str, float]:
    found: dict[str, float] = {}
    tab = Tutorial(browser, url)
    found["output, a click at once (s)"] = tab.run(1, ".run-output__printed")
    tab.context.close()

    tab = Tutorial(browser, url)
    tab.page.wait_for_timeout(10_000)
    found["output, after 10 s at rest (s)"] = tab.run(1, ".run-output__printed")
    python = [u for u in tab.requests if "/run/pyodide/" in u or u.endswith("/run/runner.py")]
    found["Python, served (MB)"], found["Python, gzipped (MB)"] = (
        size / 1e6 for size in sizes(site, python)
    )
    draws = next(
        i
        for i in range(tab.blocks.count())
        if "draw(model" in tab.blocks.nth(i).locator("code").text_content()
    )
    found["drawing, Run to picture (s)"] = tab.run(draws, ".run-figure svg")
    tab.wait_idle(draws)
    before = len(tab.requests)
    tab.edit(1, PLOT)
    found["History.plot, first (matplotlib loads) (s)"] = tab.run(1, ".run-figure img")
    tab.wait_idle(1)
    wheels = [u for u in tab.requests[before:] if u.endswith(".whl")]
    found["matplotlib, served (MB)"], found["matplotlib, gzipped (MB)"] = (
        size / 1e6 for size in sizes(site, wheels)
    )
    found["History.plot, again (s)"] = tab.run(1, ".run-figure img")
    tab.wait_idle(1)
    tab.edit(2, FLOOD)
    tab.run(2, ".run-output__more")
    tab.page.wait_for_timeout(2000)
    start = time.monotonic()
    tab.part(2, 1).get_by_role("button", name="Stop").click()
    tab.part(2, 1).get_by_role("status").filter(has_text="Stopped").wait_for(timeout=60_000)
    found["Stop while printing (s)"] = time.monotonic() - start
    tab.context.close()
    return found


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    rounds = parser.parse_args().rounds
    port = free_port()
    with tempfile.TemporaryDirectory() as temp:
        site = Path(temp)
        build_site(site, port).check_returncode()
        results = []
        with serving(site, port) as url, sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=OFFLINE_CHROMIUM_ARGS
            )
            for round_ in range(rounds):
                results.append(measure(browser, url, site))
                print(f"round {round_ + 1}: {results[-1]}", flush=True)
            browser.close()
    for name in results[0]:
        values = [result[name] for result in results]
        print(f"{name:45} {min(values):.2f} – {max(values):.2f}")


if __name__ == "__main__":
    main()
