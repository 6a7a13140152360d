"""What every importer shares: options, the per-file result, ids, export dates, duplicate checks."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ...privacy.pseudonym import coerce_key, is_pseudonym, pseudonymise
from .parsing import Problems, RawFile, where
from .store import FolderState, format_canonical

__all__ = [
    "PAGE_ID",
    "Context",
    "Extract",
    "Importer",
    "Options",
    "check_le",
    "choose_export_date",
    "dedupe_rows",
    "export_date_from_name",
    "label",
    "path_of",
    "post_id_from_link",
    "resolve_person",
]

PAGE_ID = "company-page"
"""Default ``author_id`` of the company page's posts (the sample data's too)."""


@dataclass
class Options:
    """Options of one import (see :func:`advocacy_eval.io.imports.import_files`)."""

    key: bytes | str | None = None
    employee_id: object = None
    mapping: object = None
    export_date: pd.Timestamp | None = None
    lang: str | None = None
    page_id: str = PAGE_ID
    page_followers: object = None
    content_type: object = None
    rules: object = None
    as_of: pd.Timestamp | None = None


@dataclass
class Context:
    """Everything an importer may read while parsing one file."""

    options: Options
    state: FolderState
    problems: Problems
    _key: bytes | None = None

    def key(self) -> bytes:
        """The pseudonymisation key, read once (raises PseudonymKeyError with instructions)."""
        if self._key is None:
            self._key = coerce_key(self.options.key)
        return self._key


@dataclass
class Extract:
    """What one file yields, before merging.

    Attributes
    ----------
    tables : dict
        Canonical table -> typed rows (keys unique within the file).
    rows_read : int
        Data rows read from the file.
    encoding, lang, date_order : str or None
        How the file was read.
    export_date : pandas.Timestamp
        Orders this file's snapshots against other files'.
    export_date_source : str
        ``given``, ``file name``, ``file content`` or ``import date``.
    notes : list of str
        Decisions worth knowing (filled values, ignored columns...).
    aliases : pandas.DataFrame or None
        ``alias -> employee_id`` pairs (roster only).
    stored_name : str or None
        Name under which the file is logged and copied when its own name is
        personal (creator exports are named after the member).
    aux : dict
        Rows for the tables of ``DATA_DIR/linkedin/`` (see
        :data:`~advocacy_eval.io.imports.store.AUX_TABLES`), by table name.
    period : tuple of pandas.Timestamp or None
        First and last day the file covers, when it says (logged).
    review : pandas.DataFrame or None
        What each post was classified as, and why (rows of the review CSV).
    derive : callable or None
        Called with the folder state once this file's rows are merged; returns canonical rows
        recomputed from everything imported so far (member exports: the activity table), by table,
        and notes for the log.
    """

    tables: dict[str, pd.DataFrame]
    rows_read: int
    encoding: str | None
    lang: str | None
    date_order: str | None
    export_date: pd.Timestamp
    export_date_source: str
    notes: list[str] = field(default_factory=list)
    aliases: pd.DataFrame | None = None
    stored_name: str | None = None
    aux: dict[str, pd.DataFrame] = field(default_factory=dict)
    period: tuple[pd.Timestamp, pd.Timestamp] | None = None
    review: pd.DataFrame | None = None
    derive: Callable[[FolderState], tuple[dict[str, pd.DataFrame], list[str]]] | None = None


Importer = Callable[[RawFile, Context], "Extract | None"]

_URN = re.compile(r"urn:li:(activity|share|ugcPost|article):(\d+)", re.IGNORECASE)
_SLUG_ID = re.compile(r"[-_/](activity|share|ugcPost)[-:](\d{10,})", re.IGNORECASE)


def post_id_from_link(values: pd.Series) -> pd.Series:
    """Post id from a LinkedIn post link or URN.

    ``https://www.linkedin.com/feed/update/urn:li:activity:7123.../`` and
    ``.../posts/name_title-activity-7123...-abcd`` give ``urn:li:activity:7123...``;
    other links give the link without scheme, ``www.``, query, fragment and
    trailing slash; plain ids are kept.
    """
    text = values.astype("string").str.strip()
    urn = text.str.extract(_URN)
    slug = text.str.extract(_SLUG_ID)
    kind = urn[0].fillna(slug[0])
    number = urn[1].fillna(slug[1])
    canonical_kind = kind.str.lower().map(
        {"activity": "activity", "share": "share", "ugcpost": "ugcPost", "article": "article"}
    )
    from_urn = "urn:li:" + canonical_kind + ":" + number
    bare = (
        text.str.replace(r"^https?://", "", regex=True)
        .str.replace(r"^www\.", "", regex=True)
        .str.replace(r"[?#].*$", "", regex=True)
        .str.rstrip("/")
    )
    out = from_urn.fillna(bare)
    return out.mask(text.isna() | (text == ""))


_EPOCH_MS = re.compile(r"(?<!\d)(1[3-9]\d{11})(?!\d)")
_ISO_IN_NAME = re.compile(r"(?<!\d)(20\d{2})-?(\d{2})-?(\d{2})(?!\d)")


def export_date_from_name(name: str) -> pd.Timestamp | None:
    """Export time written in a file name: LinkedIn's millisecond timestamp, else the last ISO date."""
    match = _EPOCH_MS.search(name)
    if match:
        return pd.Timestamp(int(match.group(1)), unit="ms").floor("s")
    dates = _ISO_IN_NAME.findall(name)
    for y, m, d in reversed(dates):
        try:
            return pd.Timestamp(int(y), int(m), int(d))
        except ValueError:
            continue
    return None


def choose_export_date(
    options: Options, name: str, from_content: pd.Timestamp | None, fallback_today: bool = False
) -> tuple[pd.Timestamp | None, str]:
    """Export date of a file: given > file name > content > (import date)."""
    if options.export_date is not None:
        return options.export_date, "given"
    from_name = export_date_from_name(name)
    if from_name is not None:
        return from_name, "file name"
    if from_content is not None and not pd.isna(from_content):
        return pd.Timestamp(from_content), "file content"
    if fallback_today:
        return pd.Timestamp.now(tz="UTC").tz_localize(None).floor("s"), "import date"
    return None, ""


def dedupe_rows(
    df: pd.DataFrame,
    rows: np.ndarray,
    table: str,
    key: list[str],
    file: str,
    sheet: str | None,
    problems: Problems,
    key_label: str | None = None,
) -> tuple[pd.DataFrame, np.ndarray, int]:
    """Drop exact duplicate rows of a key; report duplicates with conflicting values.

    Returns
    -------
    df, rows : the de-duplicated rows and their row numbers
    dropped : int
        Exact duplicates removed.
    """
    if df.empty:
        return df, rows, 0
    text = format_canonical(df, table)
    dup_key = text.duplicated(key, keep=False).to_numpy()
    if not dup_key.any():
        return df, rows, 0
    exact = text.duplicated(keep="first").to_numpy()
    conflicting = text[dup_key & ~exact].duplicated(key, keep=False)
    bad_keys = text[dup_key & ~exact][conflicting.to_numpy()][key].drop_duplicates()
    for _, k in bad_keys.iterrows():
        match = (text[key] == k.to_numpy()).all(axis=1).to_numpy()
        lines = ", ".join(str(r) for r in rows[match])
        problems.add(
            file,
            f"duplicate id with conflicting values (rows {lines})",
            sheet=sheet,
            row=int(rows[match][1]),
            column=key_label or key[0],
            value="/".join(str(v) for v in k.to_numpy()),
        )
    keep = ~exact
    return df[keep].reset_index(drop=True), rows[keep], int(exact.sum())


def resolve_person(values: pd.Series, ctx: Context) -> pd.Series:
    """Employee ids for identifiers: pseudonyms kept, others pseudonymised (key needed) then aliased."""
    text = values.astype("string").str.strip()
    ready = text.map(lambda v: is_pseudonym(v) if isinstance(v, str) else False).astype(bool)
    out = text.copy()
    if (~ready & text.notna()).any():
        out[~ready] = pseudonymise(text[~ready], ctx.key())
    return ctx.state.resolve_aliases(out.astype(object)).astype("string")


def check_le(
    problems: Problems,
    file: str,
    sheet: str | None,
    rows: np.ndarray,
    small: pd.Series,
    large: pd.Series,
    column: str,
    rule: str,
) -> None:
    """Report rows where ``small > large`` (both present)."""
    mask = (small.astype("Float64") > large.astype("Float64")).fillna(False).astype(bool)
    problems.add_mask(file, sheet, rows, mask, column, rule, small.astype(object))


def label(file: str, sheet: str | None) -> str:
    """``file [sheet]``."""
    return where(file, sheet)


def path_of(value: object) -> Path | None:
    """A path when ``value`` names an existing file, else None."""
    if isinstance(value, Path):
        return value
    if (
        isinstance(value, str)
        and any(c in value for c in "/\\.")
        and Path(value).expanduser().is_file()
    ):
        return Path(value).expanduser()
    return None
