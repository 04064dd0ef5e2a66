"""How numbers and tables look in print and in Jupyter (trace, draw and the displays share it)."""

from __future__ import annotations

import numpy as np

#: Arrays with at most this many elements are shown in full; larger ones as a summary.
MAX_SHOWN = 12


def format_number(value: object, digits: int | None = 4) -> str:
    """Show a number with ``digits`` significant digits, or in full when ``digits`` is None.

    Small arrays are shown element by element, larger ones as a summary
    (shape, mean, min, max); anything else with ``str``, None as nothing.

    Examples:
        >>> format_number(0.1 + 0.2), format_number(0.1 + 0.2, digits=None)
        ('0.3', '0.30000000000000004')
        >>> format_number(np.array([[1.0, -2.5], [1 / 3, 4.0]]))
        '[[1, -2.5], [0.3333, 4]]'
        >>> format_number(np.arange(20.0))
        'shape (20,): mean 9.5, min 0, max 19'
    """
    if isinstance(value, (float, np.floating)):
        return repr(float(value)) if digits is None else f"{float(value):.{digits}g}"
    if isinstance(value, np.ndarray):
        if value.size == 0:
            return f"shape {value.shape}: empty"
        if value.size > MAX_SHOWN:
            return (
                f"shape {value.shape}: mean {np.mean(value):.4g}, "
                f"min {np.min(value):.4g}, max {np.max(value):.4g}"
            )
        if value.ndim == 0:
            return format_number(float(value), digits)
        return "[" + ", ".join(format_number(row, digits) for row in value) + "]"
    return "" if value is None else str(value)


def wrap(start: str, parts: list[str], joiner: str, indent: str, width: int = 76) -> str:
    """``start`` followed by ``parts`` joined with ``joiner``, broken into lines of ``width``.

    A part never splits; continuation lines begin with ``indent`` and the
    joiner, so a long product reads as one, on a narrow screen too.

    Examples:
        >>> print(wrap("y = ", ["a1", "a2", "a3"], " * ", "    ", width=12))
        y = a1 * a2
            * a3
    """
    lines, line = [], start + parts[0] if parts else start
    for part in parts[1:]:
        if len(line) + len(joiner) + len(part) > width:
            lines.append(line)
            line = indent + joiner.lstrip() + part
        else:
            line += joiner + part
    return "\n".join([*lines, line])


def text_table(header: list[str], rows: list[list[str]]) -> str:
    """Columns padded to line up, under a header and a rule.

    Examples:
        >>> print(text_table(["a", "bb"], [["1", "2"], ["333", "4"]]))
        a    bb
        ---  --
        1    2
        333  4
    """
    widths = [max(len(line[i]) for line in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        padded = (cell.ljust(width) for cell, width in zip(cells, widths, strict=True))
        return "  ".join(padded).rstrip()

    return "\n".join([line(header), line(["-" * width for width in widths]), *map(line, rows)])


def html_table(header: list[str], rows: list[list[str]], caption: str = "") -> str:
    """The same table as HTML, every cell escaped (for Jupyter, so ``html`` loads only then).

    Examples:
        >>> html_table(["a"], [["<1>"]])
        '<table><thead><tr><th>a</th></tr></thead><tbody><tr><td>&lt;1&gt;</td></tr></tbody></table>'
    """
    import html

    head = "".join(f"<th>{html.escape(cell)}</th>" for cell in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    title = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return f"<table>{title}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
