"""Tables as aligned text (for print) and as HTML (for Jupyter), and how cells look."""

from __future__ import annotations

import numpy as np


def format_cell(value: object) -> str:
    """Show a number in full, an array as a compact summary, anything else with str.

    Examples:
        >>> format_cell(0.1 + 0.2)
        '0.30000000000000004'
        >>> format_cell(np.array([1.0, 2.0, 6.0]))
        'shape (3,): mean 3, min 1, max 6'
    """
    if isinstance(value, float):
        return repr(float(value))
    if isinstance(value, np.ndarray):
        if value.size == 0:
            return f"shape {value.shape}: empty"
        return (
            f"shape {value.shape}: mean {np.mean(value):.4g}, "
            f"min {np.min(value):.4g}, max {np.max(value):.4g}"
        )
    return "" if value is None else str(value)


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
