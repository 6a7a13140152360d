"""Provenance of a report: what it was computed from, with which version, when."""

from __future__ import annotations

import datetime as dt

from . import __version__
from .i18n import t


def generated_line(lang: str = "en", when: dt.datetime | None = None) -> str:
    """Sentence stating the generation time (UTC) and the package version.

    Parameters
    ----------
    lang : str
        Report language.
    when : datetime, optional
        Generation time (default: now, UTC).
    """
    when = when or dt.datetime.now(dt.UTC)
    return t("generated", lang, when=when.strftime("%Y-%m-%d %H:%M UTC"), version=__version__)
