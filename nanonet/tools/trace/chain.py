"""The chain rule, written out: how one parameter's gradient is made of factors, as text."""

from __future__ import annotations

import numpy as np

from ..._checks import Value
from ..._format import format_number, wrap
from ...layer import Layer
from ...parameter import Parameter
from .._names import d_name

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
        label (str): The name the chain is written with: the parameter's
            label (``trace``'s ``labels``), or its name.
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
        label: str | None = None,
    ) -> None:
        self.parameter = parameter
        self.label = parameter if label is None else label
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

        name = f"dC/d{d_name(self.label, self.parameter)}"
        if self.product is None and self.terms is not None:
            index, terms = self.terms
            at = f"[{', '.join(map(str, index))}]"
            lines = [
                _rows(f"{name} = ", self.gradient, digits),
                f"    {self.note};",
                f"    its element {at} is",
            ]
            for sign, (label, incoming, local) in zip(
                ["  "] + ["+ "] * (len(terms) - 1), terms, strict=True
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


def _rows(start: str, value: Value, digits: int | None) -> str:
    """``start`` and a value; a small matrix broken between its rows to fit 76 characters."""
    text = format_number(value, digits)
    if not (isinstance(value, np.ndarray) and value.ndim == 2 and text.startswith("[[")):
        return start + text
    rows = [format_number(row, digits) for row in value]
    parts = [row + "," for row in rows[:-1]] + [rows[-1] + "]"]
    parts[0] = "[" + parts[0]
    return wrap(start, parts, " ", "    ")


def chain_rule(
    name: str,
    k: int,
    steps: list[Layer],
    parameter: Parameter,
    gradient: Value,
    jacobian: np.ndarray | None,
    grads: list[Value],
    local: list[tuple[Value | None, str]],
    names: list[str],
    label: str,
) -> ChainRule:
    """dC/d(parameter) of step k, written with the chain rule.

    ``jacobian`` holds d(step k's output)/d(parameter), one per pair of
    elements (None: too many to probe); ``grads[j]`` is dC/d(input of step
    j) and ``local[j]`` step j's local derivative, when it is one factor.
    ``names`` are the values' names and ``label`` the parameter's.
    """
    last = len(steps) - 1
    if jacobian is None:
        return ChainRule(
            name, [], None, gradient, None,
            f"more than {MAX_PROBES} output elements: trace a smaller batch to see the factors",
            label=label,
        )  # fmt: skip
    if parameter.shape != ():
        return _array_parameter_chain(name, k, parameter, gradient, jacobian, grads, names, label)
    factors: list[tuple[str, Value]] = [(f"dC/d{names[-1]}", grads[-1])]
    layers: list[tuple[int, str] | None] = [None]
    for j in range(last, k, -1):
        derivative, note = local[j]
        if derivative is None:
            return ChainRule(
                name, [], None, gradient, None,
                f"layer {j} ({type(steps[j]).__name__})'s local derivative is {note}",
                label=label,
            )  # fmt: skip
        factors.append((f"d{names[j + 1]}/d{names[j]}", derivative))
        layers.append((j, type(steps[j]).__name__))
    own: Value = float(jacobian) if jacobian.ndim == 0 else jacobian  # one per output element
    factors.append((f"d{names[k + 1]}/d{d_name(label, name)}", own))
    layers.append((k, type(steps[k]).__name__))
    product = float(np.sum(np.prod(np.broadcast_arrays(*[value for _, value in factors]), axis=0)))
    matches = bool(np.isclose(product, gradient, rtol=1e-12, atol=1e-300))
    return ChainRule(name, factors, product, gradient, matches, layers=layers, label=label)


def _array_parameter_chain(
    name: str,
    k: int,
    parameter: Parameter,
    gradient: Value,
    jacobian: np.ndarray,
    grads: list[Value],
    names: list[str],
    label: str,
) -> ChainRule:
    """An array parameter: each gradient element is a sum over the output elements it affects."""
    output_shape = jacobian.shape[: jacobian.ndim - len(parameter.shape)]
    first = (0,) * len(parameter.shape)
    incoming = np.broadcast_to(grads[k + 1], output_shape)
    column = jacobian[(Ellipsis,) + first]
    y, p = names[k + 1], f"{d_name(label, name)}[{', '.join(map(str, first))}]"
    terms = [
        (
            f"dC/d{y}{list(index)} * d{y}{list(index)}/d{p}",
            float(incoming[index]),
            float(column[index]),
        )
        for index in np.ndindex(output_shape)
        if column[index] != 0.0
    ]
    note = f"each element is a sum over the outputs of layer {k}"
    if len(parameter.shape) == 2:
        note += " (a matrix product)"
    return ChainRule(name, [], None, gradient, None, note, terms=(first, terms), label=label)
