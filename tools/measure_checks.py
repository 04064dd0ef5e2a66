"""Measure the exercises' Check buttons as a reader meets them: the seconds to a verdict.

Builds the site (as docs/build does), serves it from 127.0.0.1 and drives
headless Chromium (Debian's, through Playwright: the ``browser`` extra)
through every page with exercises. On each page a first Check loads Python
and runs the blocks above the exercise (what any first Run does); then
every exercise is checked ``--rounds`` times, on its unchanged starter and
on the page's answer, the rounds interleaved, and this prints, per
exercise, the median and the range of the seconds from the click on Check
to the verdict on the page (Playwright's clock), and the same as the page
measured it (from the click to the verdict shown). Exercises whose checker
trains a network are marked: the target of at most 1 s is for the others.

Usage: python tools/measure_checks.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from support import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    RUNNABLE,
    build_site,
    exercises,
    free_port,
    serving,
)

from nanonet.exercises import EXERCISES  # noqa: E402


def check(page, name: str, code: str | None) -> tuple[float, float]:
    """Check one exercise (its starter edited to ``code``, if given): seconds, as seen and as
    the page measured them."""
    block = page.locator(f'[data-exercise="{name}"]')
    bar = block.locator("xpath=following-sibling::*[1]")
    if code is not None:
        if bar.get_by_role("button", name="Edit").is_visible():
            bar.get_by_role("button", name="Edit").click()
        block.get_by_role("textbox").fill(code)
    block.evaluate("node => delete node.dataset.checkSeconds")
    start = time.monotonic()
    bar.get_by_role("button", name="Check", exact=True).click()
    page.wait_for_function(
        f"document.querySelector('[data-exercise=\"{name}\"]').dataset.checkSeconds",
        timeout=300_000,
    )
    seen = time.monotonic() - start
    return seen, float(block.get_attribute("data-check-seconds"))


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    seen: dict[tuple[str, str], list[float]] = {}
    measured: dict[tuple[str, str], list[float]] = {}
    with tempfile.TemporaryDirectory() as temp:
        site = Path(temp)
        build_site(site).check_returncode()
        with serving(site, free_port()) as url, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for source in RUNNABLE:
                found = exercises(source)
                if not found:
                    continue
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                page = context.new_page()
                page.goto(f"{url}{source.stem}/")
                first = check(page, found[-1]["name"], None)  # the first Run: all above
                print(f"{source.stem}: first Check (Python loads, blocks run) {first[0]:.1f} s")
                for _ in range(rounds):
                    for exercise in found:
                        for kind, code in (("starter", exercise["starter"]),
                                           ("answer", exercise["answer"])):  # fmt: skip
                            key = (exercise["name"], kind)
                            wall, own = check(page, exercise["name"], code)
                            seen.setdefault(key, []).append(wall)
                            measured.setdefault(key, []).append(own)
                context.close()
            browser.close()
    cpu = next(
        (line.split(":", 1)[1].strip() for line in _lscpu() if line.startswith("Model name")),
        platform.processor(),
    )
    print(f"\nCPU: {cpu}; {rounds} rounds; seconds from the click on Check to the verdict")
    print(f"{'exercise':16} {'code':8} {'median':>7} {'range':>13} {'page median':>12}")
    for (name, kind), values in seen.items():
        trains = " (trains)" if EXERCISES[name].trains else ""
        spread = f"{min(values):.2f}-{max(values):.2f}"
        page_median = statistics.median(measured[name, kind])
        print(
            f"{name:16} {kind:8} {statistics.median(values):7.2f} {spread:>13} "
            f"{page_median:12.2f}{trains}"
        )


def _lscpu() -> list[str]:
    try:
        return subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines()
    except OSError:
        return []


if __name__ == "__main__":
    main()
