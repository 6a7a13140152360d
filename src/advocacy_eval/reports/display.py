"""Small display helpers for report notebooks (stable, escaped HTML; no computation).

Data are shown as text, never interpreted as markup: a string that comes from
the data (a wave or department name, a theme, a claim label...) goes into
:func:`md` or :func:`bullets` only through :func:`plain`; :func:`table`,
:func:`figure` and :func:`summary_box` escape every text themselves. The text
given to :func:`md` and :func:`bullets` is trusted Markdown (report strings
and already escaped parts). As a second line of defence the publishing step
refuses a report whose HTML would hold a script, an event handler or a link
(:func:`advocacy_eval.publish.runner.active_content`), and the exported page
carries a Content-Security-Policy that runs no script.

Layout for every screen and for print (``REPORT_CSS`` in
:mod:`advocacy_eval.publish.runner`): a table sits in its own horizontally
scrolling box with its first column fixed; a verdict (``✓``, ``✗``, ``?``)
gets its colour-blind-safe colour from its class; a figure is one
``<figure>`` (title, vector image, caption) that is never split across
pages.
"""

from __future__ import annotations

import base64
import html as _html
import io
import math
import re
import string
from collections.abc import Iterable
from typing import TYPE_CHECKING

import pandas as pd
from IPython.display import HTML, Markdown

__all__ = [
    "MATH_IGNORE_CLASS",
    "VERDICT_SYMBOLS",
    "bullets",
    "figure",
    "md",
    "plain",
    "summary_box",
    "table",
]

if TYPE_CHECKING:
    from .figures import ReportFigure
    from .summary import SummaryBox

_HTML_ENTITIES: dict[str, str] = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "'": "&#39;",
}
"""Characters written as HTML entities by :func:`plain`."""

_MARKDOWN_ESCAPED: frozenset[str] = frozenset(string.punctuation) - set(_HTML_ENTITIES)
"""ASCII punctuation backslash-escaped by :func:`plain` (CommonMark allows escaping any of it)."""

MATH_IGNORE_CLASS = "tex2jax_ignore"
"""HTML class that MathJax (in the exported report and in Jupyter) leaves untypeset."""


def plain(text: object) -> str:
    r"""Markdown source that shows ``text`` literally, never as markup.

    For a data-derived string placed inside :func:`md` or :func:`bullets`
    output, rendered by nbconvert's HTML exporter (mistune, raw HTML passed
    through) or by Jupyter (MathJax in the page): ``&``, ``<``, ``>`` and
    quotes become HTML entities; every other ASCII punctuation character
    (``* _ [ ] ( ) # + - ! | { } ` ~ \ $ : .`` ...) is backslash-escaped, so
    no emphasis, link, heading, list, table, code span, raw HTML or bare-URL
    autolink can start from the data; line breaks and runs of white space
    become one space. Text containing ``$`` or ``\`` (MathJax delimiters) is
    wrapped in ``<span class="tex2jax_ignore">`` so that the browser does not
    typeset it as mathematics.

    Not for code spans (backslashes would show) nor for :func:`table` cells
    (already escaped: they would be escaped twice).

    Parameters
    ----------
    text : object
        Any value; None and missing values (NaN, NA, NaT) show as an en dash.

    Returns
    -------
    str
        Markdown source.

    Examples
    --------
    >>> plain("**R&D** [x](javascript:alert(1))")
    '\\*\\*R&amp;D\\*\\* \\[x\\]\\(javascript\\:alert\\(1\\)\\)'
    """
    if (
        text is None
        or text is pd.NA
        or text is pd.NaT
        or (isinstance(text, float) and math.isnan(text))
    ):
        return "–"
    raw = " ".join(str(text).split())
    out = "".join(
        _HTML_ENTITIES.get(ch) or (f"\\{ch}" if ch in _MARKDOWN_ESCAPED else ch) for ch in raw
    )
    if "$" in raw or "\\" in raw:
        out = f'<span class="{MATH_IGNORE_CLASS}">{out}</span>'
    return out


def md(text: str) -> Markdown:
    """Markdown output (headings, sentences) from trusted text; pass data-derived parts through :func:`plain`.

    Parameters
    ----------
    text : str
        Markdown source.

    Returns
    -------
    IPython.display.Markdown
    """
    return Markdown(text)


def bullets(lines: Iterable[str]) -> Markdown:
    """A Markdown bullet list of trusted lines; pass data-derived parts through :func:`plain`.

    Parameters
    ----------
    lines : iterable of str
        One Markdown line per bullet (line breaks inside a line become spaces).

    Returns
    -------
    IPython.display.Markdown
    """
    return Markdown("\n".join(f"- {' '.join(str(line).splitlines())}" for line in lines))


VERDICT_SYMBOLS: dict[str, str] = {"✓": "supported", "✗": "contradicted", "?": "inconclusive"}
"""The verdict each symbol stands for (the symbols of ``verdict_symbol_*`` in the report strings)."""

_LEADING_VERDICT = re.compile(r"<td>([✓✗?]) ")
_TRAILING_VERDICT = re.compile(r" ([✓✗?])</td>")


def _verdict_cells(html: str) -> str:
    """Give verdict cells (``✓ Supported``...) and trailing verdict symbols (``4.1x [3.6x–4.6x] ?``) their class."""
    html = _LEADING_VERDICT.sub(
        lambda m: (
            f'<td class="verdict-cell verdict-{VERDICT_SYMBOLS[m.group(1)]}">'
            f'<span class="verdict-symbol">{m.group(1)}</span> '
        ),
        html,
    )
    return _TRAILING_VERDICT.sub(
        lambda m: (
            f'\u00a0<span class="verdict-symbol verdict-{VERDICT_SYMBOLS[m.group(1)]}">{m.group(1)}</span></td>'
        ),
        html,
    )


def table(frame: pd.DataFrame) -> HTML:
    """An HTML table without index, in its own scrolling box; values are shown as given and escaped.

    Cells and column headers are HTML-escaped (``&``, ``<``, ``>``): text
    from the data shows literally and never becomes a tag. Do not pass them
    through :func:`plain` first. A cell starting with a verdict symbol
    (``✓ Supported``) or ending with one (``4.1x [3.6x–4.6x] ?``) gets the
    verdict's class, hence its colour. On a narrow screen the table scrolls
    inside its box, its first column staying in view; in print it is never
    split across pages.

    Parameters
    ----------
    frame : pandas.DataFrame
        Table of display strings.
    """
    html = frame.to_html(index=False, border=0, escape=True, na_rep="–", classes="advocacy-table")
    return HTML(
        f'<div class="advocacy-table-wrap" role="region" tabindex="0">\n{_verdict_cells(html)}\n</div>'
    )


def _svg(fig) -> tuple[str, float, float]:
    """The figure as SVG text (deterministic: no date, fixed ids), with its width and height in points."""
    buf = io.StringIO()
    fig.savefig(
        buf,
        format="svg",
        bbox_inches="tight",
        pad_inches=0.05,
        metadata={"Date": None, "Creator": "advocacy-eval"},
    )
    svg = buf.getvalue()
    size = re.search(r'<svg[^>]*\bwidth="([\d.]+)pt"[^>]*\bheight="([\d.]+)pt"', svg)
    width, height = (float(size.group(1)), float(size.group(2))) if size else (504.0, 252.0)
    return svg, width, height


def figure(report_figure: ReportFigure) -> None:
    """Display a report figure as one ``<figure>``: title, vector image (SVG) with its description, caption.

    The image is embedded as SVG (sharp at any zoom and in the PDF) with the
    figure's description as its alternative text; the title and the caption
    are text around it, in the same element, so that print never separates
    them. The matplotlib figure is closed (no second copy from the inline
    backend). The plain-text form of the output is the title and the
    description (what nbval compares).

    Parameters
    ----------
    report_figure : ReportFigure
        From :mod:`advocacy_eval.reports.figures` or :mod:`advocacy_eval.reports.effect_figures`.

    Raises
    ------
    ValueError
        If the figure has no description.
    """
    import matplotlib.pyplot as plt
    from IPython.display import display

    if not report_figure.alt.strip():
        raise ValueError("a report figure needs a description of what it shows (alt text)")
    svg, width, height = _svg(report_figure.figure)
    plt.close(report_figure.figure)
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    esc = _html.escape
    parts = ['<figure class="advocacy-figure">']
    if report_figure.title:
        parts.append(f'<p class="advocacy-figure-title">{esc(report_figure.title)}</p>')
    parts.append(
        f'<img src="data:image/svg+xml;base64,{data}" alt="{esc(report_figure.alt)}" '
        f'width="{round(width * 4 / 3)}" height="{round(height * 4 / 3)}">'
    )
    if report_figure.caption:
        parts.append(f"<figcaption>{esc(report_figure.caption)}</figcaption>")
    parts.append("</figure>")
    text = "\n".join(
        x for x in (report_figure.title, report_figure.alt, report_figure.caption) if x
    )
    display({"text/html": "".join(parts), "text/plain": text}, raw=True)


def summary_box(box: SummaryBox) -> None:
    """Display the "what we can say" box (:func:`advocacy_eval.reports.summary.what_we_can_say`).

    One list item per claim: the verdict (symbol and word, in its colour),
    the strongest statement its interval supports, what was claimed, and
    what would settle it when it is inconclusive. Every text is escaped.

    Parameters
    ----------
    box : SummaryBox
        The box, in the report's language.
    """
    from IPython.display import display

    from .summary import verdict_word

    esc = _html.escape
    lang = box.lang
    symbols = {v: s for s, v in VERDICT_SYMBOLS.items()}
    items, lines = [], [box.title, box.lead]
    for item in box.items:
        word = verdict_word(item.verdict, lang, capital=True)
        extra = " ".join(
            f'<span class="verdict-{part}">{esc(text)}</span>'
            for part, text in (
                ("claimed", item.claimed),
                ("settle", item.settle),
                ("flag", item.flag),
            )
            if text
        )
        items.append(
            f'<li class="verdict-item verdict-{item.verdict}"><span class="verdict-badge">'
            f'<span class="verdict-symbol">{symbols[item.verdict]}</span> {esc(word)}</span> '
            f'<span class="verdict-statement">{esc(item.statement)}</span> {extra}</li>'
        )
        lines.append(
            " ".join(
                x
                for x in (
                    f"{symbols[item.verdict]} {word}:",
                    item.statement,
                    item.claimed,
                    item.settle,
                    item.flag,
                )
                if x
            )
        )
    lines.append(box.note)
    body = (
        f'<section class="advocacy-box"><h3 class="advocacy-box-title">{esc(box.title)}</h3>'
        f'<p class="advocacy-box-lead">{esc(box.lead)}</p><ul class="advocacy-verdicts">{"".join(items)}</ul>'
        f'<p class="advocacy-box-note">{esc(box.note)}</p></section>'
    )
    display({"text/html": body, "text/plain": "\n".join(lines)}, raw=True)
