"""A layer's weights as a dict, out and in: `Layer.state_dict` and `Layer.load_state_dict`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import NamedTuple

from ._checks import Value, copy_value
from .parameter import Parameter


class IncompatibleKeys(NamedTuple):
    """What `Layer.load_state_dict` did not load, as in PyTorch."""

    missing_keys: list[str]
    unexpected_keys: list[str]


def state_dict(named_parameters: Iterable[tuple[str, Parameter]]) -> dict[str, Value]:
    """A new dict from each parameter's name to a copy of its value."""
    return {name: copy_value(p.value) for name, p in named_parameters}


def load_state_dict(
    parameters: dict[str, Parameter], state: Mapping[str, object], strict: bool, owner: str
) -> IncompatibleKeys:
    """Check every entry of ``state`` against ``parameters``, then (only if all pass) assign.

    Args:
        parameters: The layer's parameters by name.
        state: The new values by name.
        strict: Whether missing and unexpected names are errors.
        owner: The layer's class name, for the error message.

    Returns:
        The missing and the unexpected names.

    Raises:
        TypeError: If ``state`` is not a mapping.
        ValueError: Listing every problem, before anything is assigned.
    """
    if not isinstance(state, Mapping):
        raise TypeError(f"state must be a mapping of names to values, got {type(state).__name__}")
    missing = [name for name in parameters if name not in state]
    unexpected = [key for key in state if key not in parameters]
    problems = []
    if strict:
        problems += [f"{name!r}: missing" for name in missing]
        problems += [f"{key!r}: unexpected (no such parameter)" for key in unexpected]
    new_values = {}
    for name, parameter in parameters.items():
        if name not in state:
            continue
        try:
            new = Parameter(state[name])  # checks it is numeric and finite
        except (TypeError, ValueError) as err:
            problems.append(f"{name!r}: {err}")
            continue
        if new.shape != parameter.shape:
            problems.append(f"{name!r}: expected shape {parameter.shape}, got {new.shape}")
            continue
        new_values[name] = new.value
    if problems:
        raise ValueError(
            f"cannot load the state dict into {owner}; "
            f"{len(problems)} problem(s):\n  " + "\n  ".join(problems)
        )
    for name, value in new_values.items():
        parameters[name].value = value
    return IncompatibleKeys(missing, unexpected)
