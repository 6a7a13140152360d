"""LinkedIn Page content export (.xls/.xlsx): sheets "Metrics" (daily) and "All posts".

Each row of "All posts" becomes one company post of the canonical posts table:

- ``post_id``: the URN in "Post link" (``urn:li:activity:...``), else the cleaned link;
- ``author_type`` ``company``, ``author_id`` the page id (default ``company-page``);
- ``published_at``: "Created date" (a day; midnight);
- ``impressions``; ``members_reached`` from a unique-reach column ("Unique
  impressions"/"Members reached") only. LinkedIn's "All posts" sheet has no
  per-post unique reach: ``members_reached`` is then left empty, never filled
  from impressions (which count displays, not people; reports compare
  impressions per follower instead); "Views" (video views) is never reach;
- ``reactions`` (Likes/Reactions), ``comments``, ``reposts`` (Reposts, older
  Shares), ``clicks``, ``follows``;
- ``audience_size``: the page's followers on the post's day: from
  ``page_followers`` when given (a number, or a CSV of date, followers: the
  latest count on or before the day), else a followers column of the Metrics
  sheet, else the daily counts stored by ``import linkedin-followers``
  (``DATA_DIR/linkedin/page_followers.csv``), else the value already in
  ``posts.csv``. The "Audience" column of All posts is the audience
  *targeted* ("All followers", a sponsored target), not a number of people:
  it is not used;
- ``content_type``/``theme``: see :mod:`advocacy_eval.io.imports.rules` (``--content-type``,
  then the classification already stored, then the rules file applied to "Post title" and
  "Campaign name", else ``unclassified``).

The daily rows of the Metrics sheet (impressions, daily unique impressions,
clicks, reactions, comments, reposts) are kept in ``DATA_DIR/linkedin/page_daily.csv``.
"Posted by" (an administrator's name) is personal data and is not read.
Range checks after parsing: clicks / impressions must match "Click through
rate (CTR)" and the engagement terms / impressions must match "Engagement
rate" within a factor of 3 (a x10 mis-parse fails), members reached and
every engagement term <= impressions, rates in [0, 1].
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...schema import CONTENT_TYPES
from .common import (
    Context,
    Extract,
    check_le,
    choose_export_date,
    dedupe_rows,
    path_of,
    post_id_from_link,
)
from .parsing import (
    AmbiguousDates,
    Field,
    Problems,
    RawFile,
    Table,
    decide_date_order,
    find_table,
    norm,
    number_language,
    parse_counts,
    parse_dates,
    parse_rates,
    read_file,
    report_duplicate_headers,
)
from .rules import classify, load_rules, review_frame

__all__ = [
    "DAILY_COUNTS",
    "METRICS_SHEETS",
    "METRIC_FIELDS",
    "POSTS_SHEETS",
    "POST_FIELDS",
    "RATE_FACTOR",
    "REQUIRED_POST_FIELDS",
    "extract",
]

POST_FIELDS: tuple[Field, ...] = (
    Field(
        "title",
        ("Post title", "Update title"),
        ("Titre du post", "Titre de la publication", "Titre de la mise à jour"),
    ),
    Field(
        "link",
        ("Post link", "Update link"),
        ("Lien du post", "Lien de la publication", "Lien de la mise à jour"),
    ),
    Field(
        "type",
        ("Post type", "Update type"),
        ("Type de post", "Type de publication", "Type de mise à jour"),
    ),
    Field("campaign", ("Campaign name",), ("Nom de la campagne",)),
    Field("posted_by", ("Posted by",), ("Publié par",)),
    Field("created", ("Created date", "Date created"), ("Date de création",)),
    Field("campaign_start", ("Campaign start date",), ("Date de début de la campagne",)),
    Field("campaign_end", ("Campaign end date",), ("Date de fin de la campagne",)),
    Field("audience", ("Audience",), ("Audience",)),
    Field("impressions", ("Impressions",), ("Impressions",)),
    Field(
        "unique",
        ("Unique impressions", "Members reached"),
        ("Impressions uniques", "Membres touchés"),
    ),
    Field(
        "views",
        ("Views", "Views (excluding off-site video views)"),
        ("Vues", "Vues (hors vues de vidéos hors site)"),
    ),
    Field("offsite_views", ("Offsite Views", "Off-site views"), ("Vues hors site",)),
    Field("clicks", ("Clicks",), ("Clics",)),
    Field("ctr", ("Click through rate (CTR)",), ("Taux de clics (CTR)",)),
    Field("likes", ("Likes", "Reactions"), ("J’aime", "Réactions")),
    Field("comments", ("Comments",), ("Commentaires",)),
    Field("reposts", ("Reposts", "Shares"), ("Republications", "Partages", "Repartages")),
    Field("follows", ("Follows",), ("Abonnements", "Suivis")),
    Field("engagement_rate", ("Engagement rate",), ("Taux d’engagement",)),
    Field("content_kind", ("Content Type",), ("Type de contenu",)),
)
"""Columns of the "All posts" sheet (English and French; older "Update ..." names)."""

REQUIRED_POST_FIELDS = ("link", "created", "impressions")

METRIC_FIELDS: tuple[Field, ...] = (
    Field("date", ("Date",), ("Date",)),
    Field(
        "impressions_organic",
        ("Impressions (organic)",),
        ("Impressions (naturelles)", "Impressions (organiques)"),
    ),
    Field("impressions_sponsored", ("Impressions (sponsored)",), ("Impressions (sponsorisées)",)),
    Field("impressions_total", ("Impressions (total)",), ("Impressions (total)",)),
    Field(
        "unique_organic",
        ("Unique impressions (organic)",),
        ("Impressions uniques (naturelles)", "Impressions uniques (organiques)"),
    ),
    Field("clicks_total", ("Clicks (total)",), ("Clics (total)",)),
    Field("reactions_total", ("Reactions (total)",), ("Réactions (total)",)),
    Field("comments_total", ("Comments (total)",), ("Commentaires (total)",)),
    Field(
        "reposts_total",
        ("Reposts (total)", "Shares (total)"),
        ("Republications (total)", "Partages (total)"),
    ),
    Field("engagement_rate_total", ("Engagement rate (total)",), ("Taux d’engagement (total)",)),
    Field("followers", ("Total followers", "Followers"), ("Nombre total d’abonnés", "Abonnés")),
)
"""Columns of the daily "Metrics" sheet that are read."""

POSTS_SHEETS = {
    norm(n)
    for n in (
        "All posts",
        "Update engagement",
        "Tous les posts",
        "Toutes les publications",
        "Engagement des mises à jour",
    )
}
METRICS_SHEETS = {
    norm(n)
    for n in (
        "Metrics",
        "Update metrics (aggregated)",
        "Indicateurs",
        "Statistiques",
        "Indicateurs des mises à jour (agrégés)",
    )
}

RATE_FACTOR = 3.0
"""Reported and recomputed rates may differ by at most this factor (catches x10 mis-parses)."""


def _label_for(field: str) -> str:
    f = next(f for f in POST_FIELDS if f.name == field)
    return f"{f.en[0]} / {f.fr[0]}"


def _find_posts(raw: RawFile, problems: Problems) -> Table | None:
    candidates = []
    for sheet in raw.sheets:
        table = find_table(sheet, POST_FIELDS, min_fields=3)
        if table is not None and "link" in table.headers:
            candidates.append((norm(sheet.name) in POSTS_SHEETS, len(table.headers), table))
    if candidates:
        candidates.sort(key=lambda c: (c[0], c[1]), reverse=True)
        return candidates[0][2]
    named = [s for s in raw.sheets if norm(s.name) in POSTS_SHEETS]
    found = ", ".join(repr(s.name) for s in raw.sheets) or "none"
    if named:
        sheet = named[0]
        header = next(
            (r for r in sheet.cells[:15] if sum(bool(str(c).strip()) for c in r) >= 3), []
        )
        problems.add(
            raw.name,
            "header not recognised (unknown language or layout): expected English names "
            "(Post link, Created date, Impressions...) or French names (Lien du post, Date de création, "
            "Impressions...)",
            sheet=sheet.name,
            value=", ".join(str(c) for c in header if str(c).strip())[:200],
        )
    else:
        problems.add(
            raw.name,
            "unknown layout or wrong sheet: no sheet holds the page's post table "
            "('All posts' / 'Tous les posts' with Post link, Created date, Impressions); "
            f"sheets found: {found}",
        )
    return None


def _find_metrics(raw: RawFile) -> Table | None:
    for sheet in raw.sheets:
        if norm(sheet.name) in METRICS_SHEETS:
            table = find_table(sheet, METRIC_FIELDS, min_fields=2)
            if table is not None and "date" in table.headers:
                return table
    return None


def _followers_table(value: object, problems: Problems) -> pd.DataFrame | int | None:
    """Page followers given by the user: an int, or a CSV/XLSX of date, followers."""
    if value is None:
        return None
    if isinstance(value, (int, np.integer)) or (isinstance(value, str) and value.strip().isdigit()):
        return int(value)
    path = path_of(value)
    if path is None:
        problems.add(
            str(value), "page followers must be a whole number or a file of date, followers"
        )
        return None
    raw = read_file(path, problems)
    if raw is None:
        return None
    fields = (
        Field("date", ("Date",), ("Date",)),
        Field("followers", ("Followers", "Total followers"), ("Abonnés", "Nombre total d’abonnés")),
    )
    table = find_table(raw.sheets[0], fields, min_fields=2)
    if table is None:
        problems.add(
            raw.name,
            "page followers file needs the columns date and followers (Date, Followers / Abonnés)",
        )
        return None
    lang = table.lang or number_language([table.data["followers"]]) or "en"
    try:
        order = decide_date_order([table.data["date"]], table.lang, None, raw.name)
    except AmbiguousDates as exc:
        problems.add(raw.name, str(exc), column=table.headers["date"])
        return None
    dates, bad_d = parse_dates(table.data["date"], order)
    counts, bad_c = parse_counts(table.data["followers"], lang)
    problems.add_mask(
        raw.name,
        None,
        table.rows,
        bad_d,
        table.headers["date"],
        "impossible or unreadable date",
        table.data["date"],
    )
    problems.add_mask(
        raw.name,
        None,
        table.rows,
        bad_c,
        table.headers["followers"],
        "must be a whole number >= 0",
        table.data["followers"],
    )
    return pd.DataFrame({"date": dates, "followers": counts}).dropna().sort_values("date")


def _classification(value: object, problems: Problems) -> str | pd.DataFrame | None:
    """content_type option: one canonical value, or a file of post link/id, content_type[, theme].

    Returns
    -------
    str, pandas.DataFrame or None
        The value for every post, or a frame of post_id, content_type, theme (one row per post), or
        None (not given, or a problem was recorded).
    """
    if value is None:
        return None
    if isinstance(value, str) and value.strip() in CONTENT_TYPES:
        return value.strip()
    path = path_of(value)
    if path is None:
        problems.add(
            str(value),
            f"content type must be one of {', '.join(CONTENT_TYPES)} or a file of "
            "post link, content_type[, theme]",
        )
        return None
    raw = read_file(path, problems)
    if raw is None:
        return None
    fields = (
        Field("post", ("post_link", "Post link", "post_id", "Post id", "link"), ("Lien du post",)),
        Field("content_type", ("content_type", "Content type"), ("Type de contenu (canonique)",)),
        Field("theme", ("theme", "Theme"), ("Thème",)),
    )
    table = find_table(raw.sheets[0], fields, min_fields=2)
    if table is None or "post" not in table.headers or "content_type" not in table.headers:
        problems.add(
            raw.name,
            "classification file needs the columns post_link (or post_id) and content_type",
        )
        return None
    ctype = table.data["content_type"].astype("string").str.strip()
    bad = ~ctype.isin(CONTENT_TYPES).fillna(False)
    problems.add_mask(
        raw.name,
        None,
        table.rows,
        bad,
        "content_type",
        f"must be one of {', '.join(CONTENT_TYPES)}",
        ctype,
    )
    out = pd.DataFrame(
        {
            "post_id": post_id_from_link(table.data["post"]),
            "content_type": ctype,
            "theme": table.data["theme"].astype("string").str.strip()
            if "theme" in table.data
            else pd.NA,
        }
    )
    return out.drop_duplicates("post_id", keep="last")


def extract(raw: RawFile, ctx: Context) -> Extract | None:
    """Read one Page content export into canonical company posts.

    Parameters
    ----------
    raw : RawFile
        The workbook.
    ctx : Context
        Options, current data folder, problem collector.

    Returns
    -------
    Extract or None
        None when problems were recorded.
    """
    problems, opts, file = ctx.problems, ctx.options, raw.name
    n_before = len(problems)
    table = _find_posts(raw, problems)
    if table is None:
        return None
    sheet = table.sheet
    if report_duplicate_headers(table, problems, file):
        return None
    missing = [f for f in REQUIRED_POST_FIELDS if f not in table.headers]
    for f in missing:
        problems.add(
            file,
            f"required column is missing: {_label_for(f)}",
            sheet=sheet,
            row=table.header_row,
            column=_label_for(f),
        )
    if missing:
        return None
    metrics = _find_metrics(raw)
    if metrics is not None and report_duplicate_headers(metrics, problems, file):
        return None
    lang = opts.lang or table.lang or (metrics.lang if metrics is not None else None)
    data = table.data
    count_fields = [
        f
        for f in ("impressions", "unique", "clicks", "likes", "comments", "reposts", "follows")
        if f in data
    ]
    num_lang = lang or number_language([data[f] for f in count_fields])
    if num_lang is None:
        problems.add(
            file,
            "numbers such as 1,234 can be read the English or the French way and the file's "
            "language is unknown: give --lang en|fr",
            sheet=sheet,
        )
        return None
    date_cols = [data["created"]] + ([metrics.data["date"]] if metrics is not None else [])
    try:
        order = decide_date_order(date_cols, lang, None, file)
    except AmbiguousDates as exc:
        problems.add(file, str(exc), sheet=sheet, column=table.headers["created"])
        return None
    rows = table.rows

    def count(f: str) -> pd.Series:
        if f not in data:
            return pd.Series(pd.NA, index=data.index, dtype="Int64")
        values, bad = parse_counts(data[f], num_lang)
        problems.add_mask(
            file,
            sheet,
            rows,
            bad,
            table.headers[f],
            "bad number: must be a whole number >= 0 "
            f"written the {'French' if num_lang == 'fr' else 'English'} way",
            data[f],
        )
        return values

    def rate(f: str) -> pd.Series:
        if f not in data:
            return pd.Series(pd.NA, index=data.index, dtype="Float64")
        values, bad = parse_rates(data[f], num_lang)
        problems.add_mask(
            file,
            sheet,
            rows,
            bad,
            table.headers[f],
            "bad rate: must be a number or percentage between 0 and 1 (0 % and 100 %)",
            data[f],
        )
        return values

    post_id = post_id_from_link(data["link"])
    problems.add_mask(
        file, sheet, rows, post_id.isna(), table.headers["link"], "post link is missing", None
    )
    published, bad_date = parse_dates(data["created"], order)
    problems.add_mask(
        file,
        sheet,
        rows,
        bad_date,
        table.headers["created"],
        f"impossible or unreadable date (read as {order or 'ISO'})",
        data["created"],
    )
    as_of = opts.as_of if opts.as_of is not None else pd.Timestamp.now(tz="UTC").tz_localize(None)
    future = published > as_of.normalize() + pd.Timedelta(days=1)
    ancient = published < pd.Timestamp("2003-01-01")
    problems.add_mask(
        file,
        sheet,
        rows,
        future | ancient,
        table.headers["created"],
        "date out of range (after today or before 2003): day and month swapped?",
        data["created"],
    )
    impressions = count("impressions")
    reactions, comments, reposts = count("likes"), count("comments"), count("reposts")
    clicks, follows = count("clicks"), count("follows")
    ctr, engagement_rate = rate("ctr"), rate("engagement_rate")
    notes: list[str] = []
    if "unique" in data:
        reached = count("unique")
    else:
        reached = pd.Series(pd.NA, index=data.index, dtype="Int64")
        notes.append(
            "no per-post unique reach in this export (LinkedIn's All posts sheet has none): "
            "members_reached left empty, never filled from impressions"
        )
    # range checks after parsing
    if "unique" in data:
        check_le(
            problems,
            file,
            sheet,
            rows,
            reached,
            impressions,
            table.headers["unique"],
            "members reached must be <= impressions (numbers mis-parsed?)",
        )
    for f, values in (
        ("likes", reactions),
        ("comments", comments),
        ("reposts", reposts),
        ("clicks", clicks),
    ):
        if f in data:
            check_le(
                problems,
                file,
                sheet,
                rows,
                values,
                impressions,
                table.headers[f],
                "must be <= impressions (numbers mis-parsed?)",
            )
    imp = impressions.astype("Float64")
    if "ctr" in data and "clicks" in data:
        computed = clicks.astype("Float64") / imp
        _rate_check(
            problems,
            file,
            sheet,
            rows,
            computed,
            ctr,
            table.headers["ctr"],
            "clicks / impressions",
            data["ctr"],
        )
    if "engagement_rate" in data:
        terms = [
            v.astype("Float64").fillna(0)
            for f, v in (
                ("likes", reactions),
                ("comments", comments),
                ("reposts", reposts),
                ("clicks", clicks),
                ("follows", follows),
            )
            if f in data
        ]
        if terms:
            computed = sum(terms) / imp
            _rate_check(
                problems,
                file,
                sheet,
                rows,
                computed,
                engagement_rate,
                table.headers["engagement_rate"],
                "(reactions + comments + reposts + clicks + follows) / impressions",
                data["engagement_rate"],
            )
    audience, audience_note = _audience(published, metrics, num_lang, order, ctx, file)
    if audience_note:
        notes.append(audience_note)
    given = _classification(opts.content_type, problems)
    posts = pd.DataFrame(
        {
            "post_id": post_id,
            "author_type": "company",
            "author_id": opts.page_id,
            "published_at": published,
            "network": "linkedin",
            "content_type": pd.NA,
            "theme": pd.NA,
            "origin": pd.NA,
            "audience_size": audience,
            "impressions": impressions,
            "members_reached": reached,
            "reactions": reactions,
            "comments": comments,
            "reposts": reposts,
            "clicks": clicks,
            "follows": follows,
        }
    )
    current = ctx.state.tables.get("posts")
    if current is not None and len(current) and "audience_size" in current:
        known = posts["post_id"].map(
            current.drop_duplicates("post_id").set_index("post_id")["audience_size"]
        )
        posts["audience_size"] = (
            posts["audience_size"].astype(object).where(posts["audience_size"].notna(), known)
        )
    given_frame = None
    if isinstance(given, str):
        given_frame = pd.DataFrame({"content_type": given, "theme": pd.NA}, index=posts.index)
    elif given is not None:
        given_frame = posts[["post_id"]].merge(given, on="post_id", how="left")[
            ["content_type", "theme"]
        ]
        given_frame.index = posts.index
    decision = classify(
        posts["post_id"],
        given=given_frame,
        existing=current,
        rules=load_rules(opts.rules),
        text=data.get("title", None),
        campaign=data.get("campaign", None),
    )
    posts["content_type"] = decision["content_type"].to_numpy()
    posts["theme"] = decision["theme"].to_numpy()
    no_audience = pd.Series(posts["audience_size"]).isna() & posts["post_id"].notna() & ~bad_date
    series_start = _stored_followers_start(ctx)
    where_to = (
        f"; the stored followers series starts on {series_start:%Y-%m-%d}: import a followers export "
        "covering the post's day"
        if series_start is not None
        else ": import the page's followers export first (advocacy-eval import linkedin-followers FILE)"
    )
    problems.add_mask(
        file,
        sheet,
        rows,
        no_audience,
        "audience_size",
        "page followers on this day unknown"
        + where_to
        + ", or give --page-followers N or a file of "
        "date, followers (the Audience column is the targeted audience, not a number of people)",
        data["created"],
    )
    if len(problems) > n_before:
        return None
    posts, rows_kept, dropped = dedupe_rows(
        posts, rows, "posts", ["post_id"], file, sheet, problems, table.headers["link"]
    )
    if dropped:
        notes.append(f"{dropped} exact duplicate row(s) ignored")
    if table.ignored:
        notes.append("columns not read: " + ", ".join(table.ignored))
    daily = _daily_metrics(metrics, num_lang, order, ctx, file)
    first_day, content_day = published.min(), published.max()
    if daily is not None and len(daily):
        first_day, content_day = daily["date"].min(), max(content_day, daily["date"].max())
    export_date, source = choose_export_date(opts, file, content_day)
    if len(problems) > n_before:
        return None
    review = review_frame(file, rows_kept, posts, decision.iloc[_kept_positions(rows, rows_kept)])
    aux = {"page_daily": daily} if daily is not None and len(daily) else {}
    period = (first_day.normalize(), content_day.normalize()) if pd.notna(first_day) else None
    return Extract(
        {"posts": posts},
        len(data),
        raw.encoding,
        lang,
        order,
        export_date,
        source,
        notes,
        aux=aux,
        period=period,
        review=review,
    )


def _kept_positions(rows: np.ndarray, kept: np.ndarray) -> np.ndarray:
    """Positions in ``rows`` of the rows kept by :func:`dedupe_rows` (row numbers are unique)."""
    return pd.Index(rows).get_indexer(kept)


DAILY_COUNTS = {
    "impressions_organic": "impressions_organic",
    "impressions_sponsored": "impressions_sponsored",
    "impressions_total": "impressions_total",
    "unique_impressions_organic": "unique_organic",
    "clicks_total": "clicks_total",
    "reactions_total": "reactions_total",
    "comments_total": "comments_total",
    "reposts_total": "reposts_total",
}
"""Columns of ``linkedin/page_daily.csv`` -> fields of the Metrics sheet."""


def _daily_metrics(
    metrics: Table | None, num_lang: str, order: str | None, ctx: Context, file: str
) -> pd.DataFrame | None:
    """The Metrics sheet's daily rows (``linkedin/page_daily.csv``); None without a Metrics sheet."""
    if metrics is None:
        return None
    data, rows, sheet = metrics.data, metrics.rows, metrics.sheet
    day, bad_day = parse_dates(data["date"], order)
    ctx.problems.add_mask(
        file,
        sheet,
        rows,
        bad_day,
        metrics.headers["date"],
        "impossible or unreadable date",
        data["date"],
    )
    out = pd.DataFrame({"page_id": ctx.options.page_id, "date": day.dt.normalize()})
    for column, f in DAILY_COUNTS.items():
        if f in data:
            values, bad = parse_counts(data[f], num_lang)
            ctx.problems.add_mask(
                file,
                sheet,
                rows,
                bad,
                metrics.headers[f],
                "bad number: must be a whole number >= 0",
                data[f],
            )
            out[column] = values.to_numpy()
        else:
            out[column] = pd.Series(pd.NA, index=out.index, dtype="Int64")
    dup = out["date"].duplicated(keep=False) & out["date"].notna()
    ctx.problems.add_mask(
        file,
        sheet,
        rows,
        dup,
        metrics.headers["date"],
        "the same day is listed twice",
        data["date"],
    )
    return out[out["date"].notna()].reset_index(drop=True)


def _stored_followers_start(ctx: Context) -> pd.Timestamp | None:
    """First day of the page's follower counts stored by ``import linkedin-followers`` (None if none)."""
    stored = ctx.state.aux_typed("page_followers")
    stored = stored[stored["page_id"] == ctx.options.page_id]
    return None if stored.empty else stored["date"].min()


def _rate_check(
    problems: Problems,
    file: str,
    sheet: str | None,
    rows: np.ndarray,
    computed: pd.Series,
    reported: pd.Series,
    column: str,
    formula: str,
    shown: pd.Series,
) -> None:
    both = computed.notna() & reported.notna() & (computed > 0) & (reported > 0)
    ratio = (computed / reported).where(both)
    off = (ratio > RATE_FACTOR) | (ratio < 1 / RATE_FACTOR)
    zero_mismatch = (
        computed.notna()
        & reported.notna()
        & ((computed == 0) != (reported == 0))
        & ((computed - reported).abs() > 0.01)
    )
    problems.add_mask(
        file,
        sheet,
        rows,
        (off | zero_mismatch).fillna(False),
        column,
        f"does not match {formula}: a number was probably mis-parsed (e.g. 1.5 read as 15)",
        shown,
    )


def _audience(
    published: pd.Series,
    metrics: Table | None,
    num_lang: str,
    order: str | None,
    ctx: Context,
    file: str,
) -> tuple[pd.Series, str | None]:
    """Page followers on each post's day (missing when unknown), and where they come from (for the log).

    Order: ``--page-followers`` (a number, or a file of date, followers); a followers column of the
    Metrics sheet; the daily counts stored by ``import linkedin-followers``. Each post takes the
    latest count on or before its day.
    """
    out = pd.Series(pd.NA, index=published.index, dtype="Int64")
    given = _followers_table(ctx.options.page_followers, ctx.problems)
    if isinstance(given, int):
        return pd.Series(given, index=published.index, dtype="Int64").where(published.notna()), None
    note: str | None = None
    series = given if given is not None and not given.empty else None
    if series is None and metrics is not None and "followers" in metrics.data:
        dates, bad_d = parse_dates(metrics.data["date"], order)
        counts, bad_c = parse_counts(metrics.data["followers"], num_lang)
        ctx.problems.add_mask(
            file,
            metrics.sheet,
            metrics.rows,
            bad_d,
            metrics.headers["date"],
            "impossible or unreadable date",
            metrics.data["date"],
        )
        ctx.problems.add_mask(
            file,
            metrics.sheet,
            metrics.rows,
            bad_c,
            metrics.headers["followers"],
            "bad number: must be a whole number >= 0",
            metrics.data["followers"],
        )
        series = pd.DataFrame({"date": dates, "followers": counts}).dropna().sort_values("date")
    if series is None or series.empty:
        stored = ctx.state.aux_typed("page_followers")
        stored = stored[stored["page_id"] == ctx.options.page_id]
        if not stored.empty:
            series = stored[["date", "followers"]].dropna().sort_values("date")
            note = (
                f"audience_size from the page followers stored by import linkedin-followers "
                f"({series['date'].min():%Y-%m-%d}..{series['date'].max():%Y-%m-%d}; unfollows unknown: "
                "a lower bound)"
            )
    if series is None or series.empty:
        return out, None
    left = (
        pd.DataFrame({"day": published.dt.normalize(), "i": np.arange(len(published))})
        .dropna()
        .sort_values("day")
    )
    found = pd.merge_asof(
        left,
        series.rename(columns={"date": "day"}).astype({"day": "datetime64[ns]"}),
        on="day",
        direction="backward",
    )
    out.iloc[found["i"].to_numpy()] = found["followers"].astype("Int64").to_numpy()
    return out, note
