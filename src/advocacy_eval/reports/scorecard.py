"""The claims scorecard: each claim of the programme, measured, with a verdict from its interval.

A verdict is never decided by the point estimate alone:

- ``at_least`` claims ("employees reach at least 4x the page", "at least half
  of volunteers post each month"): **supported** if the whole 95% interval is
  at or above the claim, **contradicted** if it is entirely below, otherwise
  **inconclusive**;
- ``target`` claims ("20% corporate content"): the claim holds within a
  tolerance band ``target ± tolerance``: **supported** if the whole interval
  lies inside the band, **contradicted** if it lies entirely outside it,
  otherwise **inconclusive**;
- ``positive`` claims ("joining increases monthly posts"): **supported** if the
  interval is above 0, **contradicted** if it is below 0, otherwise
  **inconclusive**.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .i18n import fmt_int, fmt_interval, fmt_num, fmt_pct, fmt_ratio, t

VERDICTS: tuple[str, ...] = ("supported", "contradicted", "inconclusive")
"""Possible verdicts."""


@dataclass(frozen=True)
class Claim:
    """One claim of the programme.

    Attributes
    ----------
    key : str
        Headline figure the claim is about (a key of ``WaveSummary.numbers``).
    kind : str
        ``"at_least"``, ``"target"`` or ``"positive"``.
    value : float
        Claimed value (multiple, share or 0 for ``positive``).
    tolerance : float
        Half-width of the band for ``target`` claims.
    unit : str
        How values are written: ``"ratio"``, ``"pct"``, ``"count"`` or ``"number"``.
    """

    key: str
    kind: str
    value: float
    tolerance: float = 0.0
    unit: str = "pct"


def claim_verdict(low: float, high: float, claim: Claim) -> str:
    """Verdict of a claim from a 95% interval.

    Parameters
    ----------
    low, high : float
        Interval bounds.
    claim : Claim
        The claim.

    Returns
    -------
    str
        ``"supported"``, ``"contradicted"`` or ``"inconclusive"`` (also when the
        interval is missing).
    """
    if not (np.isfinite(low) and np.isfinite(high)):
        return "inconclusive"
    if claim.kind == "at_least":
        return "supported" if low >= claim.value else "contradicted" if high < claim.value else "inconclusive"
    if claim.kind == "positive":
        return "supported" if low > 0 else "contradicted" if high < 0 else "inconclusive"
    if claim.kind == "target":
        band_low, band_high = claim.value - claim.tolerance, claim.value + claim.tolerance
        if band_low <= low and high <= band_high:
            return "supported"
        if high < band_low or low > band_high:
            return "contradicted"
        return "inconclusive"
    raise ValueError(f"unknown claim kind {claim.kind!r}")


def default_claims(claimed_ratio: float = 4.0, target_share: float = 0.20, share_tolerance: float = 0.05,
                   claimed_participation: float = 0.5) -> list[Claim]:
    """The programme's usual claims, as parameters.

    Parameters
    ----------
    claimed_ratio : float
        "Employees reach at least this multiple of the page's reach rate."
    target_share : float
        Target share of corporate content.
    share_tolerance : float
        Accepted distance from the target share.
    claimed_participation : float
        "At least this share of volunteers post in a given month."
    """
    return [
        Claim("amplification_ratio", "at_least", claimed_ratio, unit="ratio"),
        Claim("corporate_share", "target", target_share, share_tolerance, unit="pct"),
        Claim("monthly_participation", "at_least", claimed_participation, unit="pct"),
        Claim("onboarding_effect_posts", "positive", 0.0, unit="number"),
    ]


def _fmt(value: float, unit: str, lang: str) -> str:
    if unit == "number":
        return fmt_num(value, lang, 2)
    return {"ratio": fmt_ratio, "pct": fmt_pct, "count": fmt_int}[unit](value, lang)


def claim_text(claim: Claim, lang: str) -> str:
    """The claim in words, e.g. "Volunteers reach at least 4.0x the page's rate"."""
    if claim.unit == "pct":
        value = fmt_pct(claim.value, lang, 0)
        tol = f"{fmt_num(claim.tolerance * 100, lang, 0)} pts"
    else:
        value, tol = _fmt(claim.value, claim.unit, lang), _fmt(claim.tolerance, claim.unit, lang)
    return t(f"claim_{claim.key}", lang, value=value, tolerance=tol)


def scorecard(numbers: pd.DataFrame, claims: list[Claim], previous: pd.DataFrame | None = None,
              previous_wave: str | None = None, lang: str = "en") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Measure each claim, decide its verdict and the change since the previous wave.

    Parameters
    ----------
    numbers : pandas.DataFrame
        Headline figures (key, estimate, ci_low, ci_high, n), e.g. ``WaveSummary.numbers``.
    claims : list of Claim
        Claims to score; a claim whose figure is absent is left out.
    previous : pandas.DataFrame, optional
        The previous wave's headline figures, for the change column.
    previous_wave : str, optional
        The previous wave's id, for the column heading.
    lang : str
        Report language.

    Returns
    -------
    values : pandas.DataFrame
        key, claim, estimate, ci_low, ci_high, verdict, previous_estimate, change.
    table : pandas.DataFrame
        The same, formatted for display in the report language.
    """
    figures = numbers.set_index("key")
    prev = previous.set_index("key") if previous is not None else None
    rows = []
    for claim in claims:
        if claim.key not in figures.index:
            continue
        f = figures.loc[claim.key]
        before = float(prev.loc[claim.key, "estimate"]) if prev is not None and claim.key in prev.index else np.nan
        rows.append({"key": claim.key, "claim": claim.value, "estimate": float(f["estimate"]),
                     "ci_low": float(f["ci_low"]), "ci_high": float(f["ci_high"]),
                     "verdict": claim_verdict(float(f["ci_low"]), float(f["ci_high"]), claim),
                     "previous_estimate": before, "change": float(f["estimate"]) - before,
                     "_claim": claim})
    values = pd.DataFrame(rows)
    change_head = t("col_change", lang, wave=previous_wave) if previous_wave else t("col_change_none", lang)
    table = pd.DataFrame({
        t("col_claim", lang): [claim_text(r["_claim"], lang) for r in rows],
        t("col_measured", lang): [_fmt(r["estimate"], r["_claim"].unit, lang) for r in rows],
        t("col_ci", lang): [fmt_interval(r["ci_low"], r["ci_high"], lambda x, lg, u=r["_claim"].unit: _fmt(x, u, lg), lang)
                            for r in rows],
        t("col_verdict", lang): [t(f"verdict_{r['verdict']}", lang).upper() for r in rows],
        change_head: [_change(r["change"], r["_claim"].unit, lang) for r in rows],
    })
    return values.drop(columns="_claim", errors="ignore"), table


def _change(delta: float, unit: str, lang: str) -> str:
    if not np.isfinite(delta):
        return "–"
    sign = "+" if delta > 0 else "−" if delta < 0 else "±"
    if unit == "pct":
        return f"{sign}{fmt_num(abs(delta) * 100, lang)} pts"
    return f"{sign}{_fmt(abs(delta), unit, lang)}"
