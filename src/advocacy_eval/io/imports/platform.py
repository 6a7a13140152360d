"""Posts exported by an advocacy platform (CSV or Excel), read through a column mapping (TOML).

A mapping says which column of the export holds each canonical posts column,
which values mean what, and the file's conventions; see ``docs/importing.md``
and the examples shipped in ``advocacy_eval/mappings/``. Example::

    [format]
    lang = "fr"                 # number and date conventions (en | fr); default: from the values
    date_order = "DMY"          # optional; default: from the values, else from lang
    timezone = "Europe/Paris"   # time zone of published_at when it has no offset; default UTC
    sheet = "Posts"             # Excel only; default: the sheet holding the mapped columns

    [columns]                   # canonical column = column of the export
    post_id = "Lien du post"
    author = "E-mail de l'auteur"   # personal identifier, pseudonymised (or author_id = already pseudonymous)
    published_at = "Date de publication"
    ...

    [defaults]                  # canonical columns the export lacks
    network = "linkedin"
    author_type = "employee"

    [values.content_type]       # export value = canonical value
    "Corporate" = "corporate"
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import pandas as pd

from ...schema import AUTHOR_TYPES, COLUMNS, CONTENT_TYPE_VALUES, ORIGINS
from .common import (
    Context,
    Extract,
    check_le,
    choose_export_date,
    dedupe_rows,
    post_id_from_link,
    resolve_person,
)
from .linkedin_page import _rate_check
from .parsing import (
    AmbiguousDates,
    Field,
    ImportRefused,
    RawFile,
    blank_mask,
    decide_date_order,
    find_table,
    norm,
    number_language,
    parse_counts,
    parse_dates,
    parse_rates,
    report_duplicate_headers,
)
from .rules import classify, load_rules, review_frame

POST_COLUMNS = {c.name: c for c in COLUMNS["posts"]}
RULE_INPUTS = ("text", "link", "campaign")
"""Mapping targets read only by the classification rules (``--rules``): the post's text, a link it shares, its
campaign. They are never stored."""
TARGETS = (set(POST_COLUMNS) - {"author_id"}) | {
    "author",
    "author_id",
    "engagement_rate",
    *RULE_INPUTS,
}
"""Names allowed on the left of ``[columns]`` and ``[defaults]`` (``engagement_rate`` is only checked:
(reactions + comments + reposts + clicks [+ follows]) / impressions must match it within a factor of 3)."""
CATEGORY_VALUES = {
    "author_type": AUTHOR_TYPES,
    "content_type": CONTENT_TYPE_VALUES,
    "origin": ORIGINS,
}
NOT_REQUIRED_IN_MAPPING = {"author_id", "content_type", "members_reached"}
"""Required canonical columns a mapping may leave out: the author (given as ``author``), the content type
(the platform's own tag when it has one; else the rules file, else ``unclassified``) and the unique reach (left
empty when the platform has none: never filled from impressions)."""
MAY_BE_EMPTY = {"content_type", "members_reached"}
"""Required canonical columns whose cells may be empty in an export."""


@dataclass
class PlatformMapping:
    """A parsed column mapping.

    Attributes
    ----------
    name : str
        Where the mapping comes from (file name or shipped name).
    columns : dict
        Canonical target -> export column.
    defaults : dict
        Canonical target -> constant value.
    values : dict
        Canonical column -> {export value: canonical value}.
    lang, date_order, timezone, sheet : str or None
        File conventions.
    page_id : str or None
        author_id of rows whose author_type is company.
    """

    name: str
    columns: dict[str, str]
    defaults: dict[str, object] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    lang: str | None = None
    date_order: str | None = None
    timezone: str | None = None
    sheet: str | None = None
    page_id: str | None = None


def shipped_mappings() -> list[str]:
    """Names of the example mappings shipped with the package."""
    folder = resources.files("advocacy_eval") / "mappings"
    if not folder.is_dir():  # installed without its package data
        return []
    return sorted(
        p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml")
    )


def load_mapping(mapping: object) -> PlatformMapping:
    """Read and check a mapping: a TOML file path, a shipped name, or a dict.

    Raises
    ------
    ImportRefused
        When the mapping is missing, unreadable or inconsistent (unknown
        canonical column, required column neither mapped nor defaulted, bad
        value).
    """
    if mapping is None:
        raise ImportRefused(
            "platform needs a column mapping: --mapping FILE.toml (or one of the shipped "
            f"examples: {', '.join(shipped_mappings())}); see docs/importing.md"
        )
    if isinstance(mapping, dict):
        data, name = mapping, "mapping"
    else:
        path = Path(str(mapping)).expanduser()
        if not path.is_file():
            shipped = resources.files("advocacy_eval") / "mappings" / f"{mapping}.toml"
            if not shipped.is_file():
                raise ImportRefused(
                    f"mapping not found: {mapping} (a TOML file, or one of the shipped examples: "
                    f"{', '.join(shipped_mappings())})"
                )
            text, name = shipped.read_text(encoding="utf-8"), str(mapping)
        else:
            text, name = path.read_text(encoding="utf-8"), path.name
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ImportRefused(f"mapping {name} is not valid TOML: {exc}") from None
    unknown_sections = set(data) - {"format", "columns", "defaults", "values", "platform"}
    if unknown_sections:
        raise ImportRefused(
            f"mapping {name}: unknown section(s) {', '.join(sorted(unknown_sections))}; "
            "expected [format], [columns], [defaults], [values.<column>]"
        )
    fmt = data.get("format", {})
    columns = {str(k): str(v) for k, v in data.get("columns", {}).items()}
    defaults = dict(data.get("defaults", {}))
    values = {
        str(k): {str(a): str(b) for a, b in v.items()} for k, v in data.get("values", {}).items()
    }
    errors = []
    for target in [*columns, *defaults]:
        if target not in TARGETS:
            errors.append(
                f"unknown canonical column {target!r} (allowed: {', '.join(sorted(TARGETS))})"
            )
    for target in values:
        if target not in CATEGORY_VALUES and target != "network":
            errors.append(
                f"[values.{target}]: values can be translated for author_type, content_type, origin "
                "and network only"
            )
        for src, dst in values[target].items():
            allowed = CATEGORY_VALUES.get(target)
            if allowed and dst not in allowed:
                errors.append(
                    f"[values.{target}] {src!r} = {dst!r}: must be one of {', '.join(allowed)}"
                )
    has = set(columns) | set(defaults)
    for col in COLUMNS["posts"]:
        if col.required and col.name not in NOT_REQUIRED_IN_MAPPING and col.name not in has:
            errors.append(f"required column {col.name!r} is neither in [columns] nor in [defaults]")
    if not ({"author", "author_id"} & has):
        errors.append(
            "the author is neither in [columns] (author = column of e-mails/profile URLs/staff numbers, "
            "or author_id = column of pseudonyms) nor in [defaults]"
        )
    lang = fmt.get("lang")
    if lang not in (None, "en", "fr"):
        errors.append(f"[format] lang = {lang!r}: must be en or fr")
    order = fmt.get("date_order")
    if order not in (None, "DMY", "MDY"):
        errors.append(f"[format] date_order = {order!r}: must be DMY or MDY")
    tz = fmt.get("timezone")
    if tz:
        try:
            pd.Timestamp("2024-01-01").tz_localize(tz)
        except Exception:
            errors.append(f"[format] timezone = {tz!r}: not a known time zone (e.g. Europe/Paris)")
    if errors:
        raise ImportRefused(f"mapping {name} is not usable:\n  - " + "\n  - ".join(errors))
    return PlatformMapping(
        name,
        columns,
        defaults,
        values,
        lang,
        order,
        tz,
        fmt.get("sheet"),
        fmt.get("page_id") or data.get("platform", {}).get("page_id"),
    )


def extract(raw: RawFile, ctx: Context) -> Extract | None:
    """Read one platform export into canonical employee posts.

    Parameters
    ----------
    raw : RawFile
        The file (CSV or Excel).
    ctx : Context
        Options (``mapping`` is required), data folder, problem collector.
    """
    problems, opts, file = ctx.problems, ctx.options, raw.name
    n_before = len(problems)
    mp = load_mapping(opts.mapping)
    fields = [Field(target, (col,), ()) for target, col in mp.columns.items()]
    sheets = raw.sheets
    if mp.sheet and raw.kind == "excel":
        sheets = [s for s in raw.sheets if norm(s.name) == norm(mp.sheet)]
        if not sheets:
            problems.add(
                file,
                f"wrong sheet: the mapping asks for sheet {mp.sheet!r}; sheets found: "
                + ", ".join(repr(s.name) for s in raw.sheets),
            )
            return None
    best = None
    for candidate in sheets:
        found = find_table(candidate, fields, min_fields=1)
        if found is not None and (best is None or len(found.headers) > len(best.headers)):
            best = found
    if best is None:
        problems.add(
            file,
            f"unknown layout: none of the columns named in mapping {mp.name} was found "
            "(wrong file, wrong mapping, or header in another language)",
        )
        return None
    table, sheet = best, best.sheet or None
    report_duplicate_headers(table, problems, file)
    for target, source in mp.columns.items():
        if target not in table.headers:
            problems.add(
                file,
                f"missing column: mapping {mp.name} maps {target} to {source!r}, which the file lacks"
                + (f"; columns not mapped: {', '.join(table.ignored)}" if table.ignored else ""),
                sheet=sheet,
                row=table.header_row,
                column=source,
            )
    if len(problems) > n_before:
        return None
    data, rows, headers = table.data, table.rows, table.headers
    n = len(data)
    lang = mp.lang or opts.lang
    count_cols = [t for t in mp.columns if t in POST_COLUMNS and POST_COLUMNS[t].kind == "count"]
    num_lang = lang or number_language([data[t] for t in count_cols])
    if num_lang is None:
        problems.add(
            file,
            "numbers such as 1,234 can be read the English or the French way: set lang in the "
            "mapping's [format] or give --lang en|fr",
            sheet=sheet,
        )
        return None
    date_cols = [
        data[t]
        for t in mp.columns
        if t in POST_COLUMNS and POST_COLUMNS[t].kind in ("date", "datetime")
    ]
    try:
        order = decide_date_order(date_cols, lang, mp.date_order, file)
    except AmbiguousDates as exc:
        problems.add(file, str(exc), sheet=sheet, column=mp.columns.get("published_at", ""))
        return None
    out: dict[str, pd.Series] = {}
    for col in COLUMNS["posts"]:
        name = col.name
        if name == "author_id":
            continue
        if name in mp.columns:
            raw_values = data[name]
            shown = headers[name]
            if col.kind == "count":
                values, bad = parse_counts(raw_values, num_lang)
                problems.add_mask(
                    file,
                    sheet,
                    rows,
                    bad,
                    shown,
                    "bad number: must be a whole number >= 0 written "
                    f"the {'French' if num_lang == 'fr' else 'English'} way",
                    raw_values,
                )
            elif col.kind in ("date", "datetime"):
                values, bad = parse_dates(raw_values, order, utc_from=mp.timezone)
                problems.add_mask(
                    file,
                    sheet,
                    rows,
                    bad,
                    shown,
                    f"impossible or unreadable date (read as {order or 'ISO'})",
                    raw_values,
                )
            else:
                values = raw_values.astype("string").str.strip()
                values = values.mask(values == "")
                if name in mp.values or name in CATEGORY_VALUES:
                    table_map = {norm(k): v for k, v in mp.values.get(name, {}).items()}
                    mapped = values.map(
                        lambda v, t=table_map: t.get(norm(v), v) if isinstance(v, str) else v
                    )
                    values = mapped.astype("string")
                    if name in CATEGORY_VALUES:
                        unknown = values.notna() & ~values.isin(CATEGORY_VALUES[name]).fillna(False)
                        problems.add_mask(
                            file,
                            sheet,
                            rows,
                            unknown,
                            shown,
                            f"unknown value for {name}: add it under [values.{name}] in the mapping "
                            f"(canonical values: {', '.join(CATEGORY_VALUES[name])})",
                            raw_values,
                        )
            if (
                col.required and name not in MAY_BE_EMPTY
            ):  # an empty tag: the rules decide, else unclassified
                problems.add_mask(
                    file,
                    sheet,
                    rows,
                    blank_mask(raw_values).to_numpy(),
                    shown,
                    "required value is empty",
                    None,
                )
            out[name] = values
        elif name in mp.defaults:
            out[name] = pd.Series([mp.defaults[name]] * n, dtype=object)
        else:
            out[name] = pd.Series([pd.NA] * n, dtype=object)
    posts = pd.DataFrame(out)
    posts["post_id"] = post_id_from_link(posts["post_id"])
    author_type = posts["author_type"].astype("string")
    is_company = (author_type == "company").fillna(False).astype(bool)
    if "author_id" in mp.columns:
        author = data["author_id"].astype("string").str.strip()
        author_col = headers["author_id"]
    elif "author" in mp.columns:
        author = data["author"].astype("string").str.strip()
        author_col = headers["author"]
        employee_rows = ~is_company & author.notna() & (author != "")
        author = author.astype(object)
        if employee_rows.any():
            author[employee_rows] = resolve_person(author[employee_rows], ctx).astype(object)
    else:
        default = mp.defaults.get("author_id", mp.defaults.get("author"))
        author = pd.Series([default] * n, dtype=object)
        author_col = "author"
    author = pd.Series(author, dtype=object).where(~is_company, mp.page_id or opts.page_id)
    posts.insert(2, "author_id", author)
    missing_author = ~is_company & blank_mask(pd.Series(author, dtype=object))
    problems.add_mask(
        file, sheet, rows, missing_author, author_col, "required value is empty", None
    )
    known = ctx.state.employee_ids()
    notes = []
    if known is not None:
        unknown = ~is_company & ~missing_author & ~pd.Series(author).isin(known)
        problems.add_mask(
            file,
            sheet,
            rows,
            unknown,
            author_col,
            "author is not in the roster (employees.csv): same identifier as in the roster?",
            data["author"] if "author" in data else data.get("author_id"),
        )
    else:
        notes.append("no roster yet: authors will be checked when the roster is imported")
    reached = posts["members_reached"].astype("Float64")
    impressions = posts["impressions"].astype("Float64")
    check_le(
        problems,
        file,
        sheet,
        rows,
        reached,
        impressions,
        headers.get("members_reached", "members_reached"),
        "members reached must be <= impressions (numbers mis-parsed?)",
    )
    for term in ("reactions", "comments", "reposts", "clicks"):
        check_le(
            problems,
            file,
            sheet,
            rows,
            posts[term].astype("Float64"),
            impressions,
            headers.get(term, term),
            "must be <= impressions (numbers mis-parsed?)",
        )
    if "engagement_rate" in mp.columns:
        rate, bad_rate = parse_rates(data["engagement_rate"], num_lang)
        problems.add_mask(
            file,
            sheet,
            rows,
            bad_rate,
            headers["engagement_rate"],
            "bad rate: must be a number or percentage between 0 and 1 (0 % and 100 %)",
            data["engagement_rate"],
        )
        terms = [
            posts[t].astype("Float64").fillna(0)
            for t in ("reactions", "comments", "reposts", "clicks", "follows")
            if t in mp.columns
        ]
        if terms:
            _rate_check(
                problems,
                file,
                sheet,
                rows,
                sum(terms) / impressions,
                rate,
                headers["engagement_rate"],
                "(reactions + comments + reposts + clicks + follows) / impressions",
                data["engagement_rate"],
            )
    audience = posts["audience_size"].astype("Float64")
    problems.add_mask(
        file,
        sheet,
        rows,
        (audience <= 0).fillna(False),
        headers.get("audience_size", "audience_size"),
        "audience_size must be > 0",
        posts["audience_size"],
    )
    as_of = opts.as_of if opts.as_of is not None else pd.Timestamp.now(tz="UTC").tz_localize(None)
    published = pd.to_datetime(posts["published_at"])
    out_of_range = (published > as_of.normalize() + pd.Timedelta(days=1)) | (
        published < pd.Timestamp("2003-01-01")
    )
    problems.add_mask(
        file,
        sheet,
        rows,
        out_of_range.fillna(False),
        headers.get("published_at", "published_at"),
        "date out of range (after today or before 2003): day and month swapped?",
        data.get("published_at", None),
    )
    if len(problems) > n_before:
        return None
    decision = _classify(posts, data, mp, ctx)
    posts["content_type"] = decision["content_type"].to_numpy()
    posts["theme"] = decision["theme"].to_numpy()
    all_rows = rows
    posts, rows, dropped = dedupe_rows(
        posts, rows, "posts", ["post_id"], file, sheet, problems, headers.get("post_id")
    )
    review = review_frame(file, rows, posts, decision.iloc[pd.Index(all_rows).get_indexer(rows)])
    if dropped:
        notes.append(f"{dropped} exact duplicate row(s) ignored")
    if table.ignored:
        notes.append("columns not read: " + ", ".join(table.ignored))
    export_date, source = choose_export_date(opts, file, published.max())
    if len(problems) > n_before:
        return None
    return Extract(
        {"posts": posts},
        n,
        raw.encoding,
        lang or num_lang,
        order,
        export_date,
        source,
        notes,
        period=(published.min().normalize(), published.max().normalize())
        if published.notna().any()
        else None,
        review=review,
    )


def _classify(
    posts: pd.DataFrame, data: pd.DataFrame, mp: PlatformMapping, ctx: Context
) -> pd.DataFrame:
    """Content type and theme of each post: the platform's own tag, else the stored one, else the rules.

    See :func:`advocacy_eval.io.imports.rules.classify`; ``text``, ``link`` and ``campaign`` columns of the
    mapping feed the rules.
    """

    def mapped(target: str) -> pd.Series | None:
        if target in mp.columns:
            return data[target].reset_index(drop=True)
        if target in mp.defaults:
            return pd.Series([mp.defaults[target]] * len(posts), dtype=object)
        return None

    tag = (
        posts["content_type"]
        if ("content_type" in mp.columns or "content_type" in mp.defaults)
        else None
    )
    return classify(
        posts["post_id"].reset_index(drop=True),
        tag=None if tag is None else tag.reset_index(drop=True),
        tag_theme=posts["theme"].reset_index(drop=True),
        existing=ctx.state.tables.get("posts"),
        rules=load_rules(ctx.options.rules),
        text=mapped("text"),
        link=mapped("link"),
        campaign=mapped("campaign"),
    )


__all__ = ["PlatformMapping", "extract", "load_mapping", "shipped_mappings"]
