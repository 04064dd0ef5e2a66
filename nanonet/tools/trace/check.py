"""Check: the grader of a chain-rule product worked out by hand (`Trace.check`)."""

from __future__ import annotations

import numpy as np

from ..._format import format_number
from .._names import d_name
from .chain import ChainRule


class Check:
    """The verdict of `Trace.check` on a chain-rule product worked out by hand.

    It is true when the numbers are the chain's factors, each once, and
    their product is the gradient; ``str()`` says what is wrong otherwise,
    one problem per line.

    Attributes:
        parameter (str): The parameter whose gradient was checked, by its name.
        label (str): Its label, as the text writes it (its name, if it has none).
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
        self.label = chain.label
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
        name = f"dC/d{d_name(self.label, self.parameter)}"
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
