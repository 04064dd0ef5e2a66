"""What the tools call things: the values between the layers, the parameters, the layers.

One meaning per word, across nanonet: *value names* name the values a pass
goes through (the input, then each layer's output: ``x``, ``y0``, ``y1``,
... or the chapter's ``s0``, ``x1``, ...); *labels* rename parameters for
the reader (``{"0.weight": "w0"}``), as in `History.plot`; a parameter's
*name* is always its name in ``model.named_parameters()``.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

from ..layer import Layer


def value_names(
    value_names: Sequence[str] | None, layers: int, names: Sequence[str] | None = None
) -> list[str]:
    """The names of the input and of each layer's output (``names`` is the old spelling).

    Raises:
        TypeError: If both ``value_names`` and ``names`` are given.
        ValueError: If there is not one name per value.
    """
    if names is not None:
        if value_names is not None:
            raise TypeError("give value_names only: names is its old spelling")
        warnings.warn(
            "names= is now value_names= (the input's and each layer's output's names); "
            "a parameter gets its name with labels=, such as labels={'0.weight': 'w0'}",
            DeprecationWarning,
            stacklevel=3,
        )
        value_names = names
    if value_names is None:
        return ["x"] + [f"y{k}" for k in range(layers)]
    if isinstance(value_names, str) or len(value_names) != layers + 1:
        raise ValueError(
            f"value_names must hold {layers + 1} names, one for the input and one for each of "
            f"the {layers} layers' outputs, got {value_names!r}"
        )
    return [str(name) for name in value_names]


def parameter_labels(model: Layer, labels: Mapping[str, str] | None) -> dict[str, str]:
    """Every parameter's label, by its name: the name itself where ``labels`` gives none.

    Raises:
        TypeError: If ``labels`` is not a dict of str to str.
        ValueError: If it names a parameter the model does not have, or
            gives two parameters the same label.
    """
    names = [name for name, _ in model.named_parameters()]
    if labels is None:
        return {name: name for name in names}
    if not isinstance(labels, Mapping) or not all(
        isinstance(key, str) and isinstance(label, str) for key, label in labels.items()
    ):
        raise TypeError(
            f"labels must be a dict from parameter names to labels, such as "
            f"{{'0.weight': 'w0'}}, got {labels!r}"
        )
    unknown = [key for key in labels if key not in names]
    if unknown:
        raise ValueError(
            f"labels names {', '.join(map(repr, unknown))}, which the model does not have; "
            f"its parameters are: {', '.join(names) or 'none'}"
        )
    result = {name: labels.get(name, name) for name in names}
    seen: dict[str, str] = {}
    for name, label in result.items():
        if label in seen:
            raise ValueError(
                f"labels must tell the parameters apart, but {seen[label]!r} and {name!r} "
                f"are both {label!r}"
            )
        seen[label] = name
    return result


def d_name(label: str, name: str) -> str:
    """A parameter as written after a d: ``dC/dw0`` for a label, ``dC/d(0.weight)`` for a name."""
    return label if label != name and label.isidentifier() else f"({label})"


def symbol_of(layer_or_loss: object) -> tuple[str, bool]:
    """How a drawing labels a layer: its ``symbol``, or else its class name (then boxed: True).

    Raises:
        TypeError: If ``symbol`` is set but not a str.
    """
    symbol = getattr(layer_or_loss, "symbol", None)
    if symbol is None:
        return type(layer_or_loss).__name__, True
    if not isinstance(symbol, str):
        raise TypeError(
            f"{type(layer_or_loss).__name__}.symbol labels the layer in draw, so it must be a str "
            f"(or None for a box with the class name), got {type(symbol).__name__}"
        )
    return symbol, False
