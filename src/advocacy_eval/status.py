"""What a data folder holds, what it lacks, and which claims it can test: ``advocacy-eval status DIR``.

:func:`folder_status` reads a programme folder (the committed sample, or a folder built by
``advocacy-eval import``) without changing it and lists:

- the **sources** present: roster, page content exports, page followers export, platform export,
  member creator exports (from the canonical tables, ``import_log.csv`` and ``linkedin/``);
- the **date coverage** of each source and its **gaps**: months without a page export (or without
  page posts, for a folder not built by imports), months without follower counts, volunteers
  without member exports, posts left unclassified;
- for each claim (the default claims, or a claims file), whether the data can **test** it, with
  which metric, and if not, **which file** would make it testable.

"Can test" means the data the claim's metric needs are there; whether the verdict is then
conclusive depends on the numbers (see the report). Nothing is computed twice: the checks are
counts over the tables.

>>> from advocacy_eval.paths import sample_data_dir
>>> from advocacy_eval.status import folder_status
>>> print(folder_status(sample_data_dir()).render())  # doctest: +ELLIPSIS
data folder ...sample: valid, Programme(3 waves, 2000 employees (700 enrolled), 12342 posts, activity=yes)
tables written directly (no import_log.csv): sources inferred from the tables
<BLANKLINE>
Sources
  [x] roster                 2000 employees, 700 volunteers in 3 wave(s) ...
...
Claims: 9 of 9 can be tested
  [can test] amplification >= 4: unique reach per audience (followers or connections when posted), both sides have it
...
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .claims import Claim, default_claims
from .errors import DataValidationError
from .io.imports.store import AUX_TABLES, LOG_FILE, typed_aux
from .io.load import read_raw
from .schema import CONTENT_TYPES, ENGAGEMENT_TERMS, TABLES, UNCLASSIFIED

EXPORT_TO_IMPORT = {
    "roster": "the HR roster (advocacy-eval import roster FILE): employees, waves, enrolment dates",
    "page": "the LinkedIn Page content export (Page admin > Analytics > Posts > Export; "
    "advocacy-eval import linkedin-page FILE)",
    "followers": "the LinkedIn Page followers export (Page admin > Analytics > Followers > Export; "
    "advocacy-eval import linkedin-followers FILE)",
    "platform": "the advocacy platform's posts export (advocacy-eval import platform FILE --mapping TOML)",
    "rules": "a classification rules file (--rules FILE on the platform or page import) or the platform's own "
    "category in the mapping",
    "member": "the volunteers' creator analytics exports (each volunteer: Me > Analytics > Export, up to 365 days; "
    "advocacy-eval import linkedin-member FILE --employee ID)",
    "profiles": "a roster with the LinkedIn profile creation dates ('Profile created on' / 'Profil créé le')",
}
"""What to download and import for each missing source (shown by ``status``)."""

RECLASSIFY = (
    "add or sharpen classification rules (--rules FILE): they apply to the posts of the next exports "
    "imported, which usually list these posts again; or set content_type in posts.csv by hand"
)
"""How to classify posts left unclassified (an export already imported is never read twice)."""


@dataclass
class Source:
    """One source of data and what the folder holds of it.

    Attributes
    ----------
    name : str
        Short name (``roster``, ``page content exports``...).
    present : bool
        Whether the folder holds it.
    detail : str
        Counts and dates.
    """

    name: str
    present: bool
    detail: str


@dataclass
class ClaimStatus:
    """Whether the data can test one claim.

    Attributes
    ----------
    claim : Claim
        The claim.
    testable : bool
        Whether the data its metric needs are there.
    how : str
        What it is measured with (when testable), or what is missing.
    needs : list of str
        The files that would make it testable (empty when testable).
    """

    claim: Claim
    testable: bool
    how: str
    needs: list[str] = field(default_factory=list)


@dataclass
class FolderStatus:
    """What :func:`folder_status` found.

    Attributes
    ----------
    folder : Path
        The data folder.
    valid : str
        ``"valid"``, or why not (``advocacy-eval validate`` lists the problems).
    built_by_imports : bool
        Whether the folder has an import log.
    sources : list of Source
    gaps : list of str
        Coverage gaps, one sentence each.
    claims : list of ClaimStatus
    notes : list of str
        Other things worth knowing (waves too small to report...).
    """

    folder: Path
    valid: str
    built_by_imports: bool
    sources: list[Source]
    gaps: list[str]
    claims: list[ClaimStatus]
    notes: list[str] = field(default_factory=list)

    @property
    def testable(self) -> list[ClaimStatus]:
        """Claims the data can test."""
        return [c for c in self.claims if c.testable]

    @property
    def untestable(self) -> list[ClaimStatus]:
        """Claims the data cannot test."""
        return [c for c in self.claims if not c.testable]

    def render(self) -> str:
        """The status as text (what ``advocacy-eval status`` prints)."""
        lines = [
            f"data folder {self.folder}: {self.valid}",
            "built by advocacy-eval import (import_log.csv)"
            if self.built_by_imports
            else "tables written directly (no import_log.csv): sources inferred from the tables",
            "",
            "Sources",
        ]
        width = max(len(s.name) for s in self.sources)
        for s in self.sources:
            lines.append(f"  [{'x' if s.present else ' '}] {s.name:<{width}}  {s.detail}")
        lines += ["", "Coverage and gaps"]
        lines += [f"  - {g}" for g in self.gaps] or ["  - none found"]
        lines += ["", f"Claims: {len(self.testable)} of {len(self.claims)} can be tested"]
        for c in self.claims:
            lines.append(
                f"  [{'can test' if c.testable else 'cannot test'}] {c.claim.key}: {c.how}"
            )
            lines += [f"      needs {n}" for n in c.needs]
        if self.notes:
            lines += ["", "Notes"] + [f"  - {n}" for n in self.notes]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render()


def _table(folder: Path, name: str) -> pd.DataFrame | None:
    """A canonical table as text (CSV or Parquet), None when absent or unreadable."""
    for suffix in (".csv", ".parquet"):
        path = folder / f"{name}{suffix}"
        if path.exists():
            try:
                return read_raw(path)
            except DataValidationError:
                return None
    return None


def _dates(frame: pd.DataFrame | None, column: str) -> pd.Series:
    if frame is None or column not in frame.columns:
        return pd.Series([], dtype="datetime64[ns]")
    return pd.to_datetime(frame[column], errors="coerce", format="mixed")


def _numbers(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series(np.nan, index=frame.index)
    return pd.to_numeric(frame[column], errors="coerce")


def _span(values: pd.Series) -> str:
    values = values.dropna()
    return "no dates" if values.empty else f"{values.min():%Y-%m-%d}..{values.max():%Y-%m-%d}"


def _months(values: pd.Series) -> set[pd.Timestamp]:
    return set(values.dropna().dt.to_period("M").dt.to_timestamp())


def _month_list(months: Iterable[pd.Timestamp], limit: int = 12) -> str:
    shown = [f"{m:%Y-%m}" for m in sorted(months)]
    return ", ".join(shown[:limit]) + (
        f" and {len(shown) - limit} more" if len(shown) > limit else ""
    )


def _period_days(log: pd.DataFrame, kind: str) -> set[pd.Timestamp]:
    """Months covered by the periods of the files of one import kind (from the log)."""
    if log is None or "period_start" not in log.columns:
        return set()
    rows = log[log["kind"] == kind]
    starts = pd.to_datetime(rows["period_start"], errors="coerce")
    ends = pd.to_datetime(rows["period_end"], errors="coerce")
    months: set[pd.Timestamp] = set()
    for s, e in zip(starts, ends, strict=True):  # one pass per imported file
        if pd.notna(s) and pd.notna(e):
            months |= set(
                pd.date_range(
                    s.to_period("M").to_timestamp(), e.to_period("M").to_timestamp(), freq="MS"
                )
            )
    return months


def folder_status(
    folder: str | os.PathLike,
    claims: Sequence[Claim] | None = None,
    min_group_size: int = 5,
    as_of: dt.date | str | None = None,
) -> FolderStatus:
    """Sources, coverage, gaps and testable claims of a data folder (nothing is written).

    Parameters
    ----------
    folder : path
        The data folder.
    claims : sequence of Claim, optional
        Claims to check (default: :func:`~advocacy_eval.claims.default_claims`).
    min_group_size : int
        Smallest wave reported (smaller waves are named in the notes).
    as_of : date-like, optional
        Passed to the validation (dates after it are in the future).

    Returns
    -------
    FolderStatus

    Raises
    ------
    FileNotFoundError
        When the folder does not exist.
    """
    folder = Path(folder).expanduser().resolve()
    if not folder.is_dir():
        raise FileNotFoundError(f"data folder not found: {folder}")
    claims = list(claims) if claims is not None else default_claims()
    tables = {t: _table(folder, t) for t in TABLES}
    log = read_raw(folder / LOG_FILE) if (folder / LOG_FILE).exists() else None
    aux = {
        name: typed_aux(read_raw(folder / spec.rel), name)
        if (folder / spec.rel).exists()
        else typed_aux(None, name)
        for name, spec in AUX_TABLES.items()
    }
    valid = _validity(folder, tables, as_of)
    waves, employees, posts, activity = (
        tables[t] for t in ("waves", "employees", "posts", "activity")
    )
    imported = log is not None
    files = (log["kind"].value_counts() if log is not None else pd.Series(dtype="int64")).to_dict()

    def n_files(kind: str) -> str:
        return f"{files.get(kind, 0)} file(s); " if imported else ""

    # -- roster
    enrolled = _dates(employees, "enrolled_on")
    volunteers = employees.loc[enrolled.notna().to_numpy()] if employees is not None else None
    n_volunteers = 0 if volunteers is None else len(volunteers)
    sources = []
    if employees is not None:
        wave_text = ""
        if waves is not None and len(waves):
            starts, ends = _dates(waves, "start_date"), _dates(waves, "end_date")
            wave_text = (
                " ("
                + ", ".join(
                    f"{w} {s:%Y-%m-%d}..{e:%Y-%m-%d}" if pd.notna(s) and pd.notna(e) else str(w)
                    for w, s, e in zip(waves["wave_id"], starts, ends, strict=True)
                )
                + ")"
            )
        created = int(_dates(employees, "profile_created_on").notna().sum())
        trained = int(_dates(employees, "trained_on").notna().sum())
        sources.append(
            Source(
                "roster",
                True,
                f"{n_files('roster')}{len(employees)} employees, {n_volunteers} "
                f"volunteers in {0 if waves is None else len(waves)} wave(s){wave_text}; profile "
                f"creation dates for {created}, programme sessions for {trained}",
            )
        )
    else:
        sources.append(
            Source("roster", False, "no employees.csv / waves.csv: " + EXPORT_TO_IMPORT["roster"])
        )
    # -- posts
    if posts is not None:
        is_page = (posts["author_type"] == "company").to_numpy()
        page, vol = posts.loc[is_page], posts.loc[~is_page]
    else:
        page = vol = pd.DataFrame(
            columns=[
                "post_id",
                "published_at",
                "members_reached",
                "audience_size",
                "impressions",
                "content_type",
            ]
        )
    page_days = aux["page_daily"]["date"]
    page_published = _dates(page, "published_at")
    if len(page) or len(page_days):
        reach = int(_numbers(page, "members_reached").notna().sum())
        covered = _span(page_days) if len(page_days) else _span(page_published)
        sources.append(
            Source(
                "page content exports",
                True,
                f"{n_files('linkedin-page')}covers {covered}; {len(page)} page posts "
                f"{_span(page_published)}; unique reach for {reach} of {len(page)}",
            )
        )
    else:
        sources.append(
            Source("page content exports", False, "no page posts: " + EXPORT_TO_IMPORT["page"])
        )
    followers = aux["page_followers"]
    if len(followers):
        sources.append(
            Source(
                "page followers export",
                True,
                f"{n_files('linkedin-followers')}daily follower counts {_span(followers['date'])}",
            )
        )
    elif len(page) and _numbers(page, "audience_size").notna().all():
        sources.append(
            Source(
                "page followers export",
                not imported,
                "page posts carry their audience (followers when posted)"
                if not imported
                else "no follower series stored (audience given with --page-followers): "
                + EXPORT_TO_IMPORT["followers"],
            )
        )
    else:
        sources.append(Source("page followers export", False, EXPORT_TO_IMPORT["followers"]))
    vol_published = _dates(vol, "published_at")
    n_unclassified = int((vol["content_type"] == UNCLASSIFIED).sum()) if len(vol) else 0
    n_classified = int(vol["content_type"].isin(CONTENT_TYPES).sum()) if len(vol) else 0
    if len(vol):
        reach = int(_numbers(vol, "members_reached").notna().sum())
        sources.append(
            Source(
                "platform export",
                True,
                f"{n_files('platform')}{len(vol)} volunteers' posts by {vol['author_id'].nunique()} "
                f"authors, {_span(vol_published)}; unique reach for {reach} of {len(vol)}; "
                f"{n_classified} classified, {n_unclassified} unclassified",
            )
        )
    else:
        sources.append(
            Source(
                "platform export", False, "no volunteers' posts: " + EXPORT_TO_IMPORT["platform"]
            )
        )
    periods = aux["member_periods"]
    act_months = _dates(activity, "month")
    if activity is not None and len(activity):
        detail = (
            f"{n_files('linkedin-member')}{len(periods)} export period(s) for "
            f"{periods['employee_id'].nunique()} employee(s); "
            if len(periods)
            else ""
        )
        capped = int(periods["top_posts_capped"].fillna(False).sum()) if len(periods) else 0
        sources.append(
            Source(
                "member exports",
                True,
                detail + f"activity: {len(activity)} employee-months for "
                f"{activity['employee_id'].nunique()} employee(s), {_span(act_months)}"
                + (f"; {capped} export(s) hit the 50-post TOP POSTS cap" if capped else ""),
            )
        )
    else:
        sources.append(
            Source("member exports", False, "no activity table: " + EXPORT_TO_IMPORT["member"])
        )

    # -- coverage and gaps
    gaps: list[str] = []
    data_dates = (
        pd.concat([s for s in (page_published, vol_published, act_months) if len(s)])
        if any(len(s) for s in (page_published, vol_published, act_months))
        else pd.Series([], dtype="datetime64[ns]")
    )
    first_wave = _dates(waves, "start_date").min() if waves is not None else pd.NaT
    start = (
        min(d for d in (data_dates.min(), first_wave) if pd.notna(d))
        if (pd.notna(first_wave) or data_dates.notna().any())
        else pd.NaT
    )
    end = data_dates.max()
    span = (
        set(
            pd.date_range(
                start.to_period("M").to_timestamp(), end.to_period("M").to_timestamp(), freq="MS"
            )
        )
        if pd.notna(start) and pd.notna(end)
        else set()
    )
    if span:
        if imported:
            page_cover = (
                _months(page_days) | _period_days(log, "linkedin-page") | _months(page_published)
            )
            missing = span - page_cover
            if missing:
                gaps.append(
                    f"months without a page export: {_month_list(missing)} "
                    f"(the data span {min(span):%Y-%m}..{max(span):%Y-%m})"
                )
        else:
            missing = span - _months(page_published)
            if missing:
                gaps.append(f"months without page posts: {_month_list(missing)}")
        if len(followers):
            no_followers = _months(page_published) - _months(followers["date"])
            if no_followers:
                gaps.append(
                    f"months with page posts but no follower counts: {_month_list(no_followers)}"
                )
    if volunteers is not None and n_volunteers:
        with_activity = set(activity["employee_id"]) if activity is not None else set()
        without = sorted(set(volunteers["employee_id"]) - with_activity)
        if without:
            gaps.append(
                f"volunteers without member exports: {len(without)} of {n_volunteers}"
                + (
                    f" ({', '.join(without[:5])}{', ...' if len(without) > 5 else ''})"
                    if imported
                    else ""
                )
            )
        if activity is not None and len(activity):
            before = _volunteers_with_months_before(volunteers, activity)
            if before < n_volunteers:
                gaps.append(
                    f"volunteers with member data for the month before their enrolment: {before} of "
                    f"{n_volunteers} (the onboarding effect compares each volunteer with that month)"
                )
    if n_unclassified:
        gaps.append(
            f"{n_unclassified} volunteers' post(s) unclassified (kept, left out of the content mix): "
            + RECLASSIFY
        )
    page_unclassified = int((page["content_type"] == UNCLASSIFIED).sum()) if len(page) else 0
    if page_unclassified:
        gaps.append(f"{page_unclassified} page post(s) unclassified: " + RECLASSIFY)

    facts = _Facts(
        employees=employees,
        volunteers=volunteers,
        page=page,
        vol=vol,
        activity=activity,
        n_classified=n_classified,
        n_unclassified=n_unclassified,
        imported=imported,
        followers_stored=len(followers) > 0,
    )
    statuses = [_claim_status(c, facts) for c in claims]
    notes = []
    if volunteers is not None and "wave_id" in volunteers.columns:
        sizes = volunteers["wave_id"].value_counts()
        small = [f"{w} ({n})" for w, n in sizes.items() if n < min_group_size]
        if small:
            notes.append(
                f"waves with fewer than {min_group_size} volunteers are left out of every report: "
                + ", ".join(small)
            )
    if len(page) and _numbers(page, "members_reached").isna().all() and len(vol):
        notes.append(
            "the page's posts have no unique reach (LinkedIn's Page export has none): reach comparisons "
            "use impressions per audience, a metric both sides have"
        )
    return FolderStatus(folder, valid, imported, sources, gaps, statuses, notes)


def _validity(
    folder: Path, tables: dict[str, pd.DataFrame | None], as_of: dt.date | str | None
) -> str:
    from .io import load_programme

    missing = [t for t in ("waves", "employees", "posts") if tables[t] is None]
    if missing:
        return (
            "incomplete: no "
            + ", ".join(f"{t}.csv" for t in missing)
            + " (reports need waves, employees, posts)"
        )
    try:
        programme = load_programme(folder, as_of=as_of)
    except DataValidationError as exc:
        return f"not valid: {len(exc.failures)} problem(s) (advocacy-eval validate {folder} lists them)"
    return f"valid, {programme!r}"


def _volunteers_with_months_before(volunteers: pd.DataFrame, activity: pd.DataFrame) -> int:
    """Volunteers with an activity row for the month before their enrolment month."""
    enrolled = (
        pd.to_datetime(volunteers["enrolled_on"], errors="coerce")
        .dt.to_period("M")
        .dt.to_timestamp()
    )
    before = pd.DataFrame(
        {
            "employee_id": volunteers["employee_id"].to_numpy(),
            "month": (enrolled - pd.offsets.MonthBegin(1)).to_numpy(),
        }
    )
    months = pd.DataFrame(
        {
            "employee_id": activity["employee_id"].to_numpy(),
            "month": pd.to_datetime(activity["month"], errors="coerce").to_numpy(),
        }
    )
    return int(before.merge(months, on=["employee_id", "month"]).drop_duplicates().shape[0])


def _control_months(employees: pd.DataFrame | None, activity: pd.DataFrame) -> int:
    """Colleagues with activity while not (yet) enrolled, after a volunteer with activity enrolled: the controls.

    Counts employees, not rows: an employee never enrolled, or of a later wave, with an activity row for
    a month when some volunteer with activity was already enrolled and they were not.
    """
    if employees is None:
        return 0
    enrolled = pd.Series(
        pd.to_datetime(employees["enrolled_on"], errors="coerce")
        .dt.to_period("M")
        .dt.to_timestamp()
        .to_numpy(),
        index=employees["employee_id"].to_numpy(),
    )
    when = activity["employee_id"].map(enrolled)
    month = pd.to_datetime(activity["month"], errors="coerce")
    first_treated = when.min()
    if pd.isna(first_treated):
        return 0
    control = (when.isna() | (month < when)) & (month >= first_treated)
    return int(activity.loc[control.to_numpy(), "employee_id"].nunique())


@dataclass
class _Facts:
    employees: pd.DataFrame | None
    volunteers: pd.DataFrame | None
    page: pd.DataFrame
    vol: pd.DataFrame
    activity: pd.DataFrame | None
    n_classified: int
    n_unclassified: int
    imported: bool
    followers_stored: bool


def _has(frame: pd.DataFrame, column: str) -> bool:
    return (
        len(frame) > 0
        and column in frame.columns
        and bool(pd.to_numeric(frame[column], errors="coerce").notna().any())
    )


def _posts_needs(f: _Facts) -> list[str]:
    needs = []
    if f.employees is None:
        needs.append(EXPORT_TO_IMPORT["roster"])
    if not len(f.page):
        needs.append(EXPORT_TO_IMPORT["page"])
        if f.imported and not f.followers_stored:
            needs.append(EXPORT_TO_IMPORT["followers"])
    if not len(f.vol):
        needs.append(EXPORT_TO_IMPORT["platform"])
    return needs


def _claim_status(claim: Claim, f: _Facts) -> ClaimStatus:
    """Whether the facts let ``claim``'s metric be measured, and with what."""
    metric = claim.metric
    if metric in ("amplification", "reach_per_post_ratio"):
        needs = _posts_needs(f)
        if needs:
            return ClaimStatus(claim, False, "needs the page's and the volunteers' posts", needs)
        both = _has(f.page, "members_reached") and _has(f.vol, "members_reached")
        side = [
            n
            for n, frame in (("the page's", f.page), ("the volunteers'", f.vol))
            if not _has(frame, "members_reached")
        ]
        unit = (
            "per audience (followers or connections when posted)"
            if metric == "amplification"
            else "per post"
        )
        how = (
            f"unique reach {unit}, both sides have it"
            if both
            else f"impressions {unit}: {' and '.join(side)} posts have no unique reach"
        )
        return ClaimStatus(claim, True, how)
    if metric in ("engagement_per_post_ratio", "engagement_rate_ratio"):
        needs = _posts_needs(f)
        if needs:
            return ClaimStatus(claim, False, "needs the page's and the volunteers' posts", needs)
        terms = [t for t in ENGAGEMENT_TERMS[:4] if _has(f.page, t) and _has(f.vol, t)]
        if not terms:
            return ClaimStatus(
                claim,
                False,
                "no engagement count (reactions, comments, reposts, clicks) on both sides",
                [EXPORT_TO_IMPORT["platform"] + " with reactions, comments, reposts or clicks"],
            )
        return ClaimStatus(
            claim,
            True,
            "engagements ("
            + " + ".join(terms)
            + ")"
            + (" per post" if metric == "engagement_per_post_ratio" else " per impression"),
        )
    if metric == "corporate_share":
        if not len(f.vol):
            return ClaimStatus(
                claim, False, "needs the volunteers' posts", [EXPORT_TO_IMPORT["platform"]]
            )
        if not f.n_classified:
            return ClaimStatus(
                claim,
                False,
                f"all {f.n_unclassified} volunteers' posts are unclassified",
                [EXPORT_TO_IMPORT["rules"]],
            )
        extra = f"; {f.n_unclassified} unclassified left out" if f.n_unclassified else ""
        return ClaimStatus(
            claim,
            True,
            f"share of corporate posts among {f.n_classified} classified volunteers' posts{extra}",
        )
    if metric == "monthly_participation":
        needs = [
            EXPORT_TO_IMPORT[k]
            for k, ok in (
                ("roster", f.volunteers is not None and len(f.volunteers)),
                ("platform", len(f.vol)),
            )
            if not ok
        ]
        if needs:
            return ClaimStatus(claim, False, "needs the volunteers and their posts", needs)
        return ClaimStatus(claim, True, "volunteer-months with at least one post (platform export)")
    if metric == "staff_reached_share":
        if f.employees is None or f.volunteers is None:
            return ClaimStatus(
                claim, False, "needs the roster of all eligible staff", [EXPORT_TO_IMPORT["roster"]]
            )
        routes = ["enrolment"]
        if _dates(f.employees, "trained_on").notna().any():
            routes.append("programme sessions")
        if _dates(f.employees, "profile_created_on").notna().any():
            routes.append("profiles created")
        return ClaimStatus(
            claim, True, "share of staff touched by " + ", ".join(routes) + " (roster)"
        )
    if metric == "profiles_attributable":
        if f.employees is None or f.volunteers is None or not len(f.volunteers):
            return ClaimStatus(
                claim,
                False,
                "needs the roster with profile creation dates",
                [EXPORT_TO_IMPORT["roster"], EXPORT_TO_IMPORT["profiles"]],
            )
        if not _dates(f.employees, "profile_created_on").notna().any():
            return ClaimStatus(
                claim,
                False,
                "no profile creation date in the roster",
                [EXPORT_TO_IMPORT["profiles"]],
            )
        controls = int(_dates(f.employees, "enrolled_on").isna().sum())
        waves = f.volunteers["wave_id"].nunique() if "wave_id" in f.volunteers.columns else 0
        if not controls and waves < 2:
            return ClaimStatus(
                claim,
                False,
                "no not-yet-enrolled colleagues to compare with",
                ["a roster listing employees not (yet) enrolled, or a later wave"],
            )
        how = "profile creation after enrolment vs not-yet-enrolled colleagues (roster)"
        if f.activity is not None and len(f.activity):
            covered = f.activity["employee_id"].nunique()
            if covered < len(f.employees):
                how += (
                    f"; the monthly panel comes from the activity table, which covers {covered} of "
                    f"{len(f.employees)} employees (those with member exports)"
                )
        return ClaimStatus(claim, True, how)
    if metric == "effect_posts":
        if f.activity is None or not len(f.activity):
            return ClaimStatus(
                claim,
                False,
                "no monthly activity (employee x month)",
                [
                    EXPORT_TO_IMPORT["member"]
                    + ", for volunteers and not-yet-enrolled colleagues, covering months "
                    "before and after enrolment"
                ],
            )
        if f.volunteers is None or not len(f.volunteers):
            return ClaimStatus(
                claim, False, "needs the volunteers' enrolment dates", [EXPORT_TO_IMPORT["roster"]]
            )
        before = _volunteers_with_months_before(f.volunteers, f.activity)
        if not before:
            return ClaimStatus(
                claim,
                False,
                "no volunteer has activity for the month before enrolment",
                [
                    EXPORT_TO_IMPORT["member"]
                    + ", covering the months before enrolment (exports reach 365 days back)"
                ],
            )
        controls = _control_months(f.employees, f.activity)
        if not controls:
            return ClaimStatus(
                claim,
                False,
                f"{before} volunteer(s) have the month before enrolment, but no "
                "colleague has activity while not (yet) enrolled: nothing to compare with",
                [EXPORT_TO_IMPORT["member"] + ", of colleagues of a later wave or never enrolled"],
            )
        return ClaimStatus(
            claim,
            True,
            f"posts per month before and after enrolment ({before} volunteer(s) with the "
            f"month before; {controls} not-yet-enrolled colleague(s) as controls)",
        )
    return ClaimStatus(claim, False, f"unknown metric {metric}")


__all__ = ["ClaimStatus", "FolderStatus", "Source", "folder_status"]
