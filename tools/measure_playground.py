"""Measure the playground page against its targets, for docs/performance.md.

Builds the site (as tools/measure_run_buttons.py does), serves it from
127.0.0.1 and drives headless Chromium (Debian's, through Playwright: the
``browser`` extra) through the playground, ``--rounds`` times, each in a
fresh browser profile (nothing cached). Prints, per round and as ranges:

- the seconds from the first Play, clicked as soon as the page is there
  (Python still loading), to 90 % test accuracy: two moons, two hidden
  layers of 4 tanh units (2-4-4-1), 200 points;
- epochs per second while playing that network, pictures every epoch, and
  how many of those epochs had their pictures painted;
- input latency while playing, in the page's own clock: from a control's
  change (the activation, tanh and ReLU in turn) to its program shown, and
  to the new network's pictures painted (the epoch under way finishes
  first); from the pointer entering a unit to its picture painted large
  (the median of several of each);
- for a few settings, after the page played for a while: the relative
  difference between the test loss the page shows and the one its copied
  program prints when run here, in CPython, at the same epoch;
- the requests that went anywhere but the site (none, or it says which).

Usage: python tools/measure_playground.py [--rounds 3] [--seconds 10]
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from support import CHROMIUM, OFFLINE_CHROMIUM_ARGS, build_site, free_port, serving  # noqa: E402

MOONS = "playground/?dataset=moons&points=200&layers=4,4&activation=tanh"
#: Settings whose page and program losses are compared: the default network, the
#: page's three experiments, deeper networks, and Adam at 0.1 (the default before:
#: it magnifies the last bits in which the two numpys differ).
AGREEMENT = {
    "moons 2-4-4-1, Adam": MOONS,
    "moons 2-4-4-4-1, Adam, seed 3": "playground/?seed=3&layers=4,4,4",
    "moons 2-4-4-1, Adam at 0.1": MOONS + "&lr=0.1",
    "moons 2-4-4-4-1, Adam at 0.1, seed 3": "playground/?seed=3&layers=4,4,4&lr=0.1",
    "xor, no hidden layer": "playground/?dataset=xor&layers=&lr=0.1",
    "xor, 2 hidden units": "playground/?dataset=xor&layers=2&lr=0.1",
    "overfitting, 4x8 ReLU": (
        "playground/?points=50&noise=0.3&train=40&layers=8,8,8,8&activation=relu&lr=0.01"
    ),
    "spirals 2-8-8-8-1, Adam": "playground/?dataset=spirals&layers=8,8,8&lr=0.03",
    "SGD at lr 10 (chaotic)": "playground/?optimizer=sgd&lr=10",
}

# In the page: play, count the epochs and the painted ones for `seconds`.
RATE = """async (seconds) => {
    const canvas = document.querySelector("canvas.pg-plane");
    const epoch = () => Number(document.querySelector('[data-playground="epoch"]').textContent);
    const painted = new Set();
    const first = epoch(), start = performance.now();
    while (performance.now() - start < seconds * 1000) {
        painted.add(canvas.dataset.epoch);
        await new Promise((resolve) => requestAnimationFrame(resolve));
    }
    const epochs = epoch() - first;
    return { rate: epochs / ((performance.now() - start) / 1000), epochs, painted: painted.size };
}"""

# In the page, while playing: change the activation and time until the new
# network is painted; then hover units and time until the picture is painted.
LATENCY = """async (times) => {
    const canvas = document.querySelector("canvas.pg-plane");
    const select = document.getElementById("pg-activation");
    const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
    const changes = [], written = [];
    const code = document.querySelector('[data-playground="code"]');
    for (let i = 0; i < times; i++) {
        await new Promise((resolve) => setTimeout(resolve, 300));
        const network = canvas.dataset.network;
        const start = performance.now();
        select.value = select.value === "tanh" ? "relu" : "tanh";
        select.dispatchEvent(new Event("change", { bubbles: true }));
        if (code.textContent.includes(select.value === "relu" ? "ReLU()" : "Tanh()")) {
            written.push(performance.now() - start); // the program, rewritten at once
        }
        while (canvas.dataset.network === network) await frame();
        changes.push(performance.now() - start);
    }
    const hovers = [];
    const units = Array.from(document.querySelectorAll(".pg-unit"));
    const caption = document.querySelector(".pg-output h2");
    for (let i = 0; i < times; i++) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        const unit = units[(i * 3 + 2) % (units.length - 1)];
        const start = performance.now();
        unit.dispatchEvent(new PointerEvent("pointerenter"));
        while (caption.textContent === "The decision boundary") await frame();
        await frame(); // painted on screen
        hovers.push(performance.now() - start);
        unit.dispatchEvent(new PointerEvent("pointerleave"));
    }
    const median = (values) => values.sort((a, b) => a - b)[values.length >> 1];
    return {
        written: written.length === times ? median(written) : NaN,
        change: median(changes),
        changeMax: Math.max(...changes),
        hover: median(hovers),
    };
}"""

SHOWN = """() => ({
    epoch: Number(document.querySelector('[data-playground="epoch"]').textContent),
    loss: Number(document.querySelector('[data-playground="test-loss"]').dataset.value),
    code: document.querySelector('[data-playground="code"]').textContent,
})"""


class Tab:
    def __init__(self, browser, url: str, path: str):
        self.context = browser.new_context(viewport={"width": 1400, "height": 1000})
        self.requests: list[str] = []
        self.context.on("request", lambda request: self.requests.append(request.url))
        self.page = self.context.new_page()
        self.page.goto(url + path)

    def ready(self) -> None:
        self.page.wait_for_selector("canvas.pg-plane[data-epoch]", timeout=300_000)

    def outside(self) -> list[str]:
        hosts = {url: urlsplit(url.removeprefix("blob:")).hostname for url in self.requests}
        return [url for url, host in hosts.items() if host != "127.0.0.1"]


def agreement(tab: Tab, seconds: float) -> tuple[int, float]:
    """Play, pause, run the program the page shows: (epoch, relative difference)."""
    tab.ready()
    tab.page.get_by_role("button", name="Play").click()
    tab.page.wait_for_timeout(seconds * 1000)
    tab.page.get_by_role("button", name="Pause").click()
    tab.page.wait_for_timeout(500)
    shown = tab.page.evaluate(SHOWN)
    done = subprocess.run(
        [sys.executable, "-c", shown["code"]], capture_output=True, text=True, check=True
    )
    match = re.match(r"epoch (\d+): test loss (\S+),", done.stdout)
    assert match and int(match[1]) == shown["epoch"], done.stdout
    # the program prints 12 digits; for all of them, run it again without rounding
    exact = shown["code"].replace("{test_loss:.12g}", "{test_loss!r}")
    done = subprocess.run([sys.executable, "-c", exact], capture_output=True, text=True, check=True)
    loss = float(re.match(r"epoch \d+: test loss (\S+),", done.stdout)[1])
    return shown["epoch"], abs(loss - shown["loss"]) / abs(loss)


def measure(browser, url: str, seconds: float) -> tuple[dict[str, float], list[str]]:
    found: dict[str, float] = {}
    outside: list[str] = []
    tab = Tab(browser, url, MOONS)
    start = time.monotonic()
    tab.page.get_by_role("button", name="Play").click()
    tab.page.wait_for_function(
        "parseFloat(document.querySelector('[data-playground=\"test-accuracy\"]')"
        ".textContent) >= 90",
        timeout=300_000,
        polling=50,
    )
    found["first Play to 90 % test accuracy (s)"] = time.monotonic() - start
    rate = tab.page.evaluate(RATE, seconds)
    found["epochs per second, 2-4-4-1"] = rate["rate"]
    found["share of epochs painted"] = rate["painted"] / max(rate["epochs"], 1)
    latency = tab.page.evaluate(LATENCY, 9)
    found["a control changed, to its program shown (ms, median)"] = latency["written"]
    found["a control changed, to the new network painted (ms, median)"] = latency["change"]
    found["a control changed, slowest of 9 (ms)"] = latency["changeMax"]
    found["hover a unit, to its picture painted (ms, median)"] = latency["hover"]
    outside += tab.outside()
    tab.context.close()
    for name, path in AGREEMENT.items():
        tab = Tab(browser, url, path)
        epoch, difference = agreement(tab, seconds)
        found[f"test loss, page vs program, rel. difference: {name}"] = difference
        found[f"  (the epoch compared: {name})"] = epoch
        outside += tab.outside()
        tab.context.close()
    return found, outside


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=10.0, help="of playing, per measure")
    arguments = parser.parse_args()
    port = free_port()
    with tempfile.TemporaryDirectory() as temp:
        site = Path(temp)
        build_site(site, port).check_returncode()
        results, outside = [], []
        with serving(site, port) as url, sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=OFFLINE_CHROMIUM_ARGS
            )
            for round_ in range(arguments.rounds):
                found, left = measure(browser, url, arguments.seconds)
                results.append(found)
                outside += left
                print(f"round {round_ + 1}: {found}", flush=True)
            browser.close()
    model = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    print(re.search(r"Model name:\s*(.*)", model)[1] if "Model name" in model else "CPU: ?")
    for name in results[0]:
        values = [found[name] for found in results]
        low, high = min(values), max(values)
        shown = f"{low:.2g} – {high:.2g}" if high < 0.01 else f"{low:.2f} – {high:.2f}"
        print(f"{name:60} {shown}  (median {statistics.median(values):.3g})")
    print(f"requests to anything but the site: {len(outside)} {sorted(set(outside))[:5]}")


if __name__ == "__main__":
    main()
