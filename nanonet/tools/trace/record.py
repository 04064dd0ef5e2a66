"""Trace: the record of one forward and one backward pass, as data, text and HTML tables."""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np

from ..._checks import as_real_number
from ..._format import format_number, html_table, text_table
from .._names import d_name
from .chain import ChainRule
from .check import Check


class Trace:
    """The record of one forward and one backward pass; see `trace`.

    Printing a Trace shows numbers with ``digits`` significant digits (4 by
    default, so the tables fit a page; set ``digits=None`` for every digit);
    ``rows`` and ``chains`` always hold the full values.

    Attributes:
        rows (list[dict[str, Any]]): One dict per layer and pass, in the
            order things happen: the forward rows first (``"pass":
            "forward"``, with ``"input"`` and ``"output"``), the loss, then
            the backward rows (``"pass": "backward"``, with ``"grad_output"``
            = dC/d(output), ``"local_derivative"`` = d(output)/d(input) or
            None, ``"grad_input"`` = dC/d(input), and ``"parameter_grads"``:
            what this layer's backward added to each of its parameters'
            ``.grad``, by the layer's own names, and ``"parameter_labels"``:
            how the tables show them). Every row has ``"index"`` and
            ``"layer"`` (its repr). Values are floats for one sample and
            numpy arrays for a batch.
        chains (list[ChainRule]): One `ChainRule` per parameter.
        loss (float): The cost C.
        value_names (list[str]): The names of the values: the input, then
            each layer's output.
        labels (dict[str, str]): Each parameter's label, by its name (the
            name itself where ``trace`` was given no label for it).
        digits (int | None): Significant digits when printed (None: all of
            them).

    Examples:
        >>> from nanonet import Linear, trace
        >>> t = trace(Linear(3.0), 2.0, 1.0)    # y = 3 * 2 = 6, C = 1/2 (6 - 1)**2
        >>> t.loss
        12.5
        >>> [row["index"] for row in t.rows], [row["pass"] for row in t.rows]
        ([0, 'C', 'C', 0], ['forward', 'forward', 'backward', 'backward'])
        >>> t.rows[-1]["parameter_grads"]     # dC/dw = (y - target) * x
        {'weight': 10.0}
    """

    def __init__(
        self,
        rows: list[dict[str, Any]],
        chains: list[ChainRule],
        loss: float,
        value_names: list[str],
        labels: dict[str, str] | None = None,
        digits: int | None = 4,
    ) -> None:
        self.rows = rows
        self.chains = chains
        self.loss = loss
        self.value_names = value_names
        self.labels = labels or {chain.parameter: chain.parameter for chain in chains}
        self.digits = digits

    @property
    def names(self) -> list[str]:
        """The old name of ``value_names`` (deprecated: it warns)."""
        warnings.warn(
            "Trace.names is now Trace.value_names (the values' names; Trace.labels are the "
            "parameters')",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.value_names

    def __repr__(self) -> str:
        return f"Trace(rows={len(self.rows)}, chains={len(self.chains)}, loss={self.loss!r})"

    def tables(self, digits: int | None = 4) -> list[tuple[str, list[str], list[list[str]]]]:
        """The forward table, the backward table and the chain-rule table, as text cells."""

        def cell(value: object) -> str:
            return format_number(value, digits)

        forward = [r for r in self.rows if r["pass"] == "forward"]
        backward = [r for r in self.rows if r["pass"] == "backward"]
        return [
            (
                "forward pass",
                ["#", "layer", "input", "output"],
                [
                    [str(r["index"]), r["layer"], cell(r["input"]), cell(r["output"])]
                    for r in forward
                ],
            ),
            (
                "backward pass",
                [
                    "#",
                    "layer",
                    "dC/d(out)",
                    "d(out)/d(in)",
                    "dC/d(in)",
                    "dC/d(weights)",
                ],
                [
                    [
                        str(r["index"]),
                        r["layer"],
                        cell(r["grad_output"]),
                        cell(r["local_derivative"])
                        if r["local_derivative"] is not None
                        else "(not one factor)",
                        cell(r["grad_input"]),
                        "; ".join(
                            f"{r.get('parameter_labels', {}).get(n, n)}: {cell(g)}"
                            for n, g in r["parameter_grads"].items()
                        ),
                    ]
                    for r in backward
                ],
            ),
            (
                "chain rule",
                ["gradient", "factors", "values", "product", "backward", "check"],
                [
                    [
                        f"dC/d{d_name(c.label, c.parameter)}",
                        " * ".join(label for label, _ in c.factors) if c.factors else c.note,
                        " * ".join(cell(v) for _, v in c.factors),
                        cell(c.product),
                        cell(c.gradient),
                        "" if c.matches is None else ("equal" if c.matches else "DIFFERENT"),
                    ]
                    for c in self.chains
                ],
            ),
        ]

    def to_text(self, digits: int | None = 4) -> str:
        """The trace as text: two tables and the chain rule for every parameter.

        Args:
            digits: Significant digits of every number, or None for all.
        """
        parts = [
            f"{title}\n{text_table(header, rows)}"
            for title, header, rows in self.tables(digits)[:2]
        ]
        parts.append("chain rule\n" + "\n".join(chain.to_text(digits) for chain in self.chains))
        return "\n\n".join(parts)

    def __str__(self) -> str:
        return self.to_text(self.digits)

    def _repr_html_(self) -> str:
        return "".join(
            html_table(header, rows, caption=title)
            for title, header, rows in self.tables(self.digits)
        )

    def check(self, parameter: str, factors: Iterable[float], *, rtol: float = 1e-3) -> Check:
        """Check a chain-rule product worked out by hand for one parameter's gradient.

        Give the numbers you multiplied, in any order, rounded as you wrote
        them: each must be one of the chain's factors (to ``rtol``, or to
        the last digit you wrote), every factor must be there once, and
        their product must be the gradient backward computed.

        Args:
            parameter: The parameter's name, as in ``named_parameters()``
                (``"0.weight"`` is the chapter's w0), or its label.
            factors: Your numbers.
            rtol: How close (relative) a number must be to a factor.

        Returns:
            A `Check`, true when your factors are the chain's. Its text
                says what is wrong, in the chain's terms.

        Raises:
            ValueError: If there is no such parameter (the message lists the
                names), its gradient is not one product of factors (an
                array parameter), the trace is of a batch, or a factor is
                not a finite number.

        Examples:
            >>> from nanonet import Linear, Sigmoid, Sequential, trace
            >>> model = Sequential(Linear(2.0), Sigmoid(), Linear(0.5))
            >>> t = trace(model, 1.0, 0.0, value_names=["s0", "x1", "s1", "out"],
            ...           labels={"0.weight": "w0", "2.weight": "w1"})
            >>> print(t.check("w0", [0.4404, 0.5, 0.25, 1.0]))
            0.25 is not a factor of dC/dw0
            missing: ds1/dx1 = 0.105 (layer 1, Sigmoid)
            so your product 0.05505 is not the gradient 0.02312
            >>> bool(t.check("0.weight", [1, 0.105, 0.5, 0.4404]))
            True
        """
        chains = [chain for chain in self.chains if parameter in (chain.parameter, chain.label)]
        if not chains:
            names = ", ".join(
                dict.fromkeys(
                    chain.parameter if chain.label == chain.parameter
                    else f"{chain.parameter} ({chain.label})"
                    for chain in self.chains
                )
            )  # fmt: skip
            raise ValueError(
                f"this trace has no parameter {parameter!r}; its parameters are: {names or 'none'}"
            )
        if len(chains) > 1:
            raise ValueError(
                f"{parameter!r} is used by {len(chains)} layers, so its gradient is a sum of "
                "chains, not one product; check a parameter that one layer uses"
            )
        (chain,) = chains
        if chain.product is None:
            raise ValueError(
                f"dC/d{d_name(chain.label, chain.parameter)} is not one product of factors: "
                f"{chain.note}"
            )
        if any(np.ndim(value) for _, value in chain.factors):
            raise ValueError(
                "check works on the trace of one sample; this one is of a batch, where each "
                "factor is an array: trace the model on one input"
            )
        numbers = [as_real_number(number, "each factor") for number in factors]
        if not all(np.isfinite(numbers)):
            raise ValueError(f"each factor must be a finite number, got {numbers}")
        return Check(chain, numbers, rtol)
