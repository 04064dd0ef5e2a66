"""How a layer shows in Jupyter: a table of its layers and their parameters."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ._format import format_number, html_table
from .parameter import Parameter


def layer_table(layer: Any) -> str:
    """An HTML table with one row per layer without sub-layers: index, class, parameters."""
    rows = []
    for index, leaf in _leaves(layer, ""):
        own = [(name, p) for name, p in leaf._members() if isinstance(p, Parameter)]
        values = "; ".join(f"{name} = {format_number(p.value)}" for name, p in own)
        rows.append([index, type(leaf).__name__, values])
    return html_table(["#", "layer", "parameters"], rows, caption=type(layer).__name__)


def _leaves(layer: Any, prefix: str) -> Iterator[tuple[str, Any]]:
    """Yield (name, layer) for the layers without sub-layers, depth first."""
    children = list(layer.named_children())
    if not children:
        yield prefix, layer
    for name, child in children:
        yield from _leaves(child, f"{prefix}.{name}" if prefix else name)
