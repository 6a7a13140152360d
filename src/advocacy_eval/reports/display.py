"""Small display helpers for report notebooks (stable, escaped HTML; no computation)."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
from IPython.display import HTML, Markdown


def md(text: str) -> Markdown:
    """Markdown output (headings, sentences)."""
    return Markdown(text)


def bullets(lines: Iterable[str]) -> Markdown:
    """A Markdown bullet list."""
    return Markdown("\n".join(f"- {line}" for line in lines))


def table(frame: pd.DataFrame) -> HTML:
    """An HTML table without index; values are shown as given (pre-formatted) and escaped.

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
