"""Use the installed nanonet as a user would, outside the checkout (run by .ci/wheel).

Run it with the Python of a fresh environment that holds the wheel and what
the wheel requires, and nothing of the checkout, from a folder outside the
checkout::

    python -I -W error smoke.py CHECKOUT

It first proves that ``import nanonet`` found the installed copy: in that
environment's site-packages, not under CHECKOUT. Then it uses it: the
chapter's two-node network and its numbers, the shipped digits, a save and
load round trip, the licence files and metadata, and every example in the
package's docstrings, which run with `doctest`.

It imports nothing from ``tests/``: printed numbers are compared here as
``outputs_match`` in ``tests/support.py`` compares them, to a relative
tolerance, so that an example may show a float in full on any CPU.
"""

from __future__ import annotations

import doctest
import importlib
import importlib.metadata
import importlib.resources
import math
import os
import pkgutil
import re
import sys
import sysconfig
import tempfile
from pathlib import Path

import numpy as np

import nanonet

#: The chapter's weights after 1000 steps of SGD (lr 0.1) from w0, w1, w2 = 2, 1, 0.5
#: on the input 2.0 and the target 0.7 (Case-Studies-Python, "Backpropagation").
CHAPTER_WEIGHTS = [2.0030616267423027, 1.0820743827324726, 0.9418582194136942]
DIGITS_PER_CLASS = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]


def check(condition: bool, message: str) -> None:
    """Stop with ``message`` unless ``condition`` holds (assert would vanish under -O)."""
    if not condition:
        sys.exit(f"smoke: FAILED: {message}")


def check_it_is_the_installed_copy(checkout: Path) -> None:
    """nanonet was imported from this environment's site-packages, not the checkout."""
    location = Path(nanonet.__file__).resolve()
    site_packages = Path(sysconfig.get_paths()["purelib"]).resolve()
    check(
        location.is_relative_to(site_packages),
        f"nanonet was imported from {location}, not from {site_packages}",
    )
    check(
        not location.is_relative_to(checkout.resolve()),
        f"nanonet was imported from the checkout: {location}",
    )
    check(
        not Path.cwd().resolve().is_relative_to(checkout.resolve()),
        f"the smoke test runs inside the checkout: {Path.cwd()}",
    )
    names = {dist.metadata["Name"].lower() for dist in importlib.metadata.distributions()}
    installed = names - {"pip", "setuptools"}  # what venv puts in every environment
    check(
        installed == {"nanonet", "numpy"},
        f"the environment should hold nanonet and numpy only, it holds {sorted(installed)}",
    )


def check_metadata_and_files() -> None:
    """One version, the licence metadata and files, and py.typed."""
    distribution = importlib.metadata.distribution("nanonet")
    check(
        nanonet.__version__ == distribution.version,
        f"nanonet.__version__ is {nanonet.__version__}, its metadata {distribution.version}",
    )
    expression = distribution.metadata["License-Expression"]
    check(expression == "MIT AND CC-BY-4.0", f"License-Expression is {expression!r}")
    code_licence = distribution.read_text("licenses/LICENSE") or ""
    check(code_licence.startswith("MIT License"), "the dist-info holds no MIT licence")
    digits_licence = distribution.read_text("licenses/nanonet/_data/DIGITS-LICENSE.txt") or ""
    check("CC BY 4.0" in digits_licence, "the dist-info holds no licence for the digits")
    package = importlib.resources.files("nanonet")
    check((package / "py.typed").is_file(), "py.typed is missing")
    shipped = (package / "_data" / "DIGITS-LICENSE.txt").read_text()
    check(shipped == digits_licence, "the digits' licence differs beside the data")


def check_the_two_node_network() -> None:
    """The chapter's network trains to the chapter's numbers."""
    from nanonet import SGD, Linear, MSELoss, Sequential, Sigmoid

    model = Sequential(Linear(2.0), Sigmoid(), Linear(1.0), Sigmoid(), Linear(0.5))
    loss_fn = MSELoss()
    optimizer = SGD(model.parameters(), lr=0.1)
    for step in range(1000):
        loss_fn(model(2.0), 0.7)
        optimizer.zero_grad()
        model.backward(loss_fn.backward())
        optimizer.step()
    weights = [parameter.value for parameter in model.parameters()]
    gaps = [abs(w - expected) for w, expected in zip(weights, CHAPTER_WEIGHTS, strict=True)]
    check(
        max(gaps) <= 1e-12,
        f"after 1000 steps the weights are {weights}, the chapter's {CHAPTER_WEIGHTS}",
    )
    check(abs(model(2.0) - 0.7) <= 1e-12, f"model(2.0) is {model(2.0)}, not 0.7")


def check_the_digits() -> None:
    """The shipped digits load, with their shapes, range and class counts."""
    from nanonet.datasets import load_digits

    X, y = load_digits()
    check(X.shape == (1797, 64) and X.dtype == np.float64, f"X is {X.shape} {X.dtype}")
    check(y.shape == (1797,) and y.dtype == np.int64, f"y is {y.shape} {y.dtype}")
    check(X.min() == 0.0 and X.max() == 16.0, f"pixels run from {X.min()} to {X.max()}")
    check(bool(np.array_equal(X, np.round(X))), "pixels are not whole numbers")
    counts = np.bincount(y).tolist()
    check(counts == DIGITS_PER_CLASS, f"the digits per class are {counts}")
    check(y[:10].tolist() == list(range(10)), f"the first labels are {y[:10].tolist()}")


def check_save_and_load(folder: Path) -> None:
    """Weights saved and loaded again are the same, bit for bit."""
    from nanonet import Dense, Linear, ReLU, Sequential, Sigmoid, load, save

    def two_node(w: float) -> Sequential:
        return Sequential(Linear(w), Sigmoid(), Linear(w / 3), Sigmoid(), Linear(-w))

    def digits_network(seed: int) -> Sequential:
        return Sequential(Dense(64, 16, rng=seed), ReLU(), Dense(16, 10, rng=seed))

    path = folder / "weights.npz"
    for saved, loaded in [(two_node(0.1), two_node(2.0)), (digits_network(1), digits_network(2))]:
        save(saved, path)
        load(loaded, path)
        before, after = saved.state_dict(), loaded.state_dict()
        check(list(before) == list(after), f"names {list(before)} came back as {list(after)}")
        for name in before:
            a, b = np.asarray(before[name]), np.asarray(after[name])
            same = a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()
            check(same, f"{name} did not come back bit for bit")


# --- the docstring examples --------------------------------------------------

# A number as Python and numpy print it; not part of a name such as "x1" or "0.weight".
_NUMBER = re.compile(
    r"(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?(?![\w.])|(?<![\w.])-?(?:inf|nan)\b"
)


def _pieces(text: str) -> tuple[list[str], list[float]]:
    """Split ``text`` into the text around the numbers and the numbers."""
    lines = [line.rstrip() for line in text.splitlines()]
    text = "\n".join(lines).strip("\n")
    return _NUMBER.split(text), [float(number) for number in _NUMBER.findall(text)]


class NumbersChecker(doctest.OutputChecker):
    """doctest's checker; failing that, the numbers to a relative 1e-9 and the rest exactly."""

    def check_output(self, want: str, got: str, optionflags: int) -> bool:
        if super().check_output(want, got, optionflags):
            return True
        want_text, want_numbers = _pieces(want)
        got_text, got_numbers = _pieces(got)
        return (
            want_text == got_text  # then both hold as many numbers
            and all(
                (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-9)
                for a, b in zip(want_numbers, got_numbers, strict=True)
            )
        )


def run_the_docstring_examples(folder: Path) -> tuple[int, int]:
    """Run every docstring example of the installed package; return (docstrings, examples)."""
    modules = [nanonet] + [
        importlib.import_module(info.name)
        for info in pkgutil.walk_packages(nanonet.__path__, prefix="nanonet.")
    ]
    tests = [
        test
        for module in modules
        for test in doctest.DocTestFinder().find(module)
        if test.examples and (test.filename or "").startswith(nanonet.__path__[0])
    ]
    public = {
        module.__name__
        for module in modules[1:]
        if not hasattr(module, "__path__")  # (a package's __init__ only gathers names)
        and not any(part.startswith("_") for part in module.__name__.split("."))
    }
    missing = {name for name in public if not any(t.name.startswith(name) for t in tests)}
    check(not missing, f"modules without examples: {sorted(missing)}")
    report: list[str] = []
    runner = doctest.DocTestRunner(checker=NumbersChecker(), optionflags=doctest.ELLIPSIS)
    for number, test in enumerate(tests):
        place = folder / f"doctest-{number}"  # examples that write files write them here
        place.mkdir()
        os.chdir(place)
        runner.run(test, out=report.append)
    results = runner.summarize(verbose=False)
    check(results.failed == 0, "docstring examples failed:\n" + "".join(report))
    return len(tests), results.attempted


def main() -> None:
    (checkout,) = [Path(argument) for argument in sys.argv[1:]]
    check_it_is_the_installed_copy(checkout)
    check_metadata_and_files()
    check_the_two_node_network()
    check_the_digits()
    start = Path.cwd()
    with tempfile.TemporaryDirectory(prefix="nanonet-smoke-") as name:
        check_save_and_load(Path(name))
        docstrings, examples = run_the_docstring_examples(Path(name))
        os.chdir(start)
    print(
        f"smoke: nanonet {nanonet.__version__} from {Path(nanonet.__file__).parent} "
        f"(numpy {np.__version__}, Python {sys.version.split()[0]}): the installed copy, "
        "its metadata and licences, the chapter's numbers, the digits, save and load, "
        f"and {examples} examples in {docstrings} docstrings: ok"
    )


if __name__ == "__main__":
    main()
