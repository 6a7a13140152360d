"""LinkedIn personal creator analytics export (.xlsx), one file per employee and calendar month.

Sheets (English / French): DISCOVERY / DÉCOUVERTE (the period, Impressions and
Members reached / Membres touchés over the whole period), ENGAGEMENT (daily
Date, Impressions, Engagements / Interactions), TOP POSTS / MEILLEURS POSTS
(two side-by-side tables, at most 50 posts each: Post URL, Post publish date,
Engagements | Post URL, Post publish date, Impressions), FOLLOWERS / ABONNÉS
("Total followers on <date>:" and daily New followers / Nouveaux abonnés),
DEMOGRAPHICS / DONNÉES DÉMOGRAPHIQUES (not read: audience shares only).

One file gives one row of the activity table (employee x month):

- ``month``: the export's period, which must be one calendar month (from its
  first day; a month-to-date export is accepted and later replaced by a
  later export of the same month). Members reached is a unique count over
  the whole period: it cannot be split into months, nor summed from days, so
  a longer period is refused (export one month per file);
- ``impressions`` and ``members_reached`` from DISCOVERY (impressions must
  equal the sum of the daily ENGAGEMENT impressions: a mis-parse fails);
- ``engagements``: sum of the daily engagements;
- ``posts``: distinct posts of TOP POSTS published inside the month (refused
  when a table is full, 50 rows: the count could be truncated);
- ``followers``: "Total followers on <date>" (that date is the export date;
  for an export made after the month's end it is the count on that day);
- ``has_profile``: true.

The employee is named by ``employee_id``: a pseudonym (``E-...``), or an
identifier (e-mail, profile URL, staff number) pseudonymised with the key;
one value for all files, or a mapping file -> employee (dict, or a CSV/TOML
file with columns file, employee).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

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

SHEETS: dict[str, dict[str, str]] = {
    "discovery": {"discovery": "en", "decouverte": "fr"},
    "engagement": {"engagement": ""},
    "top_posts": {"top posts": "en", "meilleurs posts": "fr"},
    "followers": {"followers": "en", "abonnes": "fr"},
    "demographics": {"demographics": "en", "donnees demographiques": "fr"},
}
"""Normalised sheet names of each part, with their language."""

REQUIRED_SHEETS = ("discovery", "engagement", "top_posts", "followers")
SHEET_LABELS = {"discovery": "DISCOVERY / DÉCOUVERTE", "engagement": "ENGAGEMENT",
                "top_posts": "TOP POSTS / MEILLEURS POSTS", "followers": "FOLLOWERS / ABONNÉS"}

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
TOP_DATE = Field("date", ("Post publish date",), ("Date de publication du post", "Date de publication"))
TOP_ENG = Field("engagements", ("Engagements",), ("Interactions",))
TOP_IMP = Field("impressions", ("Impressions",), ("Impressions",))
TOP_POSTS_CAP = 50
"""LinkedIn lists at most this many posts in each TOP POSTS table."""

IMPRESSIONS_LABELS = {"impressions"}
REACHED_LABELS = {norm("Members reached"), norm("Membres touchés")}
TOTAL_FOLLOWERS = re.compile(r"^(total followers|nombre total d.abonnes|total des abonnes|abonnes au total)", re.I)


def employee_for(path: Path, ctx: Context) -> str | None:
    """The identifier given for one file (option ``employee_id``)."""
    given = ctx.options.employee_id
    if given is None:
        raise ImportRefused("linkedin-member needs the employee each file belongs to: --employee ID (a pseudonym "
                            "E-..., an e-mail, a profile URL or a staff number), or a mapping file with columns "
                            "file, employee")
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
    fields = (Field("file", ("file", "File", "file name"), ("fichier", "Fichier")),
              Field("employee", ("employee", "employee_id", "Employee", "email", "e-mail"),
                    ("salarié", "Salarié", "collaborateur")))
    table = find_table(raw.sheets[0], fields, min_fields=2)
    if table is None:
        raise ImportRefused(f"{path.name}: the employee mapping needs the columns file and employee")
    return dict(zip(table.data["file"].astype(str).str.strip(), table.data["employee"].astype(str).str.strip()))


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
    """Read one creator analytics export into one activity row.

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
        problems.add(file, "unknown layout or wrong sheet: a creator analytics export needs the sheets "
                     + ", ".join(SHEET_LABELS[p] for p in missing) + "; sheets found: "
                     + (", ".join(repr(s.name) for s in raw.sheets) or "none"))
        return None
    lang = opts.lang or lang
    disc = sheets["discovery"]
    period_text, imp_cell, reached_cell = None, None, None
    for row, number in zip(disc.cells, disc.row_numbers):
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
    for what, cell in (("Impressions", imp_cell), ("Members reached / Membres touchés", reached_cell),
                       ("the period (start - end)", period_text)):
        if cell is None:
            problems.add(file, f"{what} not found", sheet=disc.name, column=what)
    engagement = find_table(sheets["engagement"], ENGAGEMENT_FIELDS, min_fields=3)
    if engagement is None:
        problems.add(file, "header not recognised: expected Date, Impressions, Engagements (English) or Date, "
                     "Impressions, Interactions (French)", sheet=sheets["engagement"].name)
    else:
        report_duplicate_headers(engagement, problems, file)
    fol = sheets["followers"]
    total_cell = None
    for row, number in zip(fol.cells[:5], fol.row_numbers[:5]):
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
        problems.add(file, "'Total followers on <date>' / 'Nombre total d’abonnés le <date>' not found",
                     sheet=fol.name)
    top = _top_posts(sheets["top_posts"], problems, file)
    if len(problems) > n_before:
        return None
    lang = lang or engagement.lang
    date_values = [engagement.data["date"], pd.Series(period_text[0], dtype=object)]
    if total_cell[0]:
        date_values.append(pd.Series([total_cell[0]], dtype=object))
    if top is not None and len(top):
        date_values.append(top["date"])
    try:
        order = decide_date_order(date_values, lang, None, file)
    except AmbiguousDates as exc:
        problems.add(file, str(exc), sheet=engagement.sheet)
        return None
    num_lang = lang or number_language([engagement.data["impressions"], engagement.data["engagements"]]) or "en"
    (start, end), bad_period = _dates(period_text[0], order)
    if bad_period:
        problems.add(file, f"impossible or unreadable period (read as {order})", sheet=disc.name,
                     row=period_text[1], value=" - ".join(period_text[0]))
        return None
    impressions, bad_i = parse_counts(pd.Series([imp_cell[0]], dtype=object), num_lang)
    reached, bad_r = parse_counts(pd.Series([reached_cell[0]], dtype=object), num_lang)
    if bad_i.any() or impressions.isna().any():
        problems.add(file, "bad number: must be a whole number >= 0", sheet=disc.name, row=imp_cell[1],
                     column="Impressions", value=imp_cell[0])
    if bad_r.any() or reached.isna().any():
        problems.add(file, "bad number: must be a whole number >= 0", sheet=disc.name, row=reached_cell[1],
                     column="Members reached", value=reached_cell[0])
    e = engagement.data
    day, bad_day = parse_dates(e["date"], order)
    d_imp, bad_di = parse_counts(e["impressions"], num_lang)
    d_eng, bad_de = parse_counts(e["engagements"], num_lang)
    es = engagement.sheet
    problems.add_mask(file, es, engagement.rows, bad_day, engagement.headers["date"],
                      f"impossible or unreadable date (read as {order})", e["date"])
    problems.add_mask(file, es, engagement.rows, bad_di, engagement.headers["impressions"],
                      "bad number: must be a whole number >= 0", e["impressions"])
    problems.add_mask(file, es, engagement.rows, bad_de, engagement.headers["engagements"],
                      "bad number: must be a whole number >= 0", e["engagements"])
    outside = day.notna() & ((day < start) | (day > end))
    problems.add_mask(file, es, engagement.rows, outside, engagement.headers["date"],
                      f"date outside the export period {start:%Y-%m-%d}..{end:%Y-%m-%d} (day and month swapped?)",
                      e["date"])
    total, bad_t = parse_counts(pd.Series([total_cell[1]], dtype=object), num_lang)
    if bad_t.any() or total.isna().any():
        problems.add(file, "bad number: total followers must be a whole number >= 0", sheet=fol.name,
                     row=total_cell[2], value=total_cell[1])
    label_date = None
    if total_cell[0]:
        (label_date, _), bad_l = _dates([total_cell[0], total_cell[0]], order)
        if bad_l:
            problems.add(file, "impossible or unreadable date", sheet=fol.name, row=total_cell[2],
                         value=total_cell[3])
    if len(problems) > n_before:
        return None
    if start.day != 1 or (end.year, end.month) != (start.year, start.month) or end < start:
        problems.add(file, f"the export covers {start:%Y-%m-%d}..{end:%Y-%m-%d}: the activity table needs one "
                     "calendar month per file (Members reached is a unique count over the whole period; it "
                     "cannot be split by month or added up from days). Export one month at a time "
                     "(from the 1st of the month)", sheet=disc.name, row=period_text[1],
                     value=" - ".join(period_text[0]))
        return None
    n_imp, n_reached = int(impressions.iloc[0]), int(reached.iloc[0])
    daily_sum = int(d_imp.fillna(0).sum())
    if abs(daily_sum - n_imp) > max(2, 0.01 * n_imp):
        problems.add(file, f"Impressions ({n_imp}) differ from the sum of the daily impressions ({daily_sum}): "
                     "a number was probably mis-parsed", sheet=disc.name, row=imp_cell[1], column="Impressions",
                     value=imp_cell[0])
    if n_reached > n_imp:
        problems.add(file, "members reached must be <= impressions (numbers mis-parsed?)", sheet=disc.name,
                     row=reached_cell[1], column="Members reached", value=reached_cell[0])
    n_posts = 0
    if top is not None and len(top):
        pub, bad_pub = parse_dates(top["date"], order)
        problems.add_mask(file, sheets["top_posts"].name, top["row"].to_numpy(), bad_pub, "Post publish date",
                          f"impossible or unreadable date (read as {order})", top["date"])
        ids = post_id_from_link(top["url"])
        inside = pub.notna() & (pub >= start) & (pub <= end)
        n_posts = int(ids[inside.to_numpy()].nunique())
        if int(top["table_rows"].max()) >= TOP_POSTS_CAP:
            problems.add(file, f"TOP POSTS lists {TOP_POSTS_CAP} posts, LinkedIn's maximum: the month's post "
                         "count may be truncated", sheet=sheets["top_posts"].name)
    identifier = employee_for(raw.path, ctx)
    if identifier is None:
        problems.add(file, "no employee given for this file in the employee mapping (columns file, employee)")
    if len(problems) > n_before:
        return None
    employee = resolve_person(pd.Series([identifier], dtype=object), ctx).iloc[0]
    if not safe_id_mask(pd.Series([employee], dtype="string")).iloc[0]:  # it names the raw copy of the file
        problems.add(file, f"employee id {SAFE_ID_RULE}", value=employee)
        return None
    known = ctx.state.employee_ids()
    if known is not None and employee not in known:
        problems.add(file, "the employee is not in the roster (employees.csv): import the roster first or check "
                     "the identifier (the same identifier as in the roster, e.g. the e-mail)",
                     value=employee)
        return None
    activity = pd.DataFrame({
        "employee_id": [employee], "month": [start], "posts": [n_posts], "impressions": [n_imp],
        "members_reached": [n_reached], "engagements": [int(d_eng.fillna(0).sum())],
        "followers": [int(total.iloc[0])], "has_profile": [True],
    })
    export_date, source = choose_export_date(opts, "", label_date if label_date is not None else end)
    if opts.export_date is None and label_date is not None:
        source = "file content (FOLLOWERS total date)"
    notes = []
    if label_date is not None and label_date > end:
        notes.append(f"followers counted on {label_date:%Y-%m-%d}, after the month's end")
    if end.day != end.days_in_month:
        notes.append(f"month to date only (until {end:%Y-%m-%d})")
    rows_read = len(e) + (0 if top is None else len(top)) + 3
    stored = f"linkedin-member_{employee}_{start:%Y-%m}{raw.path.suffix.lower()}"
    return Extract({"activity": activity}, rows_read, raw.encoding, lang, order, export_date, source, notes,
                   stored_name=stored)


def _dates(texts: list[str], order: str | None) -> tuple[tuple[pd.Timestamp, pd.Timestamp], bool]:
    parsed, bad = parse_dates(pd.Series(list(texts), dtype=object), order)
    if bad.any() or parsed.isna().any():
        return (pd.NaT, pd.NaT), True
    return (parsed.iloc[0], parsed.iloc[-1]), False


def _top_posts(sheet: Sheet, problems: Problems, file: str) -> pd.DataFrame | None:
    """Union of the two side-by-side TOP POSTS tables: url, date, row, table_rows."""
    header_idx, url_cols = None, []
    for i, row in enumerate(sheet.cells[:15]):
        cols = [j for j, c in enumerate(row) if isinstance(c, str) and norm(c) in TOP_URL.names()]
        if cols:
            header_idx, url_cols = i, cols
            break
    if header_idx is None:
        problems.add(file, "header not recognised: expected Post URL, Post publish date (English) or URL du post, "
                     "Date de publication du post (French)", sheet=sheet.name)
        return None
    parts = []
    bounds = url_cols + [None]
    for k, first in enumerate(url_cols):
        table = find_table(sheet, (TOP_URL, TOP_DATE, TOP_ENG, TOP_IMP), first_col=first, last_col=bounds[k + 1],
                           min_fields=2)
        if table is None or "date" not in table.headers:
            problems.add(file, "header not recognised next to Post URL: expected Post publish date / Date de "
                         "publication du post", sheet=sheet.name, row=sheet.row_numbers[header_idx])
            return None
        part = pd.DataFrame({"url": table.data["url"], "date": table.data["date"], "row": table.rows})
        part["table_rows"] = len(part)
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    return out[out["url"].astype(str).str.strip() != ""].reset_index(drop=True)
