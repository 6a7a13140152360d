"""Small display helpers for report notebooks (stable, escaped HTML; no computation).

Data are shown as text, never interpreted as markup: a string that comes from
the data (a wave or department name, a theme, a claim label...) goes into
:func:`md` or :func:`bullets` only through :func:`plain`; :func:`table`
escapes every cell and header itself. The text given to :func:`md` and
:func:`bullets` is trusted Markdown (report strings and already escaped
parts). As a second line of defence the publishing step refuses a report
whose HTML would hold a script, an event handler or a link
(:func:`advocacy_eval.publish.runner.active_content`), and the exported page
carries a Content-Security-Policy that runs no script.
"""

from __future__ import annotations

import math
import string
from collections.abc import Iterable

import pandas as pd
from IPython.display import HTML, Markdown

_HTML_ENTITIES: dict[str, str] = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}
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
    if text is None or text is pd.NA or text is pd.NaT or (isinstance(text, float) and math.isnan(text)):
        return "–"
    raw = " ".join(str(text).split())
    out = "".join(_HTML_ENTITIES.get(ch) or (f"\\{ch}" if ch in _MARKDOWN_ESCAPED else ch) for ch in raw)
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


def table(frame: pd.DataFrame) -> HTML:
    """An HTML table without index; values are shown as given (pre-formatted) and escaped.

    Cells and column headers are HTML-escaped (``&``, ``<``, ``>``): text
    from the data shows literally and never becomes a tag. Do not pass them
    through :func:`plain` first.

    Parameters
    ----------
    frame : pandas.DataFrame
        Table of display strings.
    """
    html = frame.to_html(index=False, border=0, escape=True, na_rep="–", classes="advocacy-table")
    return HTML(html)


def figure(fig) -> None:
    """Display a matplotlib figure once and close it (no second copy from the inline backend).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        Figure to show.
    """
    import matplotlib.pyplot as plt
    from IPython.display import display

    display(fig)
    plt.close(fig)
