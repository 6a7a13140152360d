"""Claims as data: the registry of built-in metrics, claim specs, and the one verdict rule.

A **claim** is a metric, an operator and a target ("volunteers' reach rate is
at least 4x the page's": ``amplification >= 4``), evaluated on a population
(one wave, or the programme = all waves pooled). Its **verdict** is decided by
the 95% interval of the metric, never by the point estimate:

==========  ===================================  ======================================
operator    supported when the interval is ...   contradicted when the interval is ...
==========  ===================================  ======================================
``>=``      entirely at or above the target      entirely below the target
``>``       entirely above the target            entirely at or below the target
``<=``      entirely at or below the target      entirely above the target
``<``       entirely below the target            entirely at or above the target
``==``      inside ``target ± tolerance``        entirely outside ``target ± tolerance``
==========  ===================================  ======================================

Otherwise (or when the interval is missing) the claim is **inconclusive**.
:func:`verdict` is the only implementation of this rule in the package. A
measurement flagged as at risk may carry a sensitivity estimate (e.g. the
onboarding effect declaring one month of anticipation); the claim then gets
the more conservative of the two verdicts (:func:`conservative_verdict`).

This module is numbers and specs only: no computation on data (that is
:mod:`advocacy_eval.analyses.measures`) and no wording in a report language
(that is :mod:`advocacy_eval.reports`). It sits at the bottom of the layers so
that every layer uses the same rule.

Custom claims come from a TOML file (:func:`load_claims`)::

    [[claims]]
    metric = "amplification"   # a built-in metric name (see METRICS)
    op = ">="                  # ">=", ">", "<=", "<" or "=="
    target = 2.5
    tolerance = 0.0            # half-width of the band for "=="
    level = "all"              # "all" (each wave and the programme) or "programme"
    label_en = "Volunteers reach at least 2.5x the page's rate"   # optional
    label_fr = "..."                                             # optional
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ._display import fmt_value, html_summary, interval
from .errors import AdvocacyEvalError

__all__ = [
    "FLAGS",
    "LEVELS",
    "METRICS",
    "OPERATORS",
    "PROGRAMME",
    "SCORECARD_COLUMNS",
    "UNITS",
    "VERDICTS",
    "Claim",
    "ClaimResult",
    "ClaimsError",
    "Measurement",
    "MetricSpec",
    "Scorecard",
    "claim_problems",
    "conservative_verdict",
    "default_claims",
    "evaluate",
    "load_claims",
    "verdict",
]


def __dir__() -> list[str]:
    """The public names only: tab completion shows no ``np``, ``pd`` or ``annotations``."""
    return sorted(__all__)


OPERATORS: tuple[str, ...] = (">=", ">", "<=", "<", "==")
"""Operators a claim may use."""

VERDICTS: tuple[str, ...] = ("supported", "contradicted", "inconclusive")
"""Possible verdicts."""

LEVELS: tuple[str, ...] = ("all", "programme")
"""Where a claim is evaluated: each wave and the programme (``all``), or the programme only."""

PROGRAMME = "programme"
"""Population key of the programme (all waves pooled)."""

UNITS: tuple[str, ...] = ("ratio", "share", "count", "posts_per_month")
"""Units of the built-in metrics."""

SCORECARD_COLUMNS: tuple[str, ...] = (
    "claim",
    "metric",
    "population",
    "op",
    "target",
    "tolerance",
    "estimate",
    "ci_low",
    "ci_high",
    "unit",
    "verdict",
    "n",
    "flag",
    "sensitivity_estimate",
    "sensitivity_ci_low",
    "sensitivity_ci_high",
    "sensitivity_verdict",
)
"""Columns of ``<stem>.scorecard.csv`` (the ``flag`` and ``sensitivity_*`` columns are empty unless a
measurement is flagged and carries a sensitivity estimate, see :class:`Measurement`)."""

FLAGS: tuple[str, ...] = ("anticipation_risk",)
"""Language-free flags a measurement may carry. ``anticipation_risk``: the onboarding effect is at risk because
volunteers may have reacted before enrolling (the effect in the month before enrolment is significant, or the
joint pre-enrolment test fails); the measurement then carries the estimate that declares one month of
anticipation as its sensitivity estimate."""

_SUPPORT: dict[str, int] = {"contradicted": 0, "inconclusive": 1, "supported": 2}


class ClaimsError(AdvocacyEvalError):
    """A claims file or claim spec is invalid (the message names the file, claim, field and rule)."""


@dataclass(frozen=True)
class MetricSpec:
    """A built-in metric that claims can be made about.

    Attributes
    ----------
    name : str
        Registry name used in claims files.
    unit : str
        One of :data:`UNITS`.
    definition : str
        Definition (English; reports translate it).
    interval : str
        How its 95% interval is computed and why it is calibrated.
    programme_only : bool
        Whether it can only be measured on the whole programme.
    """

    name: str
    unit: str
    definition: str
    interval: str
    programme_only: bool = False


METRICS: dict[str, MetricSpec] = {
    m.name: m
    for m in (
        MetricSpec(
            "amplification",
            "ratio",
            "Reach-rate ratio, volunteers vs the company page: (sum of members reached / sum of audience) of "
            "volunteers' posts published on or after their own enrolment, divided by the same ratio for the "
            "page's posts over the same period.",
            "Delta method on the log ratio, cluster-robust by author with the delete-one-cluster jackknife (CR3); "
            "the page is clustered by post. Coverage 92-96% in simulations (docs/methods.md).",
        ),
        MetricSpec(
            "reach_per_post_ratio",
            "ratio",
            "People reached per post, volunteers vs the company page: mean members reached per volunteer post "
            "divided by the mean per page post, same posts and period as amplification.",
            "As amplification, with one post as the exposure (Poisson mean ratio, CR3 by author, page by post).",
        ),
        MetricSpec(
            "engagement_per_post_ratio",
            "ratio",
            "People engaging per post, volunteers vs the company page: mean engagements (reactions + comments + "
            "reposts + clicks, those available) per volunteer post divided by the mean per page post.",
            "As amplification, with one post as the exposure.",
        ),
        MetricSpec(
            "engagement_rate_ratio",
            "ratio",
            "Engagement-rate ratio, volunteers vs the company page: (sum of engagements / sum of impressions) of "
            "volunteers' posts divided by the page's.",
            "As amplification, with impressions as the exposure.",
        ),
        MetricSpec(
            "corporate_share",
            "share",
            "Share of volunteers' posts (on or after enrolment) that are corporate content.",
            "Ratio estimator with a cluster-robust (by author) variance, CR1 with the Stata small-sample "
            "correction; the score test against the target is in the appendix.",
        ),
        MetricSpec(
            "monthly_participation",
            "share",
            "Share of volunteer-months with at least one post, over the months each volunteer was enrolled and "
            "employed.",
            "Mean of person-month indicators, cluster-robust by volunteer (CR3).",
        ),
        MetricSpec(
            "staff_reached_share",
            "share",
            "Share of eligible staff the programme touched: enrolled, or attended a programme session "
            "(employees.trained_on), or created a LinkedIn profile during the programme; out of everyone "
            "employed during the programme. For a wave: from the programme's start to the wave's end date.",
            "Wilson score interval (each employee counted once).",
        ),
        MetricSpec(
            "profiles_attributable",
            "count",
            "LinkedIn profiles attributable to enrolment: the sum over volunteers of the effect of enrolling on "
            "having a profile at the end of their observation, against not-yet-enrolled colleagues with the same "
            "profile status in the month before enrolment.",
            "Influence functions of the Callaway & Sant'Anna group-time effects (diff-diff), counts taken as fixed.",
        ),
        MetricSpec(
            "effect_posts",
            "posts_per_month",
            "Effect of enrolling on the number of posts per volunteer per month (Callaway & Sant'Anna staggered "
            "difference-in-differences, not-yet-enrolled colleagues as controls, cohort-size weights over the "
            "months since enrolment).",
            "Analytic influence-function standard errors, clustered by employee (diff-diff); matches R did.",
        ),
    )
}
"""Registry of the built-in metrics, by name."""


def _finite(x: float) -> bool:
    try:
        return math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


def verdict(ci_low: float, ci_high: float, op: str, target: float, tolerance: float = 0.0) -> str:
    """Verdict of a claim from a 95% interval: the package's one rule.

    Parameters
    ----------
    ci_low, ci_high : float
        Interval bounds (missing or infinite bounds give ``"inconclusive"``).
    op : str
        One of :data:`OPERATORS`.
    target : float
        Claimed value.
    tolerance : float
        Half-width of the band for ``==``.

    Returns
    -------
    str
        ``"supported"``, ``"contradicted"`` or ``"inconclusive"``.

    Examples
    --------
    >>> verdict(4.2, 6.0, ">=", 4.0)
    'supported'
    >>> verdict(1.5, 3.9, ">=", 4.0)
    'contradicted'
    >>> verdict(0.16, 0.22, "==", 0.20, 0.05)
    'supported'
    >>> verdict(0.10, 0.22, "==", 0.20, 0.05)
    'inconclusive'
    """
    if op not in OPERATORS:
        raise ClaimsError(f"unknown operator {op!r}; valid operators: {', '.join(OPERATORS)}")
    if not (_finite(ci_low) and _finite(ci_high)):
        return "inconclusive"
    lo, hi = float(ci_low), float(ci_high)
    if op == ">=":
        return "supported" if lo >= target else "contradicted" if hi < target else "inconclusive"
    if op == ">":
        return "supported" if lo > target else "contradicted" if hi <= target else "inconclusive"
    if op == "<=":
        return "supported" if hi <= target else "contradicted" if lo > target else "inconclusive"
    if op == "<":
        return "supported" if hi < target else "contradicted" if lo >= target else "inconclusive"
    band_low, band_high = target - tolerance, target + tolerance
    if band_low <= lo and hi <= band_high:
        return "supported"
    if hi < band_low or lo > band_high:
        return "contradicted"
    return "inconclusive"


@dataclass(frozen=True)
class Claim:
    """One claim of the programme.

    Attributes
    ----------
    metric : str
        Name of a built-in metric (:data:`METRICS`).
    op : str
        One of :data:`OPERATORS`.
    target : float
        Claimed value (a multiple for ratios, a share in [0, 1], a count, or
        posts per volunteer per month).
    tolerance : float
        Half-width of the band for ``==`` (same unit as ``target``).
    level : str
        ``"all"``: evaluated on each wave and on the programme;
        ``"programme"``: on the programme only (e.g. a total count).
    label_en, label_fr : str or None
        Wording of the claim; generated from the metric when absent.
    """

    metric: str
    op: str
    target: float
    tolerance: float = 0.0
    level: str = "all"
    label_en: str | None = None
    label_fr: str | None = None

    def __post_init__(self) -> None:
        problems = claim_problems(asdict(self))
        if problems:
            raise ClaimsError(f"invalid claim {self.key}: " + "; ".join(problems))
        object.__setattr__(self, "target", float(self.target))
        object.__setattr__(self, "tolerance", float(self.tolerance))

    @property
    def key(self) -> str:
        """Language-free id of the claim, e.g. ``amplification >= 4`` or ``corporate_share == 0.2 ± 0.05``."""
        text = f"{self.metric} {self.op} {self.target:g}"
        return text + (f" ± {self.tolerance:g}" if self.op == "==" else "")

    @property
    def spec(self) -> MetricSpec:
        """The metric's registry entry."""
        return METRICS[self.metric]

    def applies_to(self, population: str) -> bool:
        """Whether the claim is evaluated on ``population`` (a wave id or :data:`PROGRAMME`)."""
        return self.level == "all" or population == PROGRAMME

    def verdict(self, ci_low: float, ci_high: float) -> str:
        """Verdict of this claim for an interval (:func:`verdict`)."""
        return verdict(ci_low, ci_high, self.op, self.target, self.tolerance)


_FIELDS: tuple[str, ...] = ("metric", "op", "target", "tolerance", "level", "label_en", "label_fr")


def claim_problems(raw: Mapping[str, Any]) -> list[str]:
    """Every rule a claim spec breaks, in words (empty when valid).

    Parameters
    ----------
    raw : mapping
        Fields of a claim (as read from TOML).
    """
    problems: list[str] = []
    unknown = sorted(set(raw) - set(_FIELDS))
    if unknown:
        problems.append(
            f"unknown field(s) {', '.join(unknown)}; valid fields: {', '.join(_FIELDS)}"
        )
    metric = raw.get("metric")
    if metric is None:
        problems.append("field 'metric' is required")
    elif metric not in METRICS:
        problems.append(
            f"metric {metric!r} is not a built-in metric; valid metrics: {', '.join(METRICS)}"
        )
    op = raw.get("op")
    if op is None:
        problems.append("field 'op' is required")
    elif op not in OPERATORS:
        problems.append(f"operator {op!r} is not valid; valid operators: {', '.join(OPERATORS)}")
    target: Any = raw.get("target")  # from a TOML file: checked below
    if target is None:
        problems.append("field 'target' is required")
    elif isinstance(target, bool) or not isinstance(target, (int, float)) or not _finite(target):
        problems.append(f"target {target!r} must be a finite number")
    tolerance = raw.get("tolerance", 0.0)
    if (
        isinstance(tolerance, bool)
        or not isinstance(tolerance, (int, float))
        or not _finite(tolerance)
        or tolerance < 0
    ):
        problems.append(f"tolerance {tolerance!r} must be a number >= 0")
    elif op == "==" and tolerance == 0 and metric in METRICS and METRICS[metric].unit != "count":
        problems.append(
            "operator '==' needs a tolerance > 0 (a band around the target): an interval never "
            "lies inside a single point"
        )
    level = raw.get("level", "all")
    if level not in LEVELS:
        problems.append(f"level {level!r} is not valid; valid levels: {', '.join(LEVELS)}")
    elif metric in METRICS and METRICS[metric].programme_only and level != "programme":
        problems.append(
            f'metric {metric!r} can only be measured on the programme: use level = "programme"'
        )
    if metric in METRICS and _finite(target) and not isinstance(target, bool):
        unit = METRICS[metric].unit
        if unit == "share" and not 0 <= float(target) <= 1:
            problems.append(
                f"target {target!r} of a share must be between 0 and 1 (write 0.2 for 20%)"
            )
        if unit in ("ratio", "count") and float(target) < 0:
            problems.append(f"target {target!r} of a {unit} must be >= 0")
    for lab in ("label_en", "label_fr"):
        value = raw.get(lab)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            problems.append(f"{lab} must be a non-empty string")
    return problems


def default_claims(
    amplification: float = 4.0,
    corporate_share: float = 0.20,
    share_tolerance: float = 0.05,
    monthly_participation: float = 0.5,
    staff_reached_share: float = 0.80,
    profiles_attributable: float = 500,
) -> list[Claim]:
    """The practitioner's usual claims.

    Parameters
    ----------
    amplification : float
        "Volunteers' posts reach and engage at least this multiple of the page's", applied to the four
        ratios (reach rate, reach per post, engagement per post, engagement rate).
    corporate_share, share_tolerance : float
        Target share of corporate content and the accepted distance from it.
    monthly_participation : float
        "At least this share of volunteers post in a given month."
    staff_reached_share : float
        "The programme lets this share of staff discover professional social media."
    profiles_attributable : float
        "Over this many LinkedIn profiles created thanks to the programme" (programme level).

    Returns
    -------
    list of Claim
    """
    return [
        Claim("amplification", ">=", amplification),
        Claim("reach_per_post_ratio", ">=", amplification),
        Claim("engagement_per_post_ratio", ">=", amplification),
        Claim("engagement_rate_ratio", ">=", amplification),
        Claim("corporate_share", "==", corporate_share, share_tolerance),
        Claim("monthly_participation", ">=", monthly_participation),
        Claim("staff_reached_share", ">=", staff_reached_share),
        Claim("profiles_attributable", ">=", profiles_attributable, level="programme"),
        Claim("effect_posts", ">", 0.0),
    ]


def load_claims(path: str | os.PathLike) -> list[Claim]:
    """Read claims from a TOML file (format in the module docstring).

    Parameters
    ----------
    path : path-like
        The claims file.

    Returns
    -------
    list of Claim

    Raises
    ------
    ClaimsError
        One error listing every problem: the file, the claim's position
        (``claims[2]``), the field and the rule, with the valid values.
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ClaimsError(f"{path}: claims file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ClaimsError(f"{path}: not a valid TOML file ({exc})") from None
    extra = sorted(set(data) - {"claims"})
    entries = data.get("claims")
    problems = (
        [
            f"{path}: unknown top-level key(s) {', '.join(extra)}; write each claim as a [[claims]] table"
        ]
        if extra
        else []
    )
    if not isinstance(entries, list) or not entries:
        problems.append(f"{path}: no [[claims]] table found")
        raise ClaimsError("invalid claims file:\n  " + "\n  ".join(problems))
    claims: list[Claim] = []
    for i, raw in enumerate(entries, start=1):
        found = claim_problems(raw)
        if found:
            problems.extend(f"{path}: claim {i} ([[claims]] number {i}): {p}" for p in found)
        else:
            claims.append(Claim(**raw))
    if problems:
        raise ClaimsError("invalid claims file:\n  " + "\n  ".join(problems))
    return claims


# ----------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Measurement:
    """A metric measured on one population: estimate, 95% interval, basis.

    Attributes
    ----------
    metric : str
        Registry name.
    population : str
        Wave id or :data:`PROGRAMME`.
    estimate, ci_low, ci_high : float
        Point estimate and 95% interval (NaN when not measurable).
    n : int
        Size of the basis (people, posts or person-months, see ``basis``).
    basis : str
        What ``n`` counts: ``"people"``, ``"posts"``, ``"person_months"`` or ``"volunteers"``.
    method : str
        How the interval was computed.
    n_people : int
        People behind the figure (for the minimum group size).
    missing_reason : str
        Why the metric could not be measured (``""`` when it was):
        ``"no_activity"``, ``"no_page_posts"``, ``"no_posts"``, ``"too_few_people"``,
        ``"not_estimable"``, ``"programme_only"``.
    flag : str
        ``""``, or one of :data:`FLAGS`: why the measurement is at risk.
    measured_on : str
        For a comparison of reach with the page's: the metric both sides have,
        and why (``""`` otherwise; see
        :data:`advocacy_eval.analyses.comparability.MEASURED_ON`):
        ``"unique_reach"``, ``"impressions_page"`` (the page's posts have no
        unique reach), ``"impressions_volunteers"`` or ``"impressions_both"``.
    sensitivity : Measurement or None
        Another estimate of the same metric under a weaker assumption (for
        ``anticipation_risk``: the effect declaring one month of
        anticipation). When present, the claim's verdict is the more
        conservative of the two (:func:`evaluate`).
    """

    metric: str
    population: str
    estimate: float
    ci_low: float
    ci_high: float
    n: int
    basis: str
    method: str
    n_people: int = 0
    missing_reason: str = ""
    flag: str = ""
    sensitivity: Measurement | None = None
    measured_on: str = ""

    def __post_init__(self) -> None:
        if self.flag and self.flag not in FLAGS:
            raise ValueError(f"unknown flag {self.flag!r}; valid flags: {', '.join(FLAGS)}")

    @property
    def unit(self) -> str:
        """Unit of the metric."""
        return METRICS[self.metric].unit

    @property
    def measured(self) -> bool:
        """Whether a finite estimate exists."""
        return not self.missing_reason and _finite(self.estimate)

    @classmethod
    def missing(cls, metric: str, population: str, reason: str, n_people: int = 0) -> Measurement:
        """A metric that could not be measured, with the reason."""
        nan = float("nan")
        return cls(metric, population, nan, nan, nan, 0, "", "", n_people, reason)

    def summary(self) -> str:
        """One line: ``4.1 (3.68–4.57), n=12,054 posts``, or why it was not measured."""
        if not self.measured:
            return f"not measured ({self.missing_reason or 'no estimate'})"
        text = f"{interval(self.estimate, self.ci_low, self.ci_high)}, n={fmt_value(self.n)} {self.basis}"
        return text + (f"; flag {self.flag}" if self.flag else "")

    def __repr__(self) -> str:
        return f"Measurement({self.metric} on {self.population}: {self.summary()})"

    def _repr_html_(self) -> str:
        items = [
            ("metric", self.metric),
            ("population", self.population),
            ("estimate (95% CI)", self.summary()),
            ("method", self.method or "—"),
        ]
        if self.sensitivity is not None:
            items.append(("sensitivity", self.sensitivity.summary()))
        return html_summary("Measurement", items)


@dataclass(frozen=True)
class ClaimResult:
    """A claim evaluated on one population.

    Attributes
    ----------
    claim : Claim
    measurement : Measurement
    verdict : str
        One of :data:`VERDICTS`: the more conservative of the measurement's
        and its sensitivity estimate's verdicts when it carries one.
    sensitivity_verdict : str
        The sensitivity estimate's own verdict (``""`` without one).
    """

    claim: Claim
    measurement: Measurement
    verdict: str
    sensitivity_verdict: str = ""

    @property
    def population(self) -> str:
        """Wave id or :data:`PROGRAMME`."""
        return self.measurement.population

    @property
    def flag(self) -> str:
        """The measurement's flag (``""`` when none)."""
        return self.measurement.flag

    def __repr__(self) -> str:
        return f"ClaimResult({self.claim.key} on {self.population}: {self.verdict}; {self.measurement.summary()})"

    def _repr_html_(self) -> str:
        return html_summary(
            "ClaimResult",
            [
                ("claim", self.claim.key),
                ("population", self.population),
                ("verdict", self.verdict),
                ("estimate (95% CI)", self.measurement.summary()),
            ],
        )


def conservative_verdict(*verdicts: str) -> str:
    """The verdict least favourable to the claim: contradicted, else inconclusive, else supported.

    Parameters
    ----------
    *verdicts : str
        Verdicts of the same claim from several estimates (one of :data:`VERDICTS` each).

    Examples
    --------
    >>> conservative_verdict("supported", "inconclusive")
    'inconclusive'
    >>> conservative_verdict("supported", "supported")
    'supported'
    """
    if not verdicts:
        raise ValueError("no verdict given")
    unknown = [v for v in verdicts if v not in _SUPPORT]
    if unknown:
        raise ValueError(f"unknown verdict(s) {unknown}; valid verdicts: {', '.join(VERDICTS)}")
    return min(verdicts, key=_SUPPORT.__getitem__)


@dataclass(frozen=True)
class Scorecard:
    """Every claim evaluated on every population of a report.

    Attributes
    ----------
    claims : tuple of Claim
        The claims, in order.
    populations : tuple of str
        Populations, in order (waves, then :data:`PROGRAMME` when present).
    results : tuple of ClaimResult
        One per (claim, population) where the claim applies.
    """

    claims: tuple[Claim, ...]
    populations: tuple[str, ...]
    results: tuple[ClaimResult, ...] = field(default_factory=tuple)

    def result(self, claim: Claim, population: str) -> ClaimResult | None:
        """The result of ``claim`` on ``population`` (None when it does not apply)."""
        for r in self.results:
            if r.claim == claim and r.population == population:
                return r
        return None

    def for_population(self, population: str) -> list[ClaimResult]:
        """Results of one population, in claim order."""
        return [r for r in self.results if r.population == population]

    def verdict_counts(self) -> dict[str, int]:
        """How many results have each verdict (:data:`VERDICTS` order)."""
        return {v: sum(r.verdict == v for r in self.results) for v in VERDICTS}

    def to_summary(self) -> pd.DataFrame:
        """One row per claim, one column per population: ``verdict: estimate (ci_low–ci_high)`` (text, 3 digits).

        Cells where the claim does not apply are empty.
        """

        def cell(r: ClaimResult) -> str:
            m = r.measurement
            shown = interval(m.estimate, m.ci_low, m.ci_high) if m.measured else m.summary()
            return f"{r.verdict}: {shown}"

        cells = {(r.claim.key, r.population): cell(r) for r in self.results}
        keys = list(dict.fromkeys(c.key for c in self.claims))
        return pd.DataFrame(
            [[cells.get((k, p), "") for p in self.populations] for k in keys],
            index=pd.Index(keys, name="claim"),
            columns=list(self.populations),
        )

    def __repr__(self) -> str:
        counts = ", ".join(f"{n} {v}" for v, n in self.verdict_counts().items() if n)
        n = len(self.populations)
        return (
            f"Scorecard({len(self.claims)} claim{'s' if len(self.claims) != 1 else ''} on {n} "
            f"population{'s' if n != 1 else ''} ({', '.join(self.populations)}): {counts or 'no results'})"
        )

    def _repr_html_(self) -> str:
        counts = self.verdict_counts()
        return html_summary(
            f"Scorecard: {len(self.claims)} claims on {', '.join(self.populations)}",
            list(counts.items()),
            tables=[("claims by population", self.to_summary())],
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per result with the columns of :data:`SCORECARD_COLUMNS` (the CSV export)."""
        nan = float("nan")
        rows = []
        for r in self.results:
            m, sens = r.measurement, r.measurement.sensitivity
            rows.append(
                {
                    "claim": r.claim.key,
                    "metric": r.claim.metric,
                    "population": r.population,
                    "op": r.claim.op,
                    "target": r.claim.target,
                    "tolerance": r.claim.tolerance,
                    "estimate": m.estimate,
                    "ci_low": m.ci_low,
                    "ci_high": m.ci_high,
                    "unit": m.unit,
                    "verdict": r.verdict,
                    "n": m.n,
                    "flag": m.flag,
                    "sensitivity_estimate": sens.estimate if sens is not None else nan,
                    "sensitivity_ci_low": sens.ci_low if sens is not None else nan,
                    "sensitivity_ci_high": sens.ci_high if sens is not None else nan,
                    "sensitivity_verdict": r.sensitivity_verdict,
                }
            )
        return pd.DataFrame(rows, columns=list(SCORECARD_COLUMNS))


def evaluate(
    claims: Sequence[Claim], measurements: Iterable[Measurement], populations: Sequence[str]
) -> Scorecard:
    """Evaluate claims on measured populations.

    Parameters
    ----------
    claims : sequence of Claim
        Claims to evaluate.
    measurements : iterable of Measurement
        Measurements, at least one per (metric, population) a claim needs;
        a missing one makes the claim inconclusive. A measurement carrying a
        sensitivity estimate gets the more conservative of the two verdicts
        (:func:`conservative_verdict`).
    populations : sequence of str
        Populations to evaluate, in report order.

    Returns
    -------
    Scorecard
    """
    found = {(m.metric, m.population): m for m in measurements}
    results = []
    for claim in claims:
        for pop in populations:
            if not claim.applies_to(pop):
                continue
            m = found.get((claim.metric, pop)) or Measurement.missing(
                claim.metric, pop, "not_estimable"
            )
            v = claim.verdict(m.ci_low, m.ci_high) if m.measured else "inconclusive"
            sens = m.sensitivity
            v_sens = (
                ""
                if sens is None
                else claim.verdict(sens.ci_low, sens.ci_high)
                if sens.measured
                else "inconclusive"
            )
            if m.measured and v_sens:
                v = conservative_verdict(v, v_sens)
            results.append(ClaimResult(claim, m, v, v_sens))
    return Scorecard(tuple(claims), tuple(populations), tuple(results))
