"""What the tools share: a model as a list of steps, run on a copy so the model stays as it was.

`trace`, `draw` and `gradcheck` all look at a model one layer at a time: a
model that can be iterated (a `nanonet.Sequential`) is its layers, any other
layer is one step. They run forward passes on a deep copy of the model, so
its weights, gradients, caches, running statistics and random state are
exactly as they were.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from .._checks import Value, as_value
from ..layer import Layer


def steps_of(model: Layer) -> list[Layer]:
    """The model's layers, in order (a model that is not a sequence is one step)."""
    return list(model) if isinstance(model, Iterable) else [model]


def run_copy(model: Layer, x: object) -> tuple[Layer, list[Layer], list[Value]]:
    """Run ``x`` through a copy of ``model``, step by step.

    Returns:
        The copy, its steps, and the values: ``values[k]`` is the input of
            step k and ``values[k + 1]`` its output.
    """
    import copy  # (loads when a tool first runs)

    work = copy.deepcopy(model)
    steps = steps_of(work)
    values = [as_value(x, "x", work.dtype)]
    for step in steps:
        values.append(step(values[-1]))
    return work, steps, values


def copy_value(value: Any) -> Any:
    """A copy that later changes to ``value`` cannot reach (a float is its own copy)."""
    return np.array(value) if isinstance(value, np.ndarray) else float(value)
