"""Short text and HTML representations of result objects, for the console and Jupyter.

Results (dataclasses holding tables) print a one-line summary instead of
every table they hold; in Jupyter, ``_repr_html_`` shows the same summary as
a small table, with each held table folded under a ``<details>`` element.
Language-free and computation-free: it only formats what it is given.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

__all__ = ["fmt_value", "html_summary", "interval", "table_shape"]


def fmt_value(value: Any, digits: int = 3) -> str:
    """A value written for a summary: floats to ``digits`` significant digits, whole floats as integers.

    Parameters
    ----------
    value : object
        The value.
    digits : int
        Significant digits of a float.

    Examples
    --------
    >>> fmt_value(4.10133), fmt_value(149.0), fmt_value(float("inf")), fmt_value(None)
    ('4.1', '149', 'inf', '—')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, float):
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        if value.is_integer() and abs(value) < 1e15:
            return f"{int(value):,}"
        return f"{value:.{digits}g}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def interval(estimate: float, low: float, high: float, digits: int = 3) -> str:
    """``estimate (low–high)``, or ``—`` when the estimate is missing.

    Examples
    --------
    >>> interval(4.1013, 3.677, 4.574)
    '4.1 (3.68–4.57)'
    """
    if estimate is None or (isinstance(estimate, float) and not math.isfinite(estimate)):
        return "—"
    return f"{fmt_value(float(estimate), digits)} ({fmt_value(float(low), digits)}–{fmt_value(float(high), digits)})"


def table_shape(frame: pd.DataFrame | None) -> str:
    """``"12 rows"`` (or ``"none"``): how a held table is summarised in a one-line repr."""
    if frame is None:
        return "none"
    return f"{len(frame):,} row{'s' if len(frame) != 1 else ''}"


def html_summary(
    title: str,
    items: Iterable[tuple[str, Any]] = (),
    tables: Sequence[tuple[str, pd.DataFrame | None]] = (),
    max_rows: int = 30,
) -> str:
    """A small HTML block: a title, key/value rows, then each table folded under ``<details>``.

    Every text is escaped; tables are rendered by pandas (``max_rows`` rows at most).

    Parameters
    ----------
    title : str
        Bold title (e.g. the class name and its key).
    items : iterable of (str, object)
        Rows of the summary table (values through :func:`fmt_value`).
    tables : sequence of (str, DataFrame or None)
        Tables shown folded, with their name and size; ``None`` entries are skipped.
    max_rows : int
        Rows shown per table.

    Returns
    -------
    str
    """
    cells = "".join(
        f"<tr><th style='text-align:left'>{html.escape(str(k))}</th>"
        f"<td style='text-align:left'>{html.escape(fmt_value(v))}</td></tr>"
        for k, v in items
    )
    parts = [f"<div class='advocacy-eval-result'><strong>{html.escape(title)}</strong>"]
    if cells:
        parts.append(f"<table>{cells}</table>")
    for name, frame in tables:
        if frame is None:
            continue
        body = frame.to_html(max_rows=max_rows, float_format=lambda x: f"{x:.4g}", border=0)
        parts.append(
            f"<details><summary>{html.escape(name)} ({table_shape(frame)})</summary>{body}</details>"
        )
    parts.append("</div>")
    return "".join(parts)
