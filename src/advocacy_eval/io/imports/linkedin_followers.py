"""LinkedIn Page followers export (.xls/.xlsx, English or French): the page's daily follower count.

The export (Page analytics > Followers > Export, e.g. ``acme_followers_1706954400000.xls``) has:

- a "New followers" sheet (French "Nouveaux abonnés"): daily ``Date``, ``Sponsored followers``,
  ``Organic followers``, ``Auto-invited followers`` and ``Total followers``. Beware: that
  "Total followers" is the number of **new** followers of the day (the sum of the three other
  columns), not the running total;
- demographic sheets ("Location", "Job function", "Seniority", "Industry", "Company size"; French
  "Lieu", "Fonction", "Niveau hiérarchique", "Secteur", "Taille de l’entreprise"), each with a
  ``Total followers`` column per category: their sum is the page's total **today**.

The daily count is rebuilt backwards: followers at the end of day d = today's total minus the
new followers of every later day. LinkedIn does not report unfollows, so the rebuilt count is a
lower bound of the real one (the page's audience slightly low, its reach rate slightly high); the
import log says so. When the demographic sheets disagree (a category left out of one of them),
the largest sum is used and the others are noted.

Rows are stored in ``DATA_DIR/linkedin/page_followers.csv`` (page_id, date, followers,
new_followers; the latest export of a day wins). Page content imports then take each post's
``audience_size`` from it: no ``--page-followers`` needed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .common import Context, Extract, choose_export_date
from .parsing import (
    AmbiguousDates,
    Field,
    RawFile,
    Table,
    decide_date_order,
    find_table,
    norm,
    number_language,
    parse_counts,
    parse_dates,
    report_duplicate_headers,
)

TOTAL_NAMES_EN = ("Total followers",)
TOTAL_NAMES_FR = (
    "Nombre total d’abonnés",
    "Total des abonnés",
    "Total abonnés",
    "Abonnés au total",
    "Total d’abonnés",
)

NEW_FOLLOWER_FIELDS: tuple[Field, ...] = (
    Field("date", ("Date",), ("Date",)),
    Field("sponsored", ("Sponsored followers",), ("Abonnés sponsorisés",)),
    Field("organic", ("Organic followers",), ("Abonnés naturels", "Abonnés organiques")),
    Field(
        "auto_invited",
        ("Auto-invited followers",),
        ("Abonnés invités automatiquement", "Abonnés auto-invités"),
    ),
    Field("total", TOTAL_NAMES_EN, TOTAL_NAMES_FR),
)
"""Columns of the "New followers" sheet ("total": the day's NEW followers)."""

DEMOGRAPHIC_SHEETS: dict[str, str] = {
    "location": "en",
    "job function": "en",
    "seniority": "en",
    "industry": "en",
    "company size": "en",
    "lieu": "fr",
    "localisation": "fr",
    "emplacement": "fr",
    "fonction": "fr",
    "niveau hierarchique": "fr",
    "anciennete": "fr",
    "secteur": "fr",
    "taille de l'entreprise": "fr",
}
"""Normalised names of the demographic sheets, with their language."""

CATEGORY_FIELD = Field(
    "category",
    ("Location", "Job function", "Seniority", "Industry", "Company size"),
    (
        "Lieu",
        "Localisation",
        "Emplacement",
        "Fonction",
        "Niveau hiérarchique",
        "Ancienneté",
        "Secteur",
        "Taille de l’entreprise",
    ),
)
DEMOGRAPHIC_FIELDS = (CATEGORY_FIELD, Field("total", TOTAL_NAMES_EN, TOTAL_NAMES_FR))
NEW_SHEETS = {norm("New followers"): "en", norm("Nouveaux abonnés"): "fr"}

MAX_DAYS_BEFORE_EXPORT = 3
"""LinkedIn's daily rows may lag the export by up to 48 hours: a longer gap leaves the rebuild without anchor."""

UNFOLLOWS_NOTE = (
    "unfollows are unknown (LinkedIn's export does not report them): the daily follower counts "
    "are rebuilt as today's total minus the new followers of the later days, a lower bound when "
    "people unfollowed (the page's audience slightly low, its reach rate slightly high)"
)


def _new_followers_table(raw: RawFile) -> Table | None:
    named = [s for s in raw.sheets if norm(s.name) in NEW_SHEETS]
    for sheet in named + [s for s in raw.sheets if s not in named]:
        table = find_table(sheet, NEW_FOLLOWER_FIELDS, min_fields=2)
        if table is not None and "date" in table.headers and "total" in table.headers:
            return table
    return None


def _demographics(raw: RawFile) -> list[Table]:
    """Tables with a Total followers column per category (every sheet but New followers)."""
    out = []
    for sheet in raw.sheets:
        if norm(sheet.name) in NEW_SHEETS:
            continue
        table = find_table(sheet, DEMOGRAPHIC_FIELDS, min_fields=2)
        if (
            table is None and norm(sheet.name) in DEMOGRAPHIC_SHEETS
        ):  # a category header not known yet
            table = find_table(sheet, DEMOGRAPHIC_FIELDS[1:], min_fields=1)
        if table is not None:
            out.append(table)
    return out


def _sheet_language(raw: RawFile) -> str | None:
    votes = {"en": 0, "fr": 0}
    for sheet in raw.sheets:
        lang = NEW_SHEETS.get(norm(sheet.name)) or DEMOGRAPHIC_SHEETS.get(norm(sheet.name))
        if lang:
            votes[lang] += 1
    return "fr" if votes["fr"] > votes["en"] else "en" if votes["en"] > votes["fr"] else None


def extract(raw: RawFile, ctx: Context) -> Extract | None:
    """Read one Page followers export into the page's daily follower counts.

    Parameters
    ----------
    raw : RawFile
        The workbook.
    ctx : Context
        Options (``page_id``), data folder, problem collector.

    Returns
    -------
    Extract or None
        None when problems were recorded.
    """
    problems, opts, file = ctx.problems, ctx.options, raw.name
    n_before = len(problems)
    daily = _new_followers_table(raw)
    sheets = ", ".join(repr(s.name) for s in raw.sheets) or "none"
    if daily is None:
        problems.add(
            file,
            "unknown layout or wrong sheet: a followers export needs the sheet 'New followers' / "
            "'Nouveaux abonnés' with Date and Total followers (the day's new followers); "
            f"sheets found: {sheets}",
        )
        return None
    report_duplicate_headers(daily, problems, file)
    demographics = _demographics(raw)
    for table in demographics:
        report_duplicate_headers(table, problems, file)
    if not demographics:
        problems.add(
            file,
            "today's total is unknown: no demographic sheet (Location, Job function, Seniority, "
            "Industry, Company size / Lieu, Fonction, ...) with a Total followers column; "
            f"sheets found: {sheets}",
        )
    if len(problems) > n_before:
        return None
    lang = opts.lang or daily.lang or _sheet_language(raw)
    data, sheet, rows = daily.data, daily.sheet, daily.rows
    count_fields = [f for f in ("sponsored", "organic", "auto_invited", "total") if f in data]
    num_lang = (
        lang
        or number_language(
            [data[f] for f in count_fields] + [t.data["total"] for t in demographics]
        )
        or "en"
    )
    try:
        order = decide_date_order([data["date"]], lang, None, file)
    except AmbiguousDates as exc:
        problems.add(file, str(exc), sheet=sheet, column=daily.headers["date"])
        return None
    day, bad_day = parse_dates(data["date"], order)
    problems.add_mask(
        file,
        sheet,
        rows,
        bad_day,
        daily.headers["date"],
        f"impossible or unreadable date (read as {order or 'ISO'})",
        data["date"],
    )
    counts = {}
    for f in count_fields:
        counts[f], bad = parse_counts(data[f], num_lang)
        problems.add_mask(
            file,
            sheet,
            rows,
            bad,
            daily.headers[f],
            "bad number: must be a whole number >= 0 "
            f"written the {'French' if num_lang == 'fr' else 'English'} way",
            data[f],
        )
    new = counts["total"]
    problems.add_mask(
        file,
        sheet,
        rows,
        new.isna() & ~bad_day,
        daily.headers["total"],
        "required value is empty",
        None,
    )
    parts = [f for f in ("sponsored", "organic", "auto_invited") if f in counts]
    if len(parts) == 3:
        summed = sum(counts[f].astype("Float64").fillna(0) for f in parts)
        mismatch = new.notna() & (summed != new.astype("Float64"))
        problems.add_mask(
            file,
            sheet,
            rows,
            mismatch.fillna(False),
            daily.headers["total"],
            "must equal Sponsored + Organic + Auto-invited followers (this column holds the day's "
            "new followers, not the running total): a number was probably mis-parsed",
            data["total"],
        )
    totals = []
    for table in demographics:
        values, bad = parse_counts(table.data["total"], num_lang)
        problems.add_mask(
            file,
            table.sheet,
            table.rows,
            bad,
            table.headers["total"],
            "bad number: must be a whole number >= 0",
            table.data["total"],
        )
        totals.append((int(values.fillna(0).sum()), table.sheet))
    if len(problems) > n_before:
        return None
    frame = pd.DataFrame({"date": day.dt.normalize(), "new": new, "row": rows})
    dup = frame["date"].duplicated(keep=False).to_numpy()
    problems.add_mask(
        file, sheet, rows, dup, daily.headers["date"], "the same day is listed twice", data["date"]
    )
    frame = frame.sort_values("date").reset_index(drop=True)
    gaps = frame["date"].diff().dt.days.fillna(1).to_numpy() > 1
    if gaps.any():
        first = int(np.flatnonzero(gaps)[0])
        problems.add(
            file,
            "a day is missing before this one: the new followers of every day are needed to "
            "rebuild the daily count",
            sheet=sheet,
            row=int(frame.loc[first, "row"]),
            column=daily.headers["date"],
            value=frame.loc[first, "date"].strftime("%Y-%m-%d"),
        )
    if frame.empty:
        problems.add(file, "no daily rows in the New followers sheet", sheet=sheet)
    if len(problems) > n_before:
        return None
    last_day = frame["date"].iloc[-1]
    export_date, source = choose_export_date(opts, file, last_day)
    lag = (pd.Timestamp(export_date).normalize() - last_day).days
    if lag > MAX_DAYS_BEFORE_EXPORT:
        problems.add(
            file,
            f"the daily rows end on {last_day:%Y-%m-%d} but the file was exported on "
            f"{pd.Timestamp(export_date):%Y-%m-%d} ({source}): today's total cannot be traced back "
            "without the new followers of the days in between; export the followers with a date range "
            "ending on the day of the export",
            sheet=sheet,
            row=int(frame["row"].iloc[-1]),
        )
        return None
    total, total_sheet = max(totals)
    later = (
        frame["new"].astype("int64")[::-1].cumsum()[::-1].to_numpy()
        - frame["new"].astype("int64").to_numpy()
    )
    followers = total - later
    nonpositive = followers <= 0
    if nonpositive.any():
        problems.add_mask(
            file,
            sheet,
            frame["row"].to_numpy(),
            nonpositive,
            daily.headers["total"],
            f"the rebuilt follower count is <= 0: today's total ({total}, sum of {total_sheet!r} "
            "Total followers) is smaller than the new followers after this day (wrong sheet, or the "
            "running total in this column?)",
            frame["new"].astype(object),
        )
        return None
    out = pd.DataFrame(
        {
            "page_id": opts.page_id,
            "date": frame["date"],
            "followers": followers,
            "new_followers": frame["new"],
        }
    )
    notes = [
        (
            f"page followers {frame['date'].iloc[0]:%Y-%m-%d}..{last_day:%Y-%m-%d} rebuilt from today's total "
            f"{total} (sum of {total_sheet!r} Total followers)"
        ),
        UNFOLLOWS_NOTE,
    ]
    others = [f"{s!r} {n}" for n, s in totals if s != total_sheet and n != total]
    if others:
        notes.append(
            "other demographic sheets sum to less (categories left out): " + ", ".join(others)
        )
    rows_read = len(data) + sum(len(t.data) for t in demographics)
    return Extract(
        {},
        rows_read,
        raw.encoding,
        lang or num_lang,
        order,
        export_date,
        source,
        notes,
        aux={"page_followers": out},
        period=(frame["date"].iloc[0], last_day),
    )


__all__ = ["UNFOLLOWS_NOTE", "extract"]
