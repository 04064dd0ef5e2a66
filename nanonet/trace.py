"""trace: watch one forward and one backward pass, number by number."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

import numpy as np

from ._checks import Value, as_value, copy_value, shape_of
from ._tables import format_cell, html_table, text_table
from .layer import Layer
from .loss import MSELoss

#: Above this many output elements, trace does not probe per-element parameter factors.
MAX_PROBES = 1000


class ChainRule:
    """How one parameter's gradient is a product of chain-rule factors.

    Attributes:
        parameter: The parameter's name, as in ``named_parameters()``.
        factors: (label, value) pairs that multiply to the gradient: dC/dy
            at the network's output, the local derivative dy/dx of every
            layer above the parameter's layer, and d(that layer's output)/d
            (parameter). For a batch the values are per-element arrays,
            multiplied elementwise and summed over the batch.
        product: The product of the factors (summed over a batch), or None
            when the gradient is not such a product (see ``note``).
        gradient: The gradient backward computed (for a weight that several
            layers share, this layer's share of it).
        matches: Whether ``product`` equals ``gradient`` (to 1e-12 relative),
            or None when there is no product.
        note: Why there is no product, when there is none.

    Examples:
        >>> from nanonet import Linear, Sigmoid, Sequential, trace
        >>> chain = trace(Sequential(Linear(2.0), Sigmoid()), 1.0, 0.5).chains[0]
        >>> [label for label, _ in chain.factors]
        ['dC/dy1', 'dy1/dx1', 'dy0/d(0.weight)']
        >>> chain.matches
        True
    """

    def __init__(
        self,
        parameter: str,
        factors: list[tuple[str, Value]],
        product: float | None,
        gradient: Value,
        matches: bool | None,
        note: str = "",
    ) -> None:
        self.parameter = parameter
        self.factors = factors
        self.product = product
        self.gradient = gradient
        self.matches = matches
        self.note = note

    def __repr__(self) -> str:
        return (
            f"ChainRule(parameter={self.parameter!r}, product={self.product!r}, "
            f"matches={self.matches!r})"
        )

    def __str__(self) -> str:
        name = f"dC/d({self.parameter})"
        if self.product is None:
            return f"{name} = {format_cell(self.gradient)}: {self.note}"
        labels = " * ".join(label for label, _ in self.factors)
        values = " * ".join(f"({format_cell(value)})" for _, value in self.factors)
        total = "sum over the batch of " if any(np.ndim(v) for _, v in self.factors) else ""
        verdict = "equals" if self.matches else "DIFFERS FROM"
        return (
            f"{name} = {total}{labels}\n    = {total}{values}\n"
            f"    = {self.product!r}, which {verdict} backward's {format_cell(self.gradient)}"
        )


class Trace:
    """The record of one forward and one backward pass; see `trace`.

    Attributes:
        rows: One dict per layer and pass, in the order things happen: the
            forward rows first (``"pass": "forward"``, with ``"input"`` and
            ``"output"``), the loss, then the backward rows (``"pass":
            "backward"``, with ``"grad_output"`` = dC/d(output),
            ``"local_derivative"`` = d(output)/d(input) or None,
            ``"grad_input"`` = dC/d(input), and ``"parameter_grads"``: what
            this layer's backward added to each of its parameters' ``.grad``).
            Every row has ``"index"`` and ``"layer"`` (its repr). Values are
            floats for one sample and numpy arrays for a batch.
        chains: One `ChainRule` per parameter.
        loss: The cost C.

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

    def __init__(self, rows: list[dict[str, Any]], chains: list[ChainRule], loss: float) -> None:
        self.rows = rows
        self.chains = chains
        self.loss = loss

    def __repr__(self) -> str:
        return f"Trace(rows={len(self.rows)}, chains={len(self.chains)}, loss={self.loss!r})"

    def tables(self) -> list[tuple[str, list[str], list[list[str]]]]:
        """The forward table, the backward table and the chain-rule table as text cells."""
        forward = [r for r in self.rows if r["pass"] == "forward"]
        backward = [r for r in self.rows if r["pass"] == "backward"]
        cell = format_cell
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
                    "dC/d(output)",
                    "d(output)/d(input)",
                    "dC/d(input)",
                    "parameter gradients",
                ],
                [
                    [
                        str(r["index"]),
                        r["layer"],
                        cell(r["grad_output"]),
                        cell(r["local_derivative"])
                        if r["local_derivative"] is not None
                        else r["local_note"],
                        cell(r["grad_input"]),
                        "; ".join(f"{n}: {cell(g)}" for n, g in r["parameter_grads"].items()),
                    ]
                    for r in backward
                ],
            ),
            (
                "chain rule",
                ["gradient", "factors", "values", "product", "backward", "check"],
                [
                    [
                        f"dC/d({c.parameter})",
                        " * ".join(label for label, _ in c.factors)
                        if c.product is not None
                        else c.note,
                        " * ".join(cell(v) for _, v in c.factors) if c.product is not None else "",
                        cell(c.product),
                        cell(c.gradient),
                        "" if c.matches is None else ("equal" if c.matches else "DIFFERENT"),
                    ]
                    for c in self.chains
                ],
            ),
        ]

    def __str__(self) -> str:
        parts = []
        for title, header, rows in self.tables()[:2]:
            parts.append(f"{title}\n{text_table(header, rows)}")
        parts.append("chain rule\n" + "\n".join(str(chain) for chain in self.chains))
        return "\n\n".join(parts)

    def _repr_html_(self) -> str:
        return "".join(
            html_table(header, rows, caption=title) for title, header, rows in self.tables()
        )


def trace(model: Layer, x: object, target: object, loss_fn: Any = None) -> Trace:
    """Run one forward and one backward pass and record every number on the way.

    The pass runs on a copy of ``model``: the model, its weights, its
    gradients and what its layers cached are exactly as they were before.
    A model that can be iterated (a `nanonet.Sequential`) is
    traced one layer per row; any other layer is one row.

    For each layer the trace shows its input and output on the way forward,
    and on the way back the gradient arriving from above (dC/d(output)), the
    layer's local derivative (d(output)/d(input)), the gradient it sends
    below (dC/d(input)) and its parameters' gradients. The local derivative
    comes from the layer's own backward, probed with a gradient of ones; for
    a batch it is kept only if backward is elementwise (checked with a
    random gradient), and otherwise the trace says it is not a single factor.

    For each parameter, `Trace.chains` writes its gradient as the
    chain-rule product of those factors and checks that the product equals
    what backward computed.

    Works for any layer that follows the `Layer` contract, including
    your own, with nothing extra in the layer.

    Args:
        model: The network (or a single layer).
        x: The input: a number or an array.
        target: The desired output.
        loss_fn: The loss; `nanonet.MSELoss` by default.

    Returns:
        A `Trace`: ``print`` it for aligned tables, read ``rows`` and
        ``chains`` as data; Jupyter shows it as HTML tables.

    Raises:
        TypeError: If ``model`` is not a Layer (and errors of the forward
            pass and the loss for bad ``x`` or ``target``).

    Examples:
        >>> from nanonet import Linear, Sigmoid, Sequential
        >>> model = Sequential(Linear(2.0), Sigmoid(), Linear(1.0), Sigmoid(), Linear(0.5))
        >>> t = trace(model, 2.0, 0.7)
        >>> print(t.chains[1])
        dC/d(2.weight) = dC/dy4 * dy4/dx4 * dy3/dx3 * dy2/d(2.weight)
            = (-0.3362461932481792) * (0.5) * (0.1982402857978777) * (0.9820137900379085)
            = -0.032729312455963756, which equals backward's -0.032729312455963756
    """
    if not isinstance(model, Layer):
        raise TypeError(f"trace needs a Layer, got {type(model).__name__}")
    work = copy.deepcopy(model)
    steps = list(work) if isinstance(work, Iterable) else [work]
    loss_fn = MSELoss() if loss_fn is None else copy.deepcopy(loss_fn)

    values = [as_value(x, "x")]  # values[k] is the input of step k, values[k + 1] its output
    for step in steps:
        values.append(step(values[-1]))
    loss = loss_fn(values[-1], target)

    work.zero_grad()
    grads = [None] * len(steps) + [loss_fn.backward()]  # grads[k] = dC/d(values[k])
    parameter_grads = [{} for _ in steps]  # what each step's backward added to each .grad
    for k in reversed(range(len(steps))):
        before = {name: copy_value(p.grad) for name, p in steps[k].named_parameters()}
        grads[k] = steps[k].backward(grads[k + 1])
        for name, p in steps[
            k
        ].named_parameters():  # (a weight shared by two steps gets two shares)
            parameter_grads[k][name] = copy_value(p.grad - before[name])

    local = [_local_derivative(steps[k], values[k], values[k + 1]) for k in range(len(steps))]
    rows = [
        {
            "pass": "forward",
            "index": k,
            "layer": repr(step),
            "input": values[k],
            "output": values[k + 1],
        }
        for k, step in enumerate(steps)
    ]
    rows.append(
        {
            "pass": "forward",
            "index": "C",
            "layer": f"{loss_fn!r}, target {format_cell(target)}",
            "input": values[-1],
            "target": target,
            "output": loss,
        }
    )
    rows.append(
        {
            "pass": "backward",
            "index": "C",
            "layer": repr(loss_fn),
            "grad_output": 1.0,
            "local_derivative": grads[-1],
            "local_note": "",
            "grad_input": grads[-1],
            "parameter_grads": {},
        }
    )
    for k in reversed(range(len(steps))):
        derivative, note = local[k]
        rows.append(
            {
                "pass": "backward",
                "index": k,
                "layer": repr(steps[k]),
                "grad_output": grads[k + 1],
                "local_derivative": derivative,
                "local_note": note,
                "grad_input": grads[k],
                "parameter_grads": parameter_grads[k],
            }
        )

    full_names = {id(parameter): name for name, parameter in work.named_parameters()}
    chains = [
        _chain_rule(
            full_names[id(parameter)],
            k,
            step,
            parameter,
            parameter_grads[k][name],
            values,
            grads,
            local,
        )
        for k, step in enumerate(steps)
        for name, parameter in step.named_parameters()
    ]
    return Trace(rows=rows, chains=chains, loss=loss)


def _ones_like(value: Value) -> Value:
    return 1.0 if type(value) is float else np.ones_like(value)


def _local_derivative(step: Layer, x: Value, y: Value) -> tuple[Value | None, str]:
    """d(output)/d(input) as one factor per element, if the layer's backward is elementwise.

    Backward with a gradient of ones gives the candidate factors. The layer
    is elementwise if backward with random gradients ``r`` gives exactly
    ``factors * r``; a layer that mixes elements fails that test.
    """
    if shape_of(x) != shape_of(y):
        return None, "not a single factor: output and input shapes differ"
    derivative = copy_value(step.backward(_ones_like(y)))
    if type(y) is float:
        return derivative, ""
    probe = np.random.default_rng(0).uniform(0.5, 1.5, y.shape)
    if shape_of(derivative) == shape_of(x) and np.allclose(
        step.backward(probe), derivative * probe, rtol=1e-12, atol=0.0
    ):
        return derivative, ""
    return None, "not a single factor: the layer mixes elements"


def _parameter_factor(step: Layer, parameter, output: Value) -> tuple[Value | None, str]:
    """d(output)/d(parameter) per output element, for a single-number parameter."""
    if type(parameter.value) is not float:
        return None, "an array parameter: its gradient is not one product of factors"
    if type(output) is float:
        parameter.zero_grad()
        step.backward(1.0)
        return float(parameter.grad), ""
    if output.size > MAX_PROBES:
        return (
            None,
            f"more than {MAX_PROBES} output elements: trace a smaller batch to see the factors",
        )
    factor = np.empty_like(output)
    for index in np.ndindex(output.shape):
        unit = np.zeros_like(output)
        unit[index] = 1.0
        parameter.zero_grad()
        step.backward(unit)
        factor[index] = parameter.grad
    return factor, ""


def _chain_rule(name, k, step, parameter, gradient, values, grads, local) -> ChainRule:
    """dC/d(parameter) of step k as dC/dy_last * dy/dx of the steps above k * dy_k/d(parameter)."""
    last = len(local) - 1
    factors = [(f"dC/dy{last}", grads[-1])]
    for j in range(last, k, -1):
        derivative, note = local[j]
        if derivative is None:
            return ChainRule(
                name, [], None, gradient, None, f"layer {j}'s local derivative is {note}"
            )
        factors.append((f"dy{j}/dx{j}", derivative))
    own, note = _parameter_factor(step, parameter, values[k + 1])
    if own is None:
        return ChainRule(name, [], None, gradient, None, note)
    factors.append((f"dy{k}/d({name})", own))
    product = float(np.sum(np.prod(np.broadcast_arrays(*[value for _, value in factors]), axis=0)))
    matches = bool(np.isclose(product, gradient, rtol=1e-12, atol=1e-300))
    return ChainRule(name, factors, product, gradient, matches)
