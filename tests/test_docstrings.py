"""The examples in nanonet's docstrings run and print what they show.

They run with `doctest`, but printed numbers are compared as the docs pages'
outputs are (see ``outputs_match`` in support.py): to a relative tolerance
of 1e-9, and the rest of the text exactly. That way an example may show a
float in full and still pass on a CPU whose ``exp`` differs in the last bit.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import nanonet

MODULES = [nanonet] + [
    importlib.import_module(info.name)
    for info in pkgutil.walk_packages(nanonet.__path__, prefix="nanonet.")
]
EXAMPLES = [
    test
    for module in MODULES
    for test in doctest.DocTestFinder().find(module)
    if test.examples and (test.filename or "").startswith(nanonet.__path__[0])
]


class NumbersChecker(doctest.OutputChecker):
    """doctest's checker, with numbers compared to a relative tolerance."""

    def __init__(self, outputs_match) -> None:
        self.outputs_match = outputs_match

    def check_output(self, want: str, got: str, optionflags: int) -> bool:
        return super().check_output(want, got, optionflags) or self.outputs_match(want, got)


@pytest.mark.parametrize("test", EXAMPLES, ids=[test.name for test in EXAMPLES])
def test_docstring_examples(test, outputs_match, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # examples that write files write them here
    report: list[str] = []
    runner = doctest.DocTestRunner(
        checker=NumbersChecker(outputs_match), optionflags=doctest.ELLIPSIS
    )
    test.globs = dict(test.globs)  # each run starts from the module's own names
    result = runner.run(test, out=report.append, clear_globs=False)
    assert result.failed == 0, "".join(report)


def test_every_public_module_has_examples():
    documented = {test.name.rsplit(".", 1)[0] for test in EXAMPLES} | {t.name for t in EXAMPLES}
    public = {
        module.__name__
        for module in MODULES[1:]
        if not any(part.startswith("_") for part in module.__name__.split("."))
        and not hasattr(module, "__path__")  # (a package's __init__ only gathers names)
    }
    missing = {name for name in public if not any(d.startswith(name) for d in documented)}
    assert not missing, f"modules without examples: {sorted(missing)}"
