"""LinkedIn personal creator analytics export (.xlsx) of one employee, for any period of 7 to 365 days.

Sheets (English / French): DISCOVERY / DÉCOUVERTE (the period, Impressions and
Members reached / Membres touchés over the whole period), ENGAGEMENT (daily
Date, Impressions, Engagements / Interactions), TOP POSTS / MEILLEURS POSTS
(two side-by-side tables, at most 50 posts each: Post URL, Post publish date,
Engagements | Post URL, Post publish date, Impressions), FOLLOWERS / ABONNÉS
("Total followers on <date>:" and daily New followers / Nouveaux abonnés),
DEMOGRAPHICS / DONNÉES DÉMOGRAPHIQUES (not read: audience shares only).

What a file gives is stored as it is, in ``DATA_DIR/linkedin/``:

- ``member_daily``: each day of ENGAGEMENT (impressions, engagements) with the
  day's new followers and the followers at the end of the day, rebuilt
  backwards from "Total followers on <date>" (unfollows are not reported: a
  lower bound);
- ``member_periods``: the export's period and DISCOVERY figures.
  "Members reached" is unique over that period only: it is kept as the
  period's reach, never split into months nor added up;
- ``member_top_posts``: the posts of TOP POSTS (both tables), with the cap
  flagged when a table holds 50 posts (LinkedIn's maximum: the count may be
  truncated).

The latest export of a day (or a post) wins, so overlapping exports count
nothing twice. The employee's activity rows (employee x month) are then
recomputed from everything stored (:func:`member_activity`): a month fully
covered (or covered from its first day up to the latest export: month to
date) gets ``impressions`` and ``engagements`` summed over its days, ``followers``
at its last day, ``posts`` from TOP POSTS, ``members_reached`` only from an
export covering exactly that month, and ``has_profile`` true. Checks:
DISCOVERY's Impressions must equal the sum of the daily impressions (a
mis-parse fails), members reached <= impressions, daily rows inside the period.

The employee is named by ``employee_id``: a pseudonym (``E-...``), or an
identifier (e-mail, profile URL, staff number) pseudonymised with the key;
one value for all files, or a mapping file -> employee (dict, or a CSV/TOML
file with columns file, employee).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd

from ...schema import SAFE_ID_RULE, safe_id_mask
from .common import Context, Extract, choose_export_date, path_of, post_id_from_link, resolve_person
from .parsing import (
    DATE_IN_TEXT,
    AmbiguousDates,
    Field,
    ImportRefused,
    Problems,
    RawFile,
    Sheet,
    decide_date_order,
    find_table,
    norm,
    number_language,
    parse_counts,
    parse_dates,
    read_file,
    report_duplicate_headers,
)
from .store import FolderState

__all__ = [
    "ENGAGEMENT_FIELDS",
    "FOLLOWER_FIELDS",
    "IMPRESSIONS_LABELS",
    "MAX_PERIOD_DAYS",
    "MONTH_TO_DATE_DAYS",
    "REACHED_LABELS",
    "REQUIRED_SHEETS",
    "SHEETS",
    "SHEET_LABELS",
    "TOP_DATE",
    "TOP_ENG",
    "TOP_IMP",
    "TOP_POSTS_CAP",
    "TOP_URL",
    "TOTAL_FOLLOWERS",
    "employee_for",
    "extract",
    "member_activity",
]

SHEETS: dict[str, dict[str, str]] = {
    "discovery": {"discovery": "en", "decouverte": "fr"},
    "engagement": {"engagement": ""},
    "top_posts": {"top posts": "en", "meilleurs posts": "fr"},
    "followers": {"followers": "en", "abonnes": "fr"},
    "demographics": {"demographics": "en", "donnees demographiques": "fr"},
}
"""Normalised sheet names of each part, with their language."""

REQUIRED_SHEETS = ("discovery", "engagement", "top_posts", "followers")
SHEET_LABELS = {
    "discovery": "DISCOVERY / DÉCOUVERTE",
    "engagement": "ENGAGEMENT",
    "top_posts": "TOP POSTS / MEILLEURS POSTS",
    "followers": "FOLLOWERS / ABONNÉS",
}

ENGAGEMENT_FIELDS = (
    Field("date", ("Date",), ("Date",)),
    Field("impressions", ("Impressions",), ("Impressions",)),
    Field("engagements", ("Engagements",), ("Interactions",)),
)
FOLLOWER_FIELDS = (
    Field("date", ("Date",), ("Date",)),
    Field("new", ("New followers",), ("Nouveaux abonnés",)),
)
TOP_URL = Field("url", ("Post URL",), ("URL du post", "URL de la publication"))
TOP_DATE = Field(
    "date", ("Post publish date",), ("Date de publication du post", "Date de publication")
)
TOP_ENG = Field("engagements", ("Engagements",), ("Interactions",))
TOP_IMP = Field("impressions", ("Impressions",), ("Impressions",))
TOP_POSTS_CAP = 50
"""LinkedIn lists at most this many posts in each TOP POSTS table."""
MAX_PERIOD_DAYS = 366
"""Longest period of a creator export (LinkedIn offers 7 to 365 days; 366 with a 29 February)."""
MONTH_TO_DATE_DAYS = 3
"""A partly covered month is kept as month to date when its last day is this close to the export."""

IMPRESSIONS_LABELS = {"impressions"}
REACHED_LABELS = {norm("Members reached"), norm("Membres touchés")}
TOTAL_FOLLOWERS = re.compile(
    r"^(total followers|nombre total d.abonnes|total des abonnes|abonnes au total)", re.I
)


def employee_for(path: Path, ctx: Context) -> str | None:
    """The identifier given for one file (option ``employee_id``)."""
    given = ctx.options.employee_id
    if given is None:
        raise ImportRefused(
            "linkedin-member needs the employee each file belongs to: --employee ID (a pseudonym "
            "E-..., an e-mail, a profile URL or a staff number), or a mapping file with columns "
            "file, employee"
        )
    if isinstance(given, dict):
        table = given
    else:
        mapping = path_of(given)
        if mapping is None:
            return str(given)
        table = _read_employee_mapping(mapping)
    for name in (path.name, str(path), path.stem):
        if name in table:
            return str(table[name])
    return None


def _read_employee_mapping(path: Path) -> dict[str, str]:
    if path.suffix.lower() == ".toml":
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ImportRefused(f"{path.name}: not a valid TOML file: {exc}") from None
        files = data.get("files", data)
        return {str(k): str(v) for k, v in files.items() if not isinstance(v, dict)}
    problems = Problems()
    raw = read_file(path, problems)
    problems.raise_if_any(f"the employee mapping {path.name}")
    assert raw is not None  # read_file recorded a problem otherwise
    fields = (
        Field("file", ("file", "File", "file name"), ("fichier", "Fichier")),
        Field(
            "employee",
            ("employee", "employee_id", "Employee", "email", "e-mail"),
            ("salarié", "Salarié", "collaborateur"),
        ),
    )
    table = find_table(raw.sheets[0], fields, min_fields=2)
    if table is None:
        raise ImportRefused(
            f"{path.name}: the employee mapping needs the columns file and employee"
        )
    return dict(
        zip(
            table.data["file"].astype(str).str.strip(),
            table.data["employee"].astype(str).str.strip(),
            strict=True,
        )
    )


def _find_sheets(raw: RawFile) -> tuple[dict[str, Sheet], str | None]:
    found: dict[str, Sheet] = {}
    votes = {"en": 0, "fr": 0}
    for sheet in raw.sheets:
        n = norm(sheet.name)
        for part, names in SHEETS.items():
            if n in names and part not in found:
                found[part] = sheet
                if names[n]:
                    votes[names[n]] += 1
    lang = "fr" if votes["fr"] > votes["en"] else "en" if votes["en"] > votes["fr"] else None
    return found, lang


def extract(raw: RawFile, ctx: Context) -> Extract | None:
    """Read one creator analytics export (any period of 1 to 366 days).

    The file's days, period and top posts go to ``DATA_DIR/linkedin/`` (member_daily,
    member_periods, member_top_posts; the latest export of a day or post wins, so overlapping
    exports count nothing twice); the activity rows of the employee are then recomputed from
    everything stored (:func:`member_activity`).

    Parameters
    ----------
    raw : RawFile
        The workbook.
    ctx : Context
        Options, current data folder, problem collector.
    """
    problems, opts, file = ctx.problems, ctx.options, raw.name
    n_before = len(problems)
    sheets, lang = _find_sheets(raw)
    missing = [p for p in REQUIRED_SHEETS if p not in sheets]
    if missing:
        problems.add(
            file,
            "unknown layout or wrong sheet: a creator analytics export needs the sheets "
            + ", ".join(SHEET_LABELS[p] for p in missing)
            + "; sheets found: "
            + (", ".join(repr(s.name) for s in raw.sheets) or "none"),
        )
        return None
    lang = opts.lang or lang
    disc = sheets["discovery"]
    period_text, imp_cell, reached_cell = None, None, None
    for row, number in zip(disc.cells, disc.row_numbers, strict=True):
        cells = [c for c in row if not (isinstance(c, str) and not c.strip())]
        if not cells:
            continue
        head = norm(cells[0])
        if head in IMPRESSIONS_LABELS and len(cells) > 1:
            imp_cell = (cells[1], number)
        elif head in REACHED_LABELS and len(cells) > 1:
            reached_cell = (cells[1], number)
        elif period_text is None:
            text = " ".join(str(c) for c in cells)
            if len(re.findall(DATE_IN_TEXT, text)) == 2:
                period_text = (re.findall(DATE_IN_TEXT, text), number)
    for what, cell in (
        ("Impressions", imp_cell),
        ("Members reached / Membres touchés", reached_cell),
        ("the period (start - end)", period_text),
    ):
        if cell is None:
            problems.add(file, f"{what} not found", sheet=disc.name, column=what)
    engagement = find_table(sheets["engagement"], ENGAGEMENT_FIELDS, min_fields=3)
    if engagement is None:
        problems.add(
            file,
            "header not recognised: expected Date, Impressions, Engagements (English) or Date, "
            "Impressions, Interactions (French)",
            sheet=sheets["engagement"].name,
        )
    else:
        report_duplicate_headers(engagement, problems, file)
    fol = sheets["followers"]
    total_cell = None
    for row, number in zip(fol.cells[:5], fol.row_numbers[:5], strict=True):
        cells = [c for c in row if not (isinstance(c, str) and not c.strip())]
        if cells and isinstance(cells[0], str) and TOTAL_FOLLOWERS.match(norm(cells[0])):
            dates = re.findall(DATE_IN_TEXT, cells[0])
            value = cells[1] if len(cells) > 1 else None
            if value is None:  # "Total followers on 1/31/2024: 523" in one cell
                tail = re.split(r":", cells[0])[-1].strip()
                value = tail or None
            total_cell = (dates[0] if dates else None, value, number, cells[0])
            break
    if total_cell is None:
        problems.add(
            file,
            "'Total followers on <date>' / 'Nombre total d’abonnés le <date>' not found",
            sheet=fol.name,
        )
    new_followers = find_table(fol, FOLLOWER_FIELDS, min_fields=2)
    top = _top_posts(sheets["top_posts"], problems, file)
    if len(problems) > n_before:
        return None
    # each of them, when missing, recorded a problem above
    assert engagement is not None and total_cell is not None and period_text is not None
    assert imp_cell is not None and reached_cell is not None
    lang = lang or engagement.lang
    date_values = [engagement.data["date"], pd.Series(period_text[0], dtype=object)]
    if total_cell[0]:
        date_values.append(pd.Series([total_cell[0]], dtype=object))
    if top is not None and len(top):
        date_values.append(top["date"])
    if new_followers is not None:
        date_values.append(new_followers.data["date"])
    try:
        order = decide_date_order(date_values, lang, None, file)
    except AmbiguousDates as exc:
        problems.add(file, str(exc), sheet=engagement.sheet)
        return None
    num_lang = (
        lang
        or number_language([engagement.data["impressions"], engagement.data["engagements"]])
        or "en"
    )
    (start, end), bad_period = _dates(period_text[0], order)
    if bad_period or end < start:
        problems.add(
            file,
            f"impossible or unreadable period (read as {order})",
            sheet=disc.name,
            row=period_text[1],
            value=" - ".join(period_text[0]),
        )
        return None
    n_days = (end - start).days + 1
    if n_days > MAX_PERIOD_DAYS:
        problems.add(
            file,
            f"the export covers {n_days} days ({start:%Y-%m-%d}..{end:%Y-%m-%d}): LinkedIn's creator "
            "exports cover 7 to 365 days (day and month swapped?)",
            sheet=disc.name,
            row=period_text[1],
            value=" - ".join(period_text[0]),
        )
        return None
    impressions, bad_i = parse_counts(pd.Series([imp_cell[0]], dtype=object), num_lang)
    reached, bad_r = parse_counts(pd.Series([reached_cell[0]], dtype=object), num_lang)
    if bad_i.any() or impressions.isna().any():
        problems.add(
            file,
            "bad number: must be a whole number >= 0",
            sheet=disc.name,
            row=imp_cell[1],
            column="Impressions",
            value=imp_cell[0],
        )
    if bad_r.any() or reached.isna().any():
        problems.add(
            file,
            "bad number: must be a whole number >= 0",
            sheet=disc.name,
            row=reached_cell[1],
            column="Members reached",
            value=reached_cell[0],
        )
    e = engagement.data
    day, bad_day = parse_dates(e["date"], order)
    d_imp, bad_di = parse_counts(e["impressions"], num_lang)
    d_eng, bad_de = parse_counts(e["engagements"], num_lang)
    es = engagement.sheet
    problems.add_mask(
        file,
        es,
        engagement.rows,
        bad_day,
        engagement.headers["date"],
        f"impossible or unreadable date (read as {order})",
        e["date"],
    )
    problems.add_mask(
        file,
        es,
        engagement.rows,
        bad_di,
        engagement.headers["impressions"],
        "bad number: must be a whole number >= 0",
        e["impressions"],
    )
    problems.add_mask(
        file,
        es,
        engagement.rows,
        bad_de,
        engagement.headers["engagements"],
        "bad number: must be a whole number >= 0",
        e["engagements"],
    )
    outside = day.notna() & ((day < start) | (day > end))
    problems.add_mask(
        file,
        es,
        engagement.rows,
        outside,
        engagement.headers["date"],
        f"date outside the export period {start:%Y-%m-%d}..{end:%Y-%m-%d} (day and month swapped?)",
        e["date"],
    )
    problems.add_mask(
        file,
        es,
        engagement.rows,
        day.duplicated(keep=False) & day.notna(),
        engagement.headers["date"],
        "the same day is listed twice",
        e["date"],
    )
    total, bad_t = parse_counts(pd.Series([total_cell[1]], dtype=object), num_lang)
    if bad_t.any() or total.isna().any():
        problems.add(
            file,
            "bad number: total followers must be a whole number >= 0",
            sheet=fol.name,
            row=total_cell[2],
            value=total_cell[1],
        )
    label_date = None
    if total_cell[0]:
        (label_date, _), bad_l = _dates([total_cell[0], total_cell[0]], order)
        if bad_l:
            problems.add(
                file,
                "impossible or unreadable date",
                sheet=fol.name,
                row=total_cell[2],
                value=total_cell[3],
            )
    new_by_day = None
    if new_followers is not None:
        nf = new_followers.data
        nf_day, bad_nd = parse_dates(nf["date"], order)
        nf_new, bad_nn = parse_counts(nf["new"], num_lang)
        problems.add_mask(
            file,
            fol.name,
            new_followers.rows,
            bad_nd,
            new_followers.headers["date"],
            f"impossible or unreadable date (read as {order})",
            nf["date"],
        )
        problems.add_mask(
            file,
            fol.name,
            new_followers.rows,
            bad_nn,
            new_followers.headers["new"],
            "bad number: must be a whole number >= 0",
            nf["new"],
        )
        problems.add_mask(
            file,
            fol.name,
            new_followers.rows,
            nf_day.duplicated(keep=False) & nf_day.notna(),
            new_followers.headers["date"],
            "the same day is listed twice",
            nf["date"],
        )
        new_by_day = pd.DataFrame({"date": nf_day.dt.normalize(), "new": nf_new}).dropna(
            subset=["date"]
        )
    if len(problems) > n_before:
        return None
    n_imp, n_reached = int(impressions.iloc[0]), int(reached.iloc[0])
    daily_sum = int(d_imp.fillna(0).sum())
    if abs(daily_sum - n_imp) > max(2, 0.01 * n_imp):
        problems.add(
            file,
            f"Impressions ({n_imp}) differ from the sum of the daily impressions ({daily_sum}): "
            "a number was probably mis-parsed",
            sheet=disc.name,
            row=imp_cell[1],
            column="Impressions",
            value=imp_cell[0],
        )
    if n_reached > n_imp:
        problems.add(
            file,
            "members reached must be <= impressions (numbers mis-parsed?)",
            sheet=disc.name,
            row=reached_cell[1],
            column="Members reached",
            value=reached_cell[0],
        )
    notes: list[str] = []
    top_rows = pd.DataFrame(columns=["post_id", "published_on", "impressions", "engagements"])
    capped = False
    if top is not None and len(top):
        top_rows, capped = _top_post_rows(
            top, order, num_lang, problems, file, sheets["top_posts"].name
        )
        if capped:
            notes.append(
                f"TOP POSTS lists {TOP_POSTS_CAP} posts, LinkedIn's maximum: posts published "
                f"{start:%Y-%m-%d}..{end:%Y-%m-%d} may be undercounted (export shorter periods)"
            )
    identifier = employee_for(raw.path, ctx)
    if identifier is None:
        problems.add(
            file, "no employee given for this file in the employee mapping (columns file, employee)"
        )
    if len(problems) > n_before:
        return None
    employee = resolve_person(pd.Series([identifier], dtype=object), ctx).iloc[0]
    if not safe_id_mask(pd.Series([employee], dtype="string")).iloc[
        0
    ]:  # it names the raw copy of the file
        problems.add(file, f"employee id {SAFE_ID_RULE}", value=employee)
        return None
    known = ctx.state.employee_ids()
    if known is not None and employee not in known:
        problems.add(
            file,
            "the employee is not in the roster (employees.csv): import the roster first or check "
            "the identifier (the same identifier as in the roster, e.g. the e-mail)",
            value=employee,
        )
        return None
    followers_on = label_date if label_date is not None else end
    daily = (
        pd.DataFrame(
            {
                "employee_id": employee,
                "date": day.dt.normalize(),
                "impressions": d_imp,
                "engagements": d_eng,
            }
        )
        .sort_values("date")
        .reset_index(drop=True)
    )
    followers, follower_note = _rebuild_followers(
        daily["date"], new_by_day, int(total.iloc[0]), followers_on
    )
    if follower_note:
        notes.append(follower_note)
    if (followers < 0).any():
        problems.add(
            file,
            f"the rebuilt follower count is < 0: the total ({int(total.iloc[0])}) is smaller than the "
            "new followers after some days (numbers mis-parsed?)",
            sheet=fol.name,
            row=total_cell[2],
            value=total_cell[1],
        )
        return None
    daily["followers"] = followers
    if new_by_day is not None:
        daily = daily.merge(
            new_by_day.rename(columns={"new": "new_followers"}), on="date", how="left"
        )
    else:
        daily["new_followers"] = pd.NA
    period = pd.DataFrame(
        {
            "employee_id": [employee],
            "start": [start],
            "end": [end],
            "impressions": [n_imp],
            "members_reached": [n_reached],
            "engagements": [int(d_eng.fillna(0).sum())],
            "followers_total": [int(total.iloc[0])],
            "followers_on": [followers_on],
            "top_posts_listed": [
                0 if top is None or not len(top) else int(top["table_rows"].max())
            ],
            "top_posts_capped": [capped],
        }
    )
    top_rows = top_rows.assign(employee_id=employee)
    export_date, source = choose_export_date(opts, "", followers_on)
    if opts.export_date is None and label_date is not None:
        source = "file content (FOLLOWERS total date)"
    notes.append(
        f"Members reached ({n_reached}) is unique over {start:%Y-%m-%d}..{end:%Y-%m-%d} only: kept as the "
        "period's reach (linkedin/member_periods.csv); a month's members_reached is filled only from an "
        "export covering exactly that month"
    )
    rows_read = (
        len(e)
        + (0 if top is None else len(top))
        + (0 if new_followers is None else len(new_followers.data))
        + 3
    )
    stored = f"linkedin-member_{employee}_{start:%Y-%m-%d}_{end:%Y-%m-%d}{raw.path.suffix.lower()}"

    def derive(state: FolderState) -> tuple[dict[str, pd.DataFrame], list[str]]:
        activity, coverage = member_activity(state, employee, start, end)
        return {"activity": activity}, coverage

    return Extract(
        {},
        rows_read,
        raw.encoding,
        lang,
        order,
        export_date,
        source,
        notes,
        stored_name=stored,
        aux={"member_daily": daily, "member_periods": period, "member_top_posts": top_rows},
        period=(start, end),
        derive=derive,
    )


def _rebuild_followers(
    days: pd.Series, new_by_day: pd.DataFrame | None, total: int, total_on: pd.Timestamp
) -> tuple[np.ndarray, str | None]:
    """Followers at the end of each day: the total on ``total_on`` minus the new followers in between.

    ``followers(d) = total - (new followers on days d+1 .. total_on)``; for a day after ``total_on``
    the new followers in between are added. Unfollows are not reported: a lower bound.

    Returns
    -------
    followers : numpy.ndarray
        One count per day of ``days``.
    note : str or None
        What was approximated, for the log.
    """
    days = pd.to_datetime(days).to_numpy(dtype="datetime64[ns]")
    if new_by_day is None or new_by_day.empty:
        return np.full(len(days), total, dtype=np.int64), (
            "FOLLOWERS has no daily new followers: the followers of every day are set to the total on "
            f"{pd.Timestamp(total_on):%Y-%m-%d} (an approximation)"
        )
    known = new_by_day.sort_values("date")
    dates = known["date"].to_numpy(dtype="datetime64[ns]")
    cum = np.cumsum(known["new"].fillna(0).astype("int64").to_numpy())

    def upto(values: np.ndarray) -> np.ndarray:
        idx = np.searchsorted(dates, values, side="right")
        return np.where(idx > 0, cum[np.maximum(idx - 1, 0)], 0)

    anchor = upto(np.array([np.datetime64(pd.Timestamp(total_on).normalize(), "ns")]))[0]
    followers = total - (anchor - upto(days))
    note = (
        "followers at the end of each day rebuilt from the FOLLOWERS total minus the later new followers "
        "(unfollows are unknown: a lower bound)"
    )
    if len(dates) and pd.Timestamp(total_on).normalize() > pd.Timestamp(dates[-1]) + pd.Timedelta(
        days=1
    ):
        note += (
            f"; the total is dated {pd.Timestamp(total_on):%Y-%m-%d}, after the last daily row "
            f"({pd.Timestamp(dates[-1]):%Y-%m-%d}): the new followers in between are unknown"
        )
    return followers.astype(np.int64), note


def _top_post_rows(
    top: pd.DataFrame, order: str | None, num_lang: str, problems: Problems, file: str, sheet: str
) -> tuple[pd.DataFrame, bool]:
    """One row per post of TOP POSTS (both tables merged) and whether a table hit LinkedIn's cap."""
    pub, bad_pub = parse_dates(top["date"], order)
    problems.add_mask(
        file,
        sheet,
        top["row"].to_numpy(),
        bad_pub,
        "Post publish date",
        f"impossible or unreadable date (read as {order})",
        top["date"],
    )
    values, bad_v = parse_counts(top["value"], num_lang)
    problems.add_mask(
        file,
        sheet,
        top["row"].to_numpy(),
        bad_v,
        "Engagements / Impressions",
        "bad number: must be a whole number >= 0",
        top["value"],
    )
    frame = pd.DataFrame(
        {
            "post_id": post_id_from_link(top["url"]).to_numpy(),
            "published_on": pub.dt.normalize(),
            "measure": top["measure"].to_numpy(),
            "value": values.to_numpy(),
        }
    )
    frame = frame[frame["post_id"].notna()]
    wide = frame.pivot_table(
        index=["post_id"], columns="measure", values="value", aggfunc="max", observed=True
    )
    dates = frame.groupby("post_id")["published_on"].min()
    out = pd.DataFrame({"post_id": dates.index, "published_on": dates.to_numpy()})
    for measure in ("impressions", "engagements"):
        out[measure] = out["post_id"].map(wide[measure]) if measure in wide.columns else pd.NA
    capped = bool(int(top["table_rows"].max()) >= TOP_POSTS_CAP)
    return out.reset_index(drop=True), capped


def member_activity(
    state: FolderState,
    employee: str,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """The activity rows of one employee, from everything stored in ``linkedin/`` (no double counting).

    A month gets a row when the stored days cover it entirely, or from its first day up to the latest
    export (month to date, replaced by later exports). ``impressions`` and ``engagements`` are sums of
    the stored days (each day once, from its latest export); ``followers`` the rebuilt count of the
    month's last covered day; ``posts`` the distinct TOP POSTS published in the month (a lower bound
    when a list hit the 50-post cap); ``members_reached`` the DISCOVERY figure of an export covering
    exactly that month (the latest), else empty: a unique count over a longer period cannot be split.

    Parameters
    ----------
    state : FolderState
        The folder state, this import's rows merged.
    employee : str
        Employee id.
    start, end : pandas.Timestamp, optional
        Period of the export just imported: the coverage notes are about its months.

    Returns
    -------
    activity : pandas.DataFrame
        Canonical activity rows.
    notes : list of str
        Coverage of the export's months, for the log.
    """
    daily = state.aux_typed("member_daily")
    daily = daily[daily["employee_id"] == employee]
    columns = [
        "employee_id",
        "month",
        "posts",
        "impressions",
        "members_reached",
        "engagements",
        "followers",
        "has_profile",
    ]
    if daily.empty:
        return pd.DataFrame(columns=columns), []
    daily = daily.assign(month=daily["date"].dt.to_period("M").dt.to_timestamp()).sort_values(
        "date"
    )
    by_month = daily.groupby("month").agg(
        days=("date", "nunique"),
        first=("date", "min"),
        last=("date", "max"),
        impressions=("impressions", "sum"),
        engagements=("engagements", "sum"),
        followers=("followers", "last"),
    )
    months = by_month.index.to_series()
    in_month = months.dt.days_in_month.to_numpy()
    span = ((by_month["last"] - months).dt.days + 1).to_numpy()
    complete = by_month["days"].to_numpy() == in_month
    periods = state.aux_typed("member_periods")
    periods = periods[periods["employee_id"] == employee]
    latest_export = periods["followers_on"].max() if len(periods) else by_month["last"].max()
    to_date = (
        (by_month.index == by_month.index.max())
        & (by_month["first"] == months).to_numpy()
        & (by_month["days"].to_numpy() == span)
        & ((latest_export - by_month["last"]).dt.days.to_numpy() <= MONTH_TO_DATE_DAYS)
    )
    keep = complete | to_date
    tops = state.aux_typed("member_top_posts")
    tops = tops[tops["employee_id"] == employee]
    posts = tops["published_on"].dt.to_period("M").dt.to_timestamp().value_counts()
    exact = periods.assign(month=periods["start"].dt.to_period("M").dt.to_timestamp())
    exact = exact[
        (exact["start"] == exact["month"])
        & (exact["end"].dt.to_period("M").dt.to_timestamp() == exact["month"])
    ]
    exact = exact.merge(by_month[["last"]], left_on="month", right_index=True)
    exact = (
        exact[exact["end"] == exact["last"]]
        .sort_values("export_date")
        .drop_duplicates("month", keep="last")
    )
    reached = exact.set_index("month")["members_reached"]
    kept = by_month[keep]
    activity = pd.DataFrame(
        {
            "employee_id": employee,
            "month": kept.index,
            "posts": kept.index.map(posts).fillna(0).astype("int64"),
            "impressions": kept["impressions"].to_numpy(),
            "members_reached": kept.index.map(reached),
            "engagements": kept["engagements"].to_numpy(),
            "followers": kept["followers"].to_numpy(),
            "has_profile": True,
        }
    )
    notes = []
    if start is not None and end is not None:
        touched = pd.date_range(
            start.to_period("M").to_timestamp(), end.to_period("M").to_timestamp(), freq="MS"
        )
        rows = [m for m in touched if m in kept.index]
        if rows:
            mtd = [
                m
                for m in rows
                if to_date[by_month.index.get_loc(m)] and not complete[by_month.index.get_loc(m)]
            ]
            notes.append(
                "activity rows for "
                + ", ".join(f"{m:%Y-%m}" for m in rows)
                + (
                    " ("
                    + ", ".join(
                        f"{m:%Y-%m} month to date, until {by_month.loc[m, 'last']:%Y-%m-%d}"
                        for m in mtd
                    )
                    + ")"
                    if mtd
                    else ""
                )
            )
        partial = [m for m in touched if m not in kept.index and m in by_month.index]
        if partial:
            notes.append(
                "only partly covered by the exports imported so far, no activity row until an export "
                "covers the whole month: "
                + ", ".join(
                    f"{m:%Y-%m} ({by_month.loc[m, 'days']} of {m.days_in_month} days)"
                    for m in partial
                )
            )
    return activity.reset_index(drop=True), notes


def _dates(texts: list[str], order: str | None) -> tuple[tuple[pd.Timestamp, pd.Timestamp], bool]:
    parsed, bad = parse_dates(pd.Series(list(texts), dtype=object), order)
    if bad.any() or parsed.isna().any():
        return (pd.NaT, pd.NaT), True
    return (parsed.iloc[0], parsed.iloc[-1]), False


def _top_posts(sheet: Sheet, problems: Problems, file: str) -> pd.DataFrame | None:
    """The two side-by-side TOP POSTS tables, stacked: url, date, measure, value, row, table_rows."""
    header_idx, url_cols = None, []
    for i, row in enumerate(sheet.cells[:15]):
        cols = [j for j, c in enumerate(row) if isinstance(c, str) and norm(c) in TOP_URL.names()]
        if cols:
            header_idx, url_cols = i, cols
            break
    if header_idx is None:
        problems.add(
            file,
            "header not recognised: expected Post URL, Post publish date (English) or URL du post, "
            "Date de publication du post (French)",
            sheet=sheet.name,
        )
        return None
    parts = []
    bounds = [*url_cols, None]
    for k, first in enumerate(url_cols):
        table = find_table(
            sheet,
            (TOP_URL, TOP_DATE, TOP_ENG, TOP_IMP),
            first_col=first,
            last_col=bounds[k + 1],
            min_fields=2,
        )
        if table is None or "date" not in table.headers:
            problems.add(
                file,
                "header not recognised next to Post URL: expected Post publish date / Date de "
                "publication du post",
                sheet=sheet.name,
                row=sheet.row_numbers[header_idx],
            )
            return None
        measure = (
            "engagements"
            if "engagements" in table.data
            else "impressions"
            if "impressions" in table.data
            else None
        )
        part = pd.DataFrame(
            {
                "url": table.data["url"],
                "date": table.data["date"],
                "measure": measure or "none",
                "value": table.data[measure]
                if measure
                else pd.Series(pd.NA, index=table.data.index),
                "row": table.rows,
            }
        )
        part = part[part["url"].astype(str).str.strip() != ""]
        part["table_rows"] = len(part)
        parts.append(part)
    return pd.concat(parts, ignore_index=True)
