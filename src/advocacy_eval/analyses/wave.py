"""Everything a wave report shows, computed by tested library functions.

:func:`wave_summary` takes a validated programme and a wave id and returns a
:class:`WaveSummary`: numeric result tables (estimates with 95% intervals),
formatted COMEX tables in the report language (privacy rules applied) and the
verdict sentences. The notebook only displays what it holds.

The wave's *cohort* is its volunteers; its *window* runs from the wave's start
date to the end of the data. The company page is compared over the same
window.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import __version__, metrics
from ..errors import ReportError
from ..reports.i18n import check_lang, fmt_date, fmt_int, fmt_interval, fmt_num, fmt_pct, fmt_ratio, t
from ..privacy import check_min_group_size, suppress_small_groups
from ..schema import Programme
from ..reports.scorecard import Claim, claim_verdict, default_claims, scorecard
from ..stats.proportions import compare_proportions, content_mix, wilson_interval
from ..stats.rates import compare_engagement, compare_rates
from ..stats.rates import test_rate_ratio_claim as rate_ratio_claim


VCE = "cr3"
"""Cluster-robust variance used in reports: the delete-one-cluster jackknife (CR3),
better calibrated than CR1 when a few large, prolific authors dominate the sums
(docs/methods.md, calibration)."""


@dataclass
class WaveSummary:
    """Numbers and COMEX tables of one wave report.

    Attributes
    ----------
    wave_id, wave_name : str
        The wave.
    lang : str
        Report language.
    min_group_size : int
        k used for every breakdown.
    numbers : pandas.DataFrame
        One row per headline figure: key, estimate, ci_low, ci_high, n, method.
    reach, claim, engagement, mix, participation_monthly, wave_comparison,
    profiles : pandas.DataFrame
        Result tables of the statistical functions.
    tables : dict of pandas.DataFrame
        Formatted tables for display (strings, report language, suppressed cells marked).
    sentences : list of str
        Plain-language findings, driven by the intervals.
    subtitle : str
        One line describing the cohort and window.
    """

    wave_id: str
    wave_name: str
    lang: str
    min_group_size: int
    claimed_ratio: float
    target_share: float
    share_tolerance: float
    numbers: pd.DataFrame
    reach: pd.DataFrame
    claim: pd.DataFrame
    engagement: pd.DataFrame
    mix: pd.DataFrame
    participation_monthly: pd.DataFrame
    wave_comparison: pd.DataFrame
    profiles: pd.DataFrame
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    sentences: list[str] = field(default_factory=list)
    subtitle: str = ""
    title: str = ""
    profile_sentence: str = ""
    scorecard: pd.DataFrame | None = None

    @property
    def reach_for_plot(self) -> pd.DataFrame:
        """Reach rate by author type with its interval (company first)."""
        frame = self.reach[["level", "estimate", "ci_low", "ci_high"]].rename(columns={"level": "author_type"})
        return frame.sort_values("author_type").reset_index(drop=True)

    @property
    def ratio_for_plot(self) -> dict:
        """Amplification ratio and its interval."""
        row = self.claim.iloc[0]
        return {"estimate": row["estimate"], "ci_low": row["ci_low"], "ci_high": row["ci_high"]}

    @property
    def mix_for_plot(self) -> pd.DataFrame:
        """Corporate share with its interval, one row per method."""
        return self.mix.assign(label=[t(f"mix_label_{v}", self.lang) for v in self.mix["variant"]])[
            ["label", "estimate", "ci_low", "ci_high"]]

    def number(self, key: str) -> pd.Series:
        """Row of :attr:`numbers` for one headline figure."""
        return self.numbers.set_index("key").loc[key]


def cohort(programme: Programme, wave: str) -> pd.DataFrame:
    """Volunteers of one wave.

    Parameters
    ----------
    programme : Programme
        Validated programme.
    wave : str
        Wave id.
    """
    if wave not in programme.wave_ids:
        raise KeyError(f"unknown wave {wave!r}; known waves: {', '.join(programme.wave_ids)}")
    return programme.employees.loc[programme.employees["wave_id"] == wave]


def window_posts(programme: Programme, wave: str) -> pd.DataFrame:
    """Posts of the wave's volunteers and of the company page since the wave started.

    Parameters
    ----------
    programme : Programme
        Validated programme.
    wave : str
        Wave id.
    """
    start = programme.waves.set_index("wave_id").loc[wave, "start_date"]
    members = set(cohort(programme, wave)["employee_id"])
    posts = programme.posts
    keep = (posts["published_at"] >= start) & (
        (posts["author_type"] == "company") | posts["author_id"].isin(members))
    return posts.loc[keep].reset_index(drop=True)


def posted_within(employees: pd.DataFrame, posts: pd.DataFrame, months: int,
                  data_end: pd.Timestamp) -> pd.DataFrame:
    """Whether each enrolled employee posted within ``months`` months of enrolling.

    Employees enrolled less than ``months`` months before the end of the data
    are left out (their window is not complete).

    Parameters
    ----------
    employees, posts : pandas.DataFrame
        Canonical tables.
    months : int
        Length of the window after enrolment.
    data_end : pandas.Timestamp
        Last day covered by the data.

    Returns
    -------
    pandas.DataFrame
        One row per enrolled employee with a complete window: employee_id,
        wave_id, department, posted (0/1).
    """
    enrolled = employees.loc[employees["enrolled_on"].notna()].copy()
    enrolled["window_end"] = enrolled["enrolled_on"] + pd.DateOffset(months=months)
    enrolled = enrolled.loc[enrolled["window_end"] <= pd.Timestamp(data_end) + pd.Timedelta(days=1)]
    emp_posts = posts.loc[posts["author_type"] == "employee", ["author_id", "published_at"]]
    merged = emp_posts.merge(enrolled[["employee_id", "enrolled_on", "window_end"]],
                             left_on="author_id", right_on="employee_id")
    inside = merged.loc[(merged["published_at"] >= merged["enrolled_on"])
                        & (merged["published_at"] < merged["window_end"]), "employee_id"].unique()
    enrolled["posted"] = enrolled["employee_id"].isin(inside).astype("int64")
    return enrolled[["employee_id", "wave_id", "department", "posted"]].reset_index(drop=True)


def _row(key: str, estimate: float, low: float, high: float, n: float, method: str) -> dict:
    return {"key": key, "estimate": float(estimate), "ci_low": float(low), "ci_high": float(high),
            "n": n, "method": method}


def wave_summary(
    programme: Programme,
    wave: str,
    claimed_ratio: float = 4.0,
    target_share: float = 0.20,
    min_group_size: int = 5,
    lang: str = "en",
    months_window: int = 3,
    claimed_participation: float = 0.5,
    share_tolerance: float = 0.05,
    with_previous: bool = True,
    onboarding=None,
) -> WaveSummary:
    """Compute every figure of a wave report.

    Parameters
    ----------
    programme : Programme
        Validated programme (see :func:`advocacy_eval.io.load_programme`).
    wave : str
        Wave id.
    claimed_ratio : float
        Claimed amplification ("employees reach at least 4x the page").
    target_share : float
        Target share of corporate content.
    min_group_size : int
        Minimum group size k for breakdowns (>= 3).
    lang : str
        ``"en"`` or ``"fr"``.
    months_window : int
        Months after enrolment used to compare waves' activation.
    claimed_participation : float
        Claimed share of volunteers posting in a given month.
    share_tolerance : float
        Accepted distance from the target corporate share in the scorecard.
    with_previous : bool
        Whether to compute the previous wave's figures for the scorecard's
        change column.
    onboarding : OnboardingEffect, optional
        The programme's onboarding effect on monthly posts, already fitted
        (it is fitted once and shared with the previous wave's figures).

    Returns
    -------
    WaveSummary

    Raises
    ------
    ReportError
        If the wave has fewer than k volunteers (it cannot be reported
        without exposing individuals).
    """
    lang = check_lang(lang)
    k = check_min_group_size(min_group_size)
    waves = programme.waves.set_index("wave_id")
    members = cohort(programme, wave)
    if len(members) < k:
        raise ReportError(f"wave {wave} has fewer than {k} volunteers: it cannot be reported "
                          "without exposing individuals")
    data_end = programme.posts["published_at"].max().normalize()
    posts = window_posts(programme, wave)
    emp_posts = posts.loc[posts["author_type"] == "employee"]
    numbers: list[dict] = []

    # participation
    months = metrics.month_range(waves.loc[wave, "start_date"], data_end)
    monthly = metrics.participation_rate(members, emp_posts, months=months)
    lo, hi = wilson_interval(monthly["n_active"].to_numpy(), monthly["n_enrolled"].to_numpy())
    monthly = monthly.assign(estimate=monthly["participation_rate"], ci_low=lo, ci_high=hi)
    small_month = monthly["n_enrolled"] < k  # late months thinned by attrition: not shown
    monthly.loc[small_month, ["n_active", "participation_rate", "estimate", "ci_low", "ci_high"]] = np.nan
    ever = members["employee_id"].isin(emp_posts["author_id"])
    n_members, n_ever = len(members), int(ever.sum())
    lo, hi = wilson_interval(np.array([n_ever]), np.array([n_members]))
    numbers.append(_row("active_share", n_ever / n_members, lo[0], hi[0], n_members,
                        "Wilson score interval"))
    person_months = metrics.enrolled_months(members, months)
    active = metrics.add_month(emp_posts)[["author_id", "month"]].drop_duplicates()
    person_months = person_months.merge(active.rename(columns={"author_id": "employee_id"}).assign(active=1),
                                        on=["employee_id", "month"], how="left")
    person_months = person_months.assign(active=person_months["active"].fillna(0).astype("int64"), one=1,
                                         group="all")
    pm = compare_rates(person_months, numerator="active", exposure="one", by="group",
                       cluster="employee_id", post_id=None, min_clusters=1, vce=VCE)
    numbers.append(_row("monthly_participation", pm["estimate"].iloc[0], pm["ci_low"].iloc[0],
                        pm["ci_high"].iloc[0], len(person_months), pm["method"].iloc[0]))

    # reach and amplification
    reach = compare_rates(posts, by="author_type", reference="company", vce=VCE)
    r = reach.set_index("level")
    claim = rate_ratio_claim(reach, claimed_ratio=claimed_ratio, level="employee", quantity="reach rate")
    for key, level in (("employee_reach_rate", "employee"), ("page_reach_rate", "company")):
        numbers.append(_row(key, r.loc[level, "estimate"], r.loc[level, "ci_low"], r.loc[level, "ci_high"],
                            r.loc[level, "n_posts"], r.loc[level, "method"]))
    numbers.append(_row("amplification_ratio", r.loc["employee", "rate_ratio"],
                        r.loc["employee", "rate_ratio_ci_low"], r.loc["employee", "rate_ratio_ci_high"],
                        r.loc["employee", "n_posts"], r.loc["employee", "method"]))
    engagement = compare_engagement(posts, by="author_type", reference="company", vce=VCE)
    e = engagement.set_index("level")
    numbers.append(_row("employee_engagement_rate", e.loc["employee", "estimate"], e.loc["employee", "ci_low"],
                        e.loc["employee", "ci_high"], e.loc["employee", "n_posts"], e.loc["employee", "method"]))

    # content mix
    mix = content_mix(emp_posts, target=target_share)
    mix_cluster = mix.loc[mix["variant"] == "cluster"].iloc[0]
    numbers.append(_row("corporate_share", mix_cluster["estimate"], mix_cluster["ci_low"],
                        mix_cluster["ci_high"], mix_cluster["n"], mix_cluster["method"]))

    # profiles
    profiles = metrics.profiles_created(members, by="wave_id")
    n_without = int(profiles["n_without_profile"].iloc[0])
    n_created = int(profiles["n_created"].iloc[0])
    lo, hi = wilson_interval(np.array([n_created]), np.array([max(n_without, 1)]))
    background = metrics.background_profile_creation(programme.employees, waves.loc[wave, "start_date"], data_end)
    profiles = profiles.assign(ci_low=lo[0] if n_without else np.nan, ci_high=hi[0] if n_without else np.nan,
                               background_rate=background["creation_rate"].iloc[0],
                               background_n=background["n_without_profile"].iloc[0])
    numbers.append(_row("profiles_created", n_created, np.nan, np.nan, n_without, "count"))
    numbers.append(_row("profile_creation_rate", n_created / n_without if n_without else np.nan,
                        lo[0] if n_without else np.nan, hi[0] if n_without else np.nan, n_without,
                        "Wilson score interval"))

    # the wave's own onboarding effect (staggered difference-in-differences, needs the activity table)
    effect = None
    if programme.activity is not None:
        from ..effects import onboarding_effect
        from ..panel import build_panel
        from .programme import wave_effect

        try:
            if onboarding is None:
                onboarding = onboarding_effect(build_panel(programme), "posts")
            effect = wave_effect(programme, wave, outcome="posts", effect=onboarding)
        except (ReportError, ValueError, KeyError):  # no complete panel for this wave: no effect shown
            effect = None
    if effect is not None and len(effect) and int(effect["n"].iloc[0]) >= k:
        e = effect.iloc[0]
        numbers.append(_row("onboarding_effect_posts", e["estimate"], e["ci_low"], e["ci_high"], e["n"], e["method"]))

    # waves compared (activation within the first months)
    order = programme.wave_ids
    earlier = order[: order.index(wave) + 1]
    activation = posted_within(programme.employees.loc[programme.employees["wave_id"].isin(earlier)],
                               programme.posts, months_window, data_end)
    per_wave = activation.groupby("wave_id", observed=True).agg(posted=("posted", "sum"), n=("posted", "size"))
    per_wave = per_wave.reindex([w for w in earlier if w in per_wave.index]).reset_index()
    if len(per_wave) >= 2 and (per_wave["n"] >= k).all():
        wave_comparison = compare_proportions(per_wave, success="posted", n="n", by="wave_id",
                                              reference=wave, adjust="holm")
    else:
        wave_comparison = pd.DataFrame()

    summary = WaveSummary(
        wave_id=wave, wave_name=str(waves.loc[wave, "name"]), lang=lang, min_group_size=k,
        claimed_ratio=float(claimed_ratio), target_share=float(target_share), share_tolerance=float(share_tolerance),
        numbers=pd.DataFrame(numbers), reach=reach, claim=claim, engagement=engagement, mix=mix,
        participation_monthly=monthly, wave_comparison=wave_comparison, profiles=profiles,
    )
    summary.title = t("title", lang, wave_name=summary.wave_name)
    summary.subtitle = t("subtitle", lang, wave=wave, start=fmt_date(waves.loc[wave, "start_date"], lang),
                         end=fmt_date(waves.loc[wave, "end_date"], lang), data_end=fmt_date(data_end, lang))
    _format(summary, programme, members, emp_posts)
    previous_wave = order[order.index(wave) - 1] if order.index(wave) > 0 else None
    previous = None
    if with_previous and previous_wave is not None:
        try:
            previous = wave_summary(programme, previous_wave, claimed_ratio, target_share, k, lang, months_window,
                                    claimed_participation, share_tolerance, with_previous=False,
                                    onboarding=onboarding).numbers
        except ReportError:  # the previous wave is too small to report on
            previous_wave = None
    claims = default_claims(claimed_ratio, target_share, share_tolerance, claimed_participation)
    summary.scorecard, summary.tables["scorecard"] = scorecard(summary.numbers, claims, previous,
                                                               previous_wave if previous is not None else None, lang)
    return summary


def _verdict_word(verdict: str, lang: str) -> str:
    return t(f"verdict_{verdict}", lang)


def _format(s: WaveSummary, programme: Programme, members: pd.DataFrame, emp_posts: pd.DataFrame) -> None:
    """Fill the formatted tables and sentences of a summary (report language)."""
    lang, k = s.lang, s.min_group_size
    n = s.numbers.set_index("key")
    claim = s.claim.iloc[0]
    r = s.reach.set_index("level")
    mix_claim = Claim("corporate_share", "target", s.target_share, s.share_tolerance)
    mix_verdict = claim_verdict(n.loc["corporate_share", "ci_low"], n.loc["corporate_share", "ci_high"], mix_claim)
    band = fmt_interval(s.target_share - s.share_tolerance, s.target_share + s.share_tolerance, fmt_pct, lang,
                        digits=0)
    pct = lambda key: fmt_pct(n.loc[key, "estimate"], lang)  # noqa: E731
    ci_pct = lambda key, d=1: fmt_interval(n.loc[key, "ci_low"], n.loc[key, "ci_high"], fmt_pct, lang, digits=d)  # noqa: E731
    posts_authors = t("basis_posts_authors", lang, posts=fmt_int(r.loc["employee", "n_posts"], lang),
                      authors=fmt_int(r.loc["employee", "n_clusters"], lang))
    rows = [
        (t("kpi_volunteers", lang), fmt_int(len(members), lang), "", t("basis_people", lang, n=fmt_int(len(members), lang)), ""),
        (t("kpi_active", lang), pct("active_share"), ci_pct("active_share"),
         t("basis_people", lang, n=fmt_int(n.loc["active_share", "n"], lang)), ""),
        (t("kpi_monthly_participation", lang), pct("monthly_participation"), ci_pct("monthly_participation"),
         t("basis_person_months", lang, n=fmt_int(n.loc["monthly_participation", "n"], lang)), ""),
        (t("kpi_employee_reach", lang), fmt_pct(n.loc["employee_reach_rate", "estimate"], lang, 2),
         ci_pct("employee_reach_rate", 2), posts_authors, ""),
        (t("kpi_page_reach", lang), fmt_pct(n.loc["page_reach_rate", "estimate"], lang, 2), ci_pct("page_reach_rate", 2),
         t("basis_posts", lang, posts=fmt_int(r.loc["company", "n_posts"], lang)), ""),
        (t("kpi_amplification", lang), fmt_ratio(n.loc["amplification_ratio", "estimate"], lang),
         fmt_interval(n.loc["amplification_ratio", "ci_low"], n.loc["amplification_ratio", "ci_high"], fmt_ratio, lang),
         posts_authors,
         t("reading_claim", lang, claim=fmt_ratio(s.claimed_ratio, lang), verdict=_verdict_word(claim["verdict"], lang))),
        (t("kpi_corporate_share", lang), pct("corporate_share"), ci_pct("corporate_share"), posts_authors,
         t("reading_target", lang, target=band, verdict=_verdict_word(mix_verdict, lang))),
        (t("kpi_engagement", lang), pct("employee_engagement_rate"), ci_pct("employee_engagement_rate"), posts_authors, ""),
    ]
    if "onboarding_effect_posts" in n.index:
        rows.append((t("kpi_wave_effect", lang), fmt_num(n.loc["onboarding_effect_posts", "estimate"], lang, 2),
                     fmt_interval(n.loc["onboarding_effect_posts", "ci_low"], n.loc["onboarding_effect_posts", "ci_high"],
                                  fmt_num, lang, digits=2),
                     t("basis_wave_effect", lang, n=fmt_int(n.loc["onboarding_effect_posts", "n"], lang)), ""))
    n_without = n.loc["profiles_created", "n"]
    if 0 < n_without < k:  # too few volunteers without a profile to show anything about them
        hidden = t("suppressed", lang, k=k)
        rows.append((t("kpi_profiles", lang), hidden, "", hidden, ""))
    else:
        rows.append((t("kpi_profiles", lang), fmt_int(n.loc["profiles_created", "estimate"], lang),
                     ci_pct("profile_creation_rate"), t("basis_without_profile", lang, n=fmt_int(n_without, lang)),
                     fmt_pct(n.loc["profile_creation_rate", "estimate"], lang)))
    s.tables["kpis"] = pd.DataFrame(rows, columns=[t("col_indicator", lang), t("col_value", lang), t("col_ci", lang),
                                                   t("col_basis", lang), t("col_reading", lang)])

    # sentences
    s.sentences = [
        t("sentence_participation", lang, active=fmt_int(n.loc["active_share", "estimate"] * len(members), lang),
          n=fmt_int(len(members), lang), share=pct("active_share"), monthly=pct("monthly_participation")),
        t("sentence_amplification", lang, ratio=fmt_ratio(claim["estimate"], lang),
          low=fmt_num(claim["ci_low"], lang), high=fmt_num(claim["ci_high"], lang),
          claim=fmt_ratio(s.claimed_ratio, lang), verdict_text=t(f"claim_text_{claim['verdict']}", lang)),
        t("sentence_mix", lang, share=pct("corporate_share"),
          low=fmt_pct(n.loc["corporate_share", "ci_low"], lang), high=fmt_pct(n.loc["corporate_share", "ci_high"], lang),
          target=fmt_pct(s.target_share, lang, 0),
          verdict_text=t(f"mix_text_{mix_verdict}", lang, band=band)),
    ]
    if n_without >= k:
        s.profile_sentence = t("sentence_profiles", lang, created=fmt_int(n.loc["profiles_created", "estimate"], lang),
                               without=fmt_int(n_without, lang), rate=pct("profile_creation_rate"),
                               bg_rate=fmt_pct(s.profiles["background_rate"].iloc[0], lang))
    elif n_without > 0:
        s.profile_sentence = t("sentence_profiles_small", lang, k=k)
    else:
        s.profile_sentence = t("sentence_profiles_none", lang)
    s.sentences.append(s.profile_sentence)
    s.sentences.append(t("caveat_causal", lang))
    if "onboarding_effect_posts" in n.index:
        s.sentences.append(t("sentence_wave_effect", lang,
                             effect=fmt_num(n.loc["onboarding_effect_posts", "estimate"], lang, 2),
                             low=fmt_num(n.loc["onboarding_effect_posts", "ci_low"], lang, 2),
                             high=fmt_num(n.loc["onboarding_effect_posts", "ci_high"], lang, 2)))

    # participation by department (k-suppressed, total shown)
    ever = members.assign(active=members["employee_id"].isin(emp_posts["author_id"]).astype("int64"))
    dept = ever.groupby("department", observed=True).agg(n=("active", "size"), active=("active", "sum")).reset_index()
    lo, hi = wilson_interval(dept["active"].to_numpy(), dept["n"].to_numpy())
    dept = dept.assign(share=dept["active"] / dept["n"], ci_low=lo, ci_high=hi)
    dept = suppress_small_groups(dept, count="n", k=k, values=["active", "share", "ci_low", "ci_high"])
    hidden = t("suppressed", lang, k=k)
    s.tables["participation_by_department"] = pd.DataFrame({
        t("col_department", lang): dept["department"],
        t("col_enrolled", lang): [hidden if sup else fmt_int(v, lang) for v, sup in zip(dept["n"], dept["suppressed"])],
        t("col_share_active", lang): [hidden if sup else fmt_pct(v, lang) for v, sup in zip(dept["share"], dept["suppressed"])],
        t("col_ci", lang): [hidden if sup else fmt_interval(a, b, fmt_pct, lang) for a, b, sup in
                            zip(dept["ci_low"], dept["ci_high"], dept["suppressed"])],
    })

    # reach table
    s.tables["reach"] = pd.DataFrame({
        t("col_group", lang): [t(f"author_{lvl}", lang) for lvl in s.reach["level"]],
        t("col_value", lang): [fmt_pct(v, lang, 2) for v in s.reach["estimate"]],
        t("col_ci", lang): [fmt_interval(a, b, fmt_pct, lang, digits=2) for a, b in zip(s.reach["ci_low"], s.reach["ci_high"])],
        t("col_posts", lang): [fmt_int(v, lang) for v in s.reach["n_posts"]],
        t("col_authors", lang): [fmt_int(v, lang) for v in s.reach["n_clusters"]],
    })

    # content mix table
    s.tables["mix"] = pd.DataFrame({
        t("col_method", lang): [t(f"mix_variant_{v}", lang) for v in s.mix["variant"]],
        t("col_value", lang): [fmt_pct(v, lang) for v in s.mix["estimate"]],
        t("col_ci", lang): [fmt_interval(a, b, fmt_pct, lang) for a, b in zip(s.mix["ci_low"], s.mix["ci_high"])],
        t("col_p_target", lang, target=fmt_pct(s.target_share, lang, 0)): [fmt_num(v, lang, 3) for v in s.mix["p_value"]],
    })

    # wave comparison: each earlier wave against this one
    if len(s.wave_comparison):
        wc = s.wave_comparison
        current = wc.iloc[0]
        s.tables["wave_comparison"] = pd.DataFrame({
            t("col_wave", lang): [*wc["level"], current["compared_to"]],
            t("col_enrolled", lang): [*(fmt_int(v, lang) for v in wc["n_level"]), fmt_int(current["n_compared"], lang)],
            t("col_share_active", lang): [*(fmt_pct(v, lang) for v in wc["proportion"]),
                                          fmt_pct(current["proportion_compared"], lang)],
            t("col_difference", lang, ref=current["compared_to"]): [
                *(f"{fmt_num(100 * e, lang)} pts [{fmt_num(100 * a, lang)} ; {fmt_num(100 * b, lang)}]"
                  for e, a, b in zip(wc["estimate"], wc["ci_low"], wc["ci_high"])), "–"],
            t("col_p_adjusted", lang, method="Holm"): [*(fmt_num(v, lang, 3) for v in wc["p_adjusted"]), "–"],
        })

    # appendix
    terms = str(s.engagement["terms"].iloc[0]) if "terms" in s.engagement else "reactions+comments+reposts+clicks"
    s.tables["definitions"] = pd.DataFrame([
        (t("def_reach", lang), t("def_reach_text", lang)),
        (t("def_engagement", lang), t("def_engagement_text", lang, terms=terms.replace("+", " + "))),
        (t("def_amplification", lang), t("def_amplification_text", lang)),
        (t("def_participation", lang), t("def_participation_text", lang)),
        (t("def_mix", lang), t("def_mix_text", lang, target=fmt_pct(s.target_share, lang, 0))),
        (t("def_profiles", lang), t("def_profiles_text", lang)),
    ], columns=[t("col_term", lang), t("col_definition", lang)])
    s.tables["methods"] = pd.DataFrame({t("col_method", lang): [
        t("method_rates", lang), t("method_claim", lang), t("method_participation", lang),
        t("method_wilson", lang), t("method_mix", lang), t("method_waves", lang)]})
    src = programme.sources if programme.sources is not None else pd.DataFrame(columns=["file", "rows", "sha256"])
    s.tables["sources"] = pd.DataFrame({
        t("col_file", lang): src["file"], t("col_rows", lang): [fmt_int(v, lang) for v in src["rows"]],
        t("col_sha", lang): src["sha256"].str[:16],
    })
    s.tables["parameters"] = pd.DataFrame([
        ("wave", s.wave_id), ("claimed_ratio", fmt_num(s.claimed_ratio, lang)),
        ("target_corporate_share", fmt_pct(s.target_share, lang, 0)), ("min_group_size", str(k)),
        ("lang", lang), ("advocacy-eval", __version__),
    ], columns=[t("col_parameter", lang), t("col_value", lang)])
