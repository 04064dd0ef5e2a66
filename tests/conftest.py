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
"""

from __future__ import annotations

import importlib.util
import math
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType, SimpleNamespace

import numpy as np
import pytest
from support import ROOT, load, outputs_match

from nanonet import Layer, Linear, Parameter, Sequential, Sigmoid


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
    return build_site(tmp_path_factory.mktemp("site"), NANONET_TEACHER="0")


@pytest.fixture(scope="session")
def teacher_site(tmp_path_factory) -> Path:
    """The teacher's build of the docs site: NANONET_TEACHER=1, no answers."""
    return build_site(tmp_path_factory.mktemp("teacher-site"), NANONET_TEACHER="1")


def build_site(folder: Path, **environment: str) -> Path:
    if importlib.util.find_spec("material") is None:
        pytest.skip("the docs extra is not installed")
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(folder)]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **environment}
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    return folder
