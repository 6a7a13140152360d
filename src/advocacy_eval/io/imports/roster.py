"""HR roster (CSV or Excel, English or French headers) -> employees and waves.

- ``employee_id`` is the pseudonym of the first identifier present among
  e-mail, staff number and LinkedIn profile URL (in that order of columns);
  the pseudonyms of the other identifiers are kept in ``aliases.csv`` so that
  a platform export naming authors by profile URL still finds them. Names and
  every column not listed below are not read.
- ``waves`` come from the roster's wave column: ``wave_id`` is the value
  (e.g. ``W1``; a safe id, since it names report files: letters, digits,
  ``_``, ``.``, ``-``, no ``/`` nor ``..``), ``name`` the wave-name column (default: the id),
  ``start_date``/``end_date`` the wave start/end columns; when the roster has
  no wave dates, the window is the first to the last enrolment date of the
  wave's employees in this file (documented fallback, noted in the log).
- ``trained_on`` is the date of the (first) programme session the employee
  attended (information or training session), from a column such as
  "Trained on" / "Training date" / "Date de formation" / "Formé le"; a
  roster without that column keeps the dates already stored.
- An employee listed twice with identical values is kept once; with
  different values, the file is refused (duplicate id with conflicting values).
"""

from __future__ import annotations

import pandas as pd

from ...privacy.pseudonym import is_pseudonym, normalise_identifier, pseudonymise
from ...schema import SAFE_ID_RULE, safe_id_mask
from .common import Context, Extract, choose_export_date, dedupe_rows
from .parsing import (
    AmbiguousDates,
    Field,
    RawFile,
    blank_mask,
    decide_date_order,
    find_table,
    parse_dates,
    report_duplicate_headers,
)

__all__ = ["DATE_FIELDS", "FIELDS", "IDENTIFIERS", "extract"]

FIELDS: tuple[Field, ...] = (
    Field(
        "email",
        ("Email", "E-mail", "Email address", "Work email", "Business email"),
        ("E-mail", "Adresse e-mail", "Adresse mail", "Courriel", "Adresse électronique", "Mail"),
    ),
    Field(
        "staff_number",
        ("Employee ID", "Employee number", "Staff ID", "Staff number"),
        ("Matricule", "Identifiant salarié", "Numéro de salarié"),
    ),
    Field(
        "profile_url",
        ("LinkedIn profile", "LinkedIn URL", "Profile URL"),
        ("Profil LinkedIn", "URL LinkedIn", "URL du profil"),
    ),
    Field(
        "name", ("Name", "Full name", "First name", "Last name"), ("Nom", "Prénom", "Nom complet")
    ),
    Field("department", ("Department", "Division"), ("Département", "Direction", "Service")),
    Field("region", ("Region", "Location", "Site"), ("Région", "Site", "Implantation")),
    Field("wave", ("Wave", "Wave ID"), ("Vague", "Vague ID")),
    Field("wave_name", ("Wave name",), ("Nom de la vague",)),
    Field(
        "wave_start",
        ("Wave start", "Wave start date"),
        ("Début de vague", "Date de début de la vague"),
    ),
    Field("wave_end", ("Wave end", "Wave end date"), ("Fin de vague", "Date de fin de la vague")),
    Field(
        "enrolled_on",
        ("Enrolled on", "Enrolment date", "Enrollment date"),
        ("Date d’inscription", "Inscrit le", "Date d’adhésion"),
    ),
    Field(
        "profile_created_on",
        ("Profile created on", "LinkedIn profile created on"),
        ("Profil créé le", "Date de création du profil"),
    ),
    Field(
        "left_on", ("Left on", "Leaving date", "Exit date"), ("Date de départ", "Date de sortie")
    ),
    Field(
        "trained_on",
        (
            "Trained on",
            "Training date",
            "Training session date",
            "Session date",
            "Information session date",
            "Attended session on",
        ),
        (
            "Date de formation",
            "Formé le",
            "Formée le",
            "Formé(e) le",
            "Date de session",
            "Date de la formation",
            "Date de la session",
            "Date de sensibilisation",
        ),
    ),
)
"""Roster columns read (English and French names)."""

IDENTIFIERS = ("email", "staff_number", "profile_url")
DATE_FIELDS = (
    "wave_start",
    "wave_end",
    "enrolled_on",
    "profile_created_on",
    "left_on",
    "trained_on",
)


def extract(raw: RawFile, ctx: Context) -> Extract | None:
    """Read one HR roster into employees, waves and identifier aliases.

    Parameters
    ----------
    raw : RawFile
        The roster (CSV or Excel; the first sheet holding the header).
    ctx : Context
        Options (key), data folder, problem collector.
    """
    problems, opts, file = ctx.problems, ctx.options, raw.name
    n_before = len(problems)
    table = None
    for candidate in raw.sheets:
        found = find_table(candidate, FIELDS, min_fields=3)
        if found is not None and (table is None or len(found.headers) > len(table.headers)):
            table = found
    if table is None:
        problems.add(
            file,
            "header not recognised (unknown layout or language): a roster needs an identifier "
            "(Email / E-mail, Employee ID / Matricule, LinkedIn profile / Profil LinkedIn), Department / "
            "Département and Region / Région; sheets found: "
            + ", ".join(repr(s.name) or "(csv)" for s in raw.sheets),
        )
        return None
    sheet = table.sheet or None
    data, rows, headers = table.data, table.rows, table.headers
    report_duplicate_headers(table, problems, file)
    ids = [f for f in IDENTIFIERS if f in headers]
    if not ids:
        problems.add(
            file,
            "missing column: no identifier column (Email / E-mail, Employee ID / Matricule, "
            "LinkedIn profile / Profil LinkedIn)",
            sheet=sheet,
            row=table.header_row,
            column="Email",
        )
    for f, shown in (("department", "Department / Département"), ("region", "Region / Région")):
        if f not in headers:
            problems.add(
                file, f"missing column: {shown}", sheet=sheet, row=table.header_row, column=shown
            )
    if "wave" not in headers and "enrolled_on" in headers:
        problems.add(
            file,
            "missing column: Wave / Vague (needed with the enrolment dates)",
            sheet=sheet,
            row=table.header_row,
            column="Wave / Vague",
        )
    if len(problems) > n_before:
        return None
    lang = opts.lang or table.lang
    try:
        order = decide_date_order([data[f] for f in DATE_FIELDS if f in data], lang, None, file)
    except AmbiguousDates as exc:
        problems.add(file, str(exc), sheet=sheet)
        return None
    primary = ids[0]
    primary_values = data[primary].astype("string").str.strip()
    problems.add_mask(
        file,
        sheet,
        rows,
        blank_mask(data[primary]).to_numpy(),
        headers[primary],
        "required value is empty (identifier)",
        None,
    )
    key = ctx.key()
    ready = primary_values.map(lambda v: is_pseudonym(v) if isinstance(v, str) else False).astype(
        bool
    )
    employee_id = primary_values.copy()
    if (~ready).any():
        employee_id[~ready] = pseudonymise(primary_values[~ready], key)
    # two different people, one pseudonym (truncated HMAC collision)
    norm_ids = primary_values.map(lambda v: normalise_identifier(v) if isinstance(v, str) else v)
    pairs = pd.DataFrame({"id": employee_id, "src": norm_ids}).dropna().drop_duplicates()
    if pairs["id"].duplicated().any():
        problems.add(
            file,
            "two different identifiers give the same pseudonym (HMAC collision): "
            "import with another key",
            sheet=sheet,
            column=headers[primary],
        )
    dates = {}
    for f in DATE_FIELDS:
        if f in data:
            values, bad = parse_dates(data[f], order)
            problems.add_mask(
                file,
                sheet,
                rows,
                bad,
                headers[f],
                f"impossible or unreadable date (read as {order or 'ISO'})",
                data[f],
            )
            dates[f] = values.dt.normalize()
        else:
            dates[f] = pd.Series(pd.NaT, index=data.index, dtype="datetime64[ns]")

    def text(f: str) -> pd.Series:
        if f not in data:
            return pd.Series(pd.NA, index=data.index, dtype="string")
        t = data[f].astype("string").str.strip()
        return t.mask(t == "")

    wave = text("wave")
    problems.add_mask(
        file,
        sheet,
        rows,
        wave.notna() & ~safe_id_mask(wave),
        headers.get("wave", "Wave"),
        f"wave id {SAFE_ID_RULE}: it names the wave's report files",
        wave,
    )
    for f in ("department", "region"):
        problems.add_mask(
            file, sheet, rows, text(f).isna(), headers[f], "required value is empty", None
        )
    no_enrolment = (
        blank_mask(data["enrolled_on"])
        if "enrolled_on" in data
        else pd.Series(True, index=data.index)
    )
    problems.add_mask(
        file,
        sheet,
        rows,
        wave.notna() & no_enrolment,
        headers.get("enrolled_on", "Enrolled on / Date d’inscription"),
        "enrolment date is required when a wave is given",
        wave,
    )
    problems.add_mask(
        file,
        sheet,
        rows,
        wave.isna() & dates["enrolled_on"].notna(),
        headers.get("wave", "Wave"),
        "wave is required when an enrolment date is given",
        data.get("enrolled_on"),
    )
    as_of = opts.as_of if opts.as_of is not None else pd.Timestamp.now(tz="UTC").tz_localize(None)
    for f in DATE_FIELDS:
        if f in data:
            d = dates[f]
            bad = (d > as_of.normalize() + pd.Timedelta(days=1)) | (d < pd.Timestamp("1950-01-01"))
            problems.add_mask(
                file,
                sheet,
                rows,
                bad.fillna(False),
                headers[f],
                "date out of range (in the future or before 1950): day and month swapped?",
                data[f],
            )
    if len(problems) > n_before:
        return None
    employees = pd.DataFrame(
        {
            "employee_id": employee_id,
            "wave_id": wave,
            "enrolled_on": dates["enrolled_on"],
            "department": text("department"),
            "region": text("region"),
            "profile_created_on": dates["profile_created_on"],
            "left_on": dates["left_on"],
            "trained_on": dates["trained_on"],
        }
    )
    notes: list[str] = []
    employees, _kept_rows, dropped = dedupe_rows(
        employees, rows, "employees", ["employee_id"], file, sheet, problems, headers[primary]
    )
    if dropped:
        notes.append(f"{dropped} exact duplicate employee row(s) ignored")
    waves = _waves(wave, text("wave_name"), dates, file, sheet, rows, headers, ctx, notes)
    aliases = []
    for f in ids[1:]:
        values = text(f)
        mask = values.notna()
        if mask.any():
            alias = pd.Series(pd.NA, index=values.index, dtype="string")
            alias[mask] = pseudonymise(values[mask], key)
            aliases.append(pd.DataFrame({"alias": alias[mask], "employee_id": employee_id[mask]}))
    alias_frame = (
        pd.concat(aliases, ignore_index=True).drop_duplicates()
        if aliases
        else pd.DataFrame(columns=["alias", "employee_id"])
    )
    alias_frame = alias_frame[alias_frame["alias"] != alias_frame["employee_id"]]
    skipped = [h for f, h in headers.items() if f == "name"] + table.ignored
    if skipped:
        notes.append("columns not read (personal or unused): " + ", ".join(skipped))
    if len(problems) > n_before:
        return None
    export_date, source = choose_export_date(opts, file, None, fallback_today=True)
    tables = {"employees": employees}
    if waves is not None:
        tables["waves"] = waves
    return Extract(
        tables, len(data), raw.encoding, lang, order, export_date, source, notes, alias_frame
    )


def _waves(
    wave: pd.Series,
    wave_name: pd.Series,
    dates: dict[str, pd.Series],
    file: str,
    sheet: str | None,
    rows,
    headers: dict[str, str],
    ctx: Context,
    notes: list[str],
) -> pd.DataFrame | None:
    """One row per wave named in the roster; conflicting dates or names are errors."""
    present = wave.notna()
    if not present.any():
        return None
    frame = pd.DataFrame(
        {
            "wave_id": wave,
            "name": wave_name.fillna(wave),
            "start": dates["wave_start"],
            "end": dates["wave_end"],
            "enrolled": dates["enrolled_on"],
            "row": rows,
        }
    )[present.to_numpy()]
    current = ctx.state.tables.get("waves")
    existing = set() if current is None else set(current["wave_id"].dropna().astype(str))
    out = []
    for wave_id, group in frame.groupby("wave_id", sort=True):
        for col, shown in (
            ("name", headers.get("wave_name")),
            ("start", headers.get("wave_start")),
            ("end", headers.get("wave_end")),
        ):
            distinct = group[col].dropna().unique()
            if len(distinct) > 1:
                ctx.problems.add(
                    file,
                    f"duplicate id with conflicting values: wave {wave_id} has {len(distinct)} "
                    f"different values (rows {', '.join(str(r) for r in group['row'])})",
                    sheet=sheet,
                    row=int(group["row"].iloc[0]),
                    column=shown or col,
                    value=", ".join(str(v)[:10] for v in distinct),
                )
        start = group["start"].dropna()
        end = group["end"].dropna()
        fallback = start.empty or end.empty
        known = wave_id in existing
        out.append(
            {
                "wave_id": wave_id,
                "name": group["name"].dropna().iloc[0],
                "start_date": start.iloc[0]
                if not start.empty
                else (pd.NaT if known else group["enrolled"].min()),
                "end_date": end.iloc[0]
                if not end.empty
                else (pd.NaT if known else group["enrolled"].max()),
            }
        )
        if fallback and not known:
            notes.append(
                f"wave {wave_id}: no wave start/end columns, window set to its first..last enrolment date"
            )
    return pd.DataFrame(out)
