"""trace: watch one forward and one backward pass, number by number."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from ._checks import Value, as_real_number, as_value, copy_value, shape_of
from ._format import format_number, html_table, text_table, wrap
from .layer import Layer
from .loss import MSELoss
from .parameter import Parameter

#: Above this many output elements, trace does not probe per-element factors.
MAX_PROBES = 1000


class ChainRule:
    """How one parameter's gradient is made of chain-rule factors.

    For a single-number parameter the gradient is one product of factors:
    dC/d(network output), the local derivative of every layer above the
    parameter's layer, and d(that layer's output)/d(parameter). For a batch
    the factors are per-sample arrays, multiplied element by element and
    summed over the batch.

    For an array parameter (a `nanonet.Dense` weight, say) each element
    of the gradient is a *sum* of such products, one per output element it
    affects: ``terms`` lists them for the parameter's first element.

    Attributes:
        parameter (str): The parameter's name, as in ``named_parameters()``.
        factors (list[tuple[str, Value]]): (label, value) pairs that multiply
            to the gradient (empty for an array parameter, or when there is
            no product).
        product (float | None): The product of the factors (summed over a
            batch), or None.
        gradient (Value): The gradient backward computed (for a weight that
            several layers share, this layer's share of it).
        matches (bool | None): Whether ``product`` equals ``gradient`` (to
            1e-12 relative), or None when there is no product.
        note (str): What the gradient is made of, when it is not one product.
        terms (tuple[tuple[int, ...], list[tuple[str, float, float]]] | None):
            For an array parameter, ``(index, [(label, dC/dy, dy/dp), ...])``:
            the products whose sum is the gradient's element at ``index``,
            one per output element it affects; otherwise None.
        layers (list[tuple[int, str] | None]): The index and class of the
            layer each factor comes from, ``(k, "Sigmoid")`` per factor
            (``None`` for dC/d(output)).
        digits (int | None): Significant digits when printed (None: all of
            them).

    Examples:
        >>> from nanonet import Linear, Sigmoid, Sequential, trace
        >>> chain = trace(Sequential(Linear(2.0), Sigmoid()), 1.0, 0.5).chains[0]
        >>> [label for label, _ in chain.factors]
        ['dC/dy1', 'dy1/dy0', 'dy0/d(0.weight)']
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
        terms: tuple[tuple[int, ...], list[tuple[str, float, float]]] | None = None,
        layers: list[tuple[int, str] | None] | None = None,
    ) -> None:
        self.parameter = parameter
        self.factors = factors
        self.product = product
        self.gradient = gradient
        self.matches = matches
        self.note = note
        self.terms = terms
        self.layers = layers or []
        self.digits: int | None = 4

    def __repr__(self) -> str:
        return (
            f"ChainRule(parameter={self.parameter!r}, product={self.product!r}, "
            f"matches={self.matches!r})"
        )

    def __str__(self) -> str:
        return self.to_text(self.digits)

    def to_text(self, digits: int | None = 4) -> str:
        """The chain rule for this parameter as text, numbers with ``digits`` significant digits.

        ``digits=None`` shows every digit.
        """

        def number(value: object) -> str:
            return format_number(value, digits)

        name = f"dC/d({self.parameter})"
        if self.product is None and self.terms is not None:
            index, terms = self.terms
            at = f"[{', '.join(map(str, index))}]"
            lines = [f"{name} = {number(self.gradient)}", f"    {self.note}; its element {at} is"]
            for sign, (label, incoming, local) in zip(
                ["  ", "+ "] * len(terms), terms, strict=False
            ):
                lines.append(f"  {sign}{label} = ({number(incoming)}) * ({number(local)})")
            total = sum(incoming * local for _, incoming, local in terms)
            element = (
                self.gradient[index] if isinstance(self.gradient, np.ndarray) else self.gradient
            )
            lines.append(
                f"    = {number(total)}, which equals backward's {number(element)}"
                if np.isclose(total, element, rtol=1e-12, atol=1e-300)
                else f"    = {number(total)}, which DIFFERS FROM backward's {number(element)}"
            )
            return "\n".join(lines)
        if self.product is None:
            return f"{name} = {number(self.gradient)}: {self.note}"
        labels = [label for label, _ in self.factors]
        verdict = "equals" if self.matches else "DIFFERS FROM"
        ending = f"= {number(self.product)}, which {verdict} backward's {number(self.gradient)}"
        if not any(np.ndim(value) for _, value in self.factors):
            values = [f"({number(value)})" for _, value in self.factors]
            return "\n".join(
                [wrap(f"{name} = ", labels, " * ", "    "), wrap("    = ", values, " * ", "    "),
                 f"    {ending}"]
            )  # fmt: skip
        width = max(map(len, labels))
        lines = [wrap(f"{name} = sum over the batch of ", labels, " * ", "    ")]
        lines += [f"    {label.ljust(width)} = {number(value)}" for label, value in self.factors]
        return "\n".join([*lines, f"    {ending}"])


class Check:
    """The verdict of `Trace.check` on a chain-rule product worked out by hand.

    It is true when the numbers are the chain's factors, each once, and
    their product is the gradient; ``str()`` says what is wrong otherwise,
    one problem per line.

    Attributes:
        parameter (str): The parameter whose gradient was checked.
        numbers (list[float]): The numbers given.
        unknown (list[float]): Given numbers that are none of the factors.
        repeated (list[tuple[float, str]]): Given numbers that match a factor
            already matched, with that factor's label.
        missing (list[tuple[str, float, tuple[int, str] | None]]): Factors no
            number matched: label, value and the layer (index, class) it
            comes from (None for dC/d(output)).
        product (float): The product of the given numbers.
        gradient (float): The gradient backward computed.

    Examples:
        >>> from nanonet import Linear, trace
        >>> t = trace(Linear(3.0), 2.0, 1.0)      # dC/dw = (6 - 1) * 2
        >>> result = t.check("weight", [5, 2])
        >>> bool(result), str(result)
        (True, 'right: dC/d(weight) = 5 * 2 = 10')
    """

    def __init__(self, chain: ChainRule, numbers: list[float], rtol: float) -> None:
        self.parameter = chain.parameter
        self.numbers = numbers
        self.gradient = float(chain.gradient)
        self.product = float(np.prod(numbers)) if numbers else 1.0
        self.unknown: list[float] = []
        self.repeated: list[tuple[float, str]] = []
        labels = [label for label, _ in chain.factors]
        values = [float(value) for _, value in chain.factors]
        layers = chain.layers or [None] * len(labels)
        unmatched = list(range(len(values)))
        # closest pairs first, so a rough number cannot take a factor another matches better
        pairs = sorted(
            (abs(number - value), i, j)
            for i, number in enumerate(numbers)
            for j, value in enumerate(values)
            if _matches(number, value, rtol)
        )
        taken: set[int] = set()
        for _, i, j in pairs:
            if i not in taken and j in unmatched:
                taken.add(i)
                unmatched.remove(j)
        for i, number in enumerate(numbers):
            if i in taken:
                continue
            same = [j for j, value in enumerate(values) if _matches(number, value, rtol)]
            if same:
                closest = min(same, key=lambda j: abs(number - values[j]))
                self.repeated.append((number, labels[closest]))
            else:
                self.unknown.append(number)
        self.missing = [(labels[j], values[j], layers[j]) for j in unmatched]
        self._labels = labels
        self._rtol = rtol

    @property
    def correct(self) -> bool:
        """Whether the numbers are the chain's factors and multiply to the gradient."""
        return not (self.unknown or self.repeated or self.missing) and self._product_right()

    def _product_right(self) -> bool:
        """Whether the product is the gradient, to the precision the numbers were written with."""
        tolerance = sum(_precision(number, self._rtol) for number in self.numbers) or self._rtol
        return bool(np.isclose(self.product, self.gradient, rtol=tolerance, atol=0.0))

    def __bool__(self) -> bool:
        return self.correct

    def __str__(self) -> str:
        name = f"dC/d({self.parameter})"
        if self.correct:
            product = " * ".join(format_number(n) for n in self.numbers)
            return f"right: {name} = {product} = {format_number(self.gradient)}"
        problems = [
            f"{format_number(n)} is not a factor of {name}{self._sign_hint(n)}"
            for n in self.unknown
        ]
        problems += [
            f"{format_number(n)} is there once too often: {label} appears once in {name}"
            for n, label in self.repeated
        ]
        if self.missing:
            problems.append("missing: " + ", ".join(map(_describe, self.missing)))
        if not self._product_right():
            product, gradient = format_number(self.product), format_number(self.gradient)
            if problems:
                problems.append(f"so your product {product} is not the gradient {gradient}")
            else:
                problems.append(
                    f"the factors are right, but their product {product} is not the gradient "
                    f"{gradient}: check the multiplication"
                )
        return "\n".join(problems)

    def _sign_hint(self, number: float) -> str:
        """' (-x is: check the sign)' if minus ``number`` is a missing factor."""
        for label, value, _ in self.missing:
            if _matches(-number, value, self._rtol):
                return f" ({format_number(-number)} is, {label}: check the sign)"
        return ""

    def __repr__(self) -> str:
        return f"Check(parameter={self.parameter!r}, correct={self.correct})"

    def _repr_html_(self) -> str:
        import html

        mark = "✔" if self.correct else "✘"
        return f"<p><strong>{mark}</strong> {html.escape(str(self))}</p>"


def _matches(number: float, value: float, rtol: float) -> bool:
    """Whether a number written by hand is ``value``, to the precision it was written with."""
    return abs(number - value) <= _precision(number, rtol) * abs(value)


def _precision(number: float, rtol: float) -> float:
    """How precise (relatively) a number written by hand is: ``rtol``, or half its last digit.

    0.0177 is written to 3 significant digits, so it stands for anything within
    0.00005 of it; a whole number such as 1 or 2 means that number, to ``rtol``.
    """
    text = repr(float(number))  # the shortest text of the number: as it was written
    mantissa, _, exponent = text.partition("e")
    decimals = len(mantissa.partition(".")[2].rstrip("0"))
    if not decimals or number == 0.0:
        return rtol
    return max(rtol, 0.5 * 10.0 ** (int(exponent or 0) - decimals) / abs(number))


def _describe(missing: tuple[str, float, tuple[int, str] | None]) -> str:
    label, value, layer = missing
    where = "the loss's derivative" if layer is None else f"layer {layer[0]}, {layer[1]}"
    return f"{label} = {format_number(value)} ({where})"


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
            ``.grad``). Every row has ``"index"`` and ``"layer"`` (its repr).
            Values are floats for one sample and numpy arrays for a batch.
        chains (list[ChainRule]): One `ChainRule` per parameter.
        loss (float): The cost C.
        names (list[str]): The names of the values: the input, then each
            layer's output.
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
        names: list[str],
        digits: int | None = 4,
    ) -> None:
        self.rows = rows
        self.chains = chains
        self.loss = loss
        self.names = names
        self.digits = digits

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
                (``"0.weight"`` is the chapter's w0).
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
            >>> t = trace(model, 1.0, 0.0, names=["s0", "x1", "s1", "out"])
            >>> print(t.check("0.weight", [0.4404, 0.5, 0.25, 1.0]))
            0.25 is not a factor of dC/d(0.weight)
            missing: ds1/dx1 = 0.105 (layer 1, Sigmoid)
            so your product 0.05505 is not the gradient 0.02312
            >>> bool(t.check("0.weight", [1, 0.105, 0.5, 0.4404]))
            True
        """
        chains = [chain for chain in self.chains if chain.parameter == parameter]
        if not chains:
            names = ", ".join(dict.fromkeys(chain.parameter for chain in self.chains))
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
            raise ValueError(f"dC/d({parameter}) is not one product of factors: {chain.note}")
        if any(np.ndim(value) for _, value in chain.factors):
            raise ValueError(
                "check works on the trace of one sample; this one is of a batch, where each "
                "factor is an array: trace the model on one input"
            )
        numbers = [as_real_number(number, "each factor") for number in factors]
        if not all(np.isfinite(numbers)):
            raise ValueError(f"each factor must be a finite number, got {numbers}")
        return Check(chain, numbers, rtol)


def trace(
    model: Layer,
    x: object,
    target: object,
    loss_fn: Any = None,
    *,
    names: Sequence[str] | None = None,
    digits: int | None = 4,
) -> Trace:
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
        names: Names for the values the chain rule is written in: the input
            first, then each layer's output (one more name than layers).
            By default ``x`` and ``y0``, ``y1``, ...: ``yk`` is the output
            of layer ``k``. The chapter's names for its network are
            ``["s0", "x1", "s1", "x2", "s2", "out"]``.
        digits: Significant digits when the trace is printed (None: all).
            ``rows`` and ``chains`` keep every digit.

    Returns:
        A `Trace`. ``print`` it for aligned tables, read ``rows`` and
            ``chains`` as data; Jupyter shows it as HTML tables.

    Raises:
        TypeError: If ``model`` is not a Layer (and errors of the forward
            pass and the loss for bad ``x`` or ``target``).
        ValueError: If ``names`` does not hold one name per value.

    Examples:
        >>> from nanonet import Linear, Sigmoid, Sequential
        >>> model = Sequential(Linear(2.0), Sigmoid(), Linear(1.0), Sigmoid(), Linear(0.5))
        >>> t = trace(model, 2.0, 0.7)
        >>> print(t.chains[1])
        dC/d(2.weight) = dC/dy4 * dy4/dy3 * dy3/dy2 * dy2/d(2.weight)
            = (-0.3362) * (0.5) * (0.1982) * (0.982)
            = -0.03273, which equals backward's -0.03273
    """
    if not isinstance(model, Layer):
        raise TypeError(f"trace needs a Layer, got {type(model).__name__}")
    work = copy.deepcopy(model)
    steps: list[Layer] = list(work) if isinstance(work, Iterable) else [work]
    loss_fn = MSELoss() if loss_fn is None else copy.deepcopy(loss_fn)
    names = _value_names(names, len(steps))

    values = [as_value(x, "x")]  # values[k] is the input of step k, values[k + 1] its output
    for step in steps:
        values.append(step(values[-1]))
    loss = loss_fn(values[-1], target)

    with np.errstate(all="ignore"):
        work.zero_grad()
        grads: list[Value] = [0.0] * len(steps) + [loss_fn.backward()]  # grads[k] = dC/d(values[k])
        parameter_grads: list[dict[str, Value]] = [{} for _ in steps]
        for k in reversed(range(len(steps))):
            before = {name: copy_value(p.grad) for name, p in steps[k].named_parameters()}
            grads[k] = as_value(_backward(steps[k], values[k], grads[k + 1]), "dC/d(input)")
            for name, p in steps[k].named_parameters():  # (a shared weight gets two shares)
                parameter_grads[k][name] = copy_value(p.grad - before[name])
        local = [_local_derivative(steps[k], values[k], values[k + 1]) for k in range(len(steps))]

    rows: list[dict[str, Any]] = [
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
            "layer": f"{loss_fn!r}, target {format_number(target, digits)}",
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
    chains = []
    with np.errstate(all="ignore"):
        for k, step in enumerate(steps):
            for name, parameter in step.named_parameters():
                chain = _chain_rule(
                    full_names[id(parameter)], k, steps, parameter, parameter_grads[k][name],
                    values, grads, local, names,
                )  # fmt: skip
                chain.digits = digits
                chains.append(chain)
    return Trace(rows=rows, chains=chains, loss=loss, names=names, digits=digits)


def _value_names(names: Sequence[str] | None, layers: int) -> list[str]:
    """The names of the input and of each layer's output."""
    if names is None:
        return ["x"] + [f"y{k}" for k in range(layers)]
    if isinstance(names, str) or len(names) != layers + 1:
        raise ValueError(
            f"names must hold {layers + 1} names, one for the input and one for each of the "
            f"{layers} layers' outputs, got {names!r}"
        )
    return [str(name) for name in names]


def _backward(step: Layer, x: Value, grad: Value) -> Value:
    """``step``'s backward at input ``x``: a fresh forward pass first, so any layer allows it."""
    step.forward(x)
    return step.backward(grad)


def _ones_like(value: Value) -> Value:
    return np.ones_like(value) if isinstance(value, np.ndarray) else 1.0


def _local_derivative(step: Layer, x: Value, y: Value) -> tuple[Value | None, str]:
    """d(output)/d(input) as one factor per element, if the layer's backward is elementwise.

    Backward with a gradient of ones gives the candidate factors. The layer
    is elementwise if backward with random gradients ``r`` gives exactly
    ``factors * r``; a layer that mixes elements fails that test.
    """
    if shape_of(x) != shape_of(y):
        return None, "not a single factor: output and input shapes differ"
    saved = [(p, copy_value(p.grad)) for p in step.parameters()]
    derivative = copy_value(as_value(_backward(step, x, _ones_like(y)), "dy/dx"))
    result: tuple[Value | None, str] = (derivative, "")
    if isinstance(y, np.ndarray):
        probe = np.random.default_rng(0).uniform(0.5, 1.5, y.shape)
        probed = np.asarray(_backward(step, x, probe))
        if shape_of(derivative) != shape_of(x) or not np.allclose(
            probed, derivative * probe, rtol=1e-12, atol=0.0
        ):
            result = (None, "not a single factor: the layer mixes elements")
    for parameter, grad in saved:  # probing added to the grads: put them back
        parameter.grad = grad
    return result


def _output_jacobian(step: Layer, parameter: Parameter, x: Value, y: Value) -> np.ndarray | None:
    """d(output element)/d(parameter element) for every pair, shape (*y.shape, *p.shape).

    Found with the layer's own backward: a unit gradient on one output
    element gives that element's derivative with respect to every
    parameter element. None when the output has too many elements.
    """
    if np.size(y) > MAX_PROBES:
        return None
    saved = copy_value(parameter.grad)
    jacobian = np.empty(shape_of(y) + parameter.shape)
    for index in np.ndindex(shape_of(y)):
        unit: Value = 1.0
        if isinstance(y, np.ndarray):
            unit = np.zeros_like(y)
            unit[index] = 1.0
        parameter.zero_grad()
        _backward(step, x, unit)
        jacobian[index] = parameter.grad
    parameter.grad = saved
    return jacobian


def _chain_rule(
    name: str,
    k: int,
    steps: list[Layer],
    parameter: Parameter,
    gradient: Value,
    values: list[Value],
    grads: list[Value],
    local: list[tuple[Value | None, str]],
    names: list[str],
) -> ChainRule:
    """dC/d(parameter) of step k, written with the chain rule."""
    last = len(steps) - 1
    jacobian = _output_jacobian(steps[k], parameter, values[k], values[k + 1])
    if jacobian is None:
        return ChainRule(
            name, [], None, gradient, None,
            f"more than {MAX_PROBES} output elements: trace a smaller batch to see the factors",
        )  # fmt: skip
    if parameter.shape != ():
        return _array_parameter_chain(name, k, parameter, gradient, jacobian, grads, names)
    factors: list[tuple[str, Value]] = [(f"dC/d{names[-1]}", grads[-1])]
    layers: list[tuple[int, str] | None] = [None]
    for j in range(last, k, -1):
        derivative, note = local[j]
        if derivative is None:
            return ChainRule(
                name, [], None, gradient, None,
                f"layer {j} ({type(steps[j]).__name__})'s local derivative is {note}",
            )  # fmt: skip
        factors.append((f"d{names[j + 1]}/d{names[j]}", derivative))
        layers.append((j, type(steps[j]).__name__))
    own: Value = float(jacobian) if jacobian.ndim == 0 else jacobian  # one per output element
    factors.append((f"d{names[k + 1]}/d({name})", own))
    layers.append((k, type(steps[k]).__name__))
    product = float(np.sum(np.prod(np.broadcast_arrays(*[value for _, value in factors]), axis=0)))
    matches = bool(np.isclose(product, gradient, rtol=1e-12, atol=1e-300))
    return ChainRule(name, factors, product, gradient, matches, layers=layers)


def _array_parameter_chain(
    name: str,
    k: int,
    parameter: Parameter,
    gradient: Value,
    jacobian: np.ndarray,
    grads: list[Value],
    names: list[str],
) -> ChainRule:
    """An array parameter: each gradient element is a sum over the output elements it affects."""
    output_shape = jacobian.shape[: jacobian.ndim - len(parameter.shape)]
    first = (0,) * len(parameter.shape)
    incoming = np.broadcast_to(grads[k + 1], output_shape)
    column = jacobian[(Ellipsis,) + first]
    y, p = names[k + 1], f"({name})[{', '.join(map(str, first))}]"
    terms = [
        (
            f"dC/d{y}{list(index)} * d{y}{list(index)}/d{p}",
            float(incoming[index]),
            float(column[index]),
        )
        for index in np.ndindex(output_shape)
        if column[index] != 0.0
    ]
    note = f"each element is a sum over the outputs of layer {k} (matrix products)"
    return ChainRule(name, [], None, gradient, None, note, terms=(first, terms))
