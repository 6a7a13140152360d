"""The claims scorecard in words: claims, values and verdicts formatted in a report language.

Numbers come from :class:`advocacy_eval.claims.Scorecard` (computed by
:mod:`advocacy_eval.analyses`); this module only writes them. Verdicts are
decided in :func:`advocacy_eval.claims.verdict`, never here.
"""

from __future__ import annotations

import math

import pandas as pd

from ..claims import PROGRAMME, Claim, ClaimResult, Measurement, Scorecard
from .display import plain
from .i18n import anticipation_text, fmt_int, fmt_interval, fmt_num, fmt_pct, fmt_ratio, t

__all__ = [
    "claim_label",
    "flag_text",
    "flagged_label",
    "fmt_interval_of",
    "fmt_target",
    "fmt_tolerance",
    "fmt_value",
    "measured_on_text",
    "missing_text",
    "programme_scorecard_table",
    "result_verdict_text",
    "scorecard_csv",
    "scorecard_summary",
    "sensitivity_label",
    "split_programme_scorecard",
    "verdict_text",
    "wave_scorecard_table",
]


def fmt_value(x: float, unit: str, lang: str, signed: bool = False) -> str:
    """A metric value in its unit: ``4.1x``, ``21.1%``, ``99`` or ``+1.02 posts per volunteer per month``.

    Parameters
    ----------
    x : float
        Value.
    unit : str
        ``"ratio"``, ``"share"``, ``"count"`` or ``"posts_per_month"``.
    lang : str
        Report language.
    signed : bool
        For ``posts_per_month``: write the unit and a sign (a headline value);
        otherwise the bare number (inside an interval).
    """
    if x is None or not math.isfinite(float(x)):
        return "–"
    if unit == "ratio":
        return fmt_ratio(x, lang, 2 if abs(x) < 1 else 1)
    if unit == "share":
        return fmt_pct(x, lang, 1)
    if unit == "count":
        return fmt_int(x, lang)
    if unit == "posts_per_month":
        if not signed:
            return fmt_num(x, lang, 2)
        sign = "+" if x > 0 else "−" if x < 0 else ""
        return t("unit_posts_per_month", lang, sign=sign, value=fmt_num(abs(x), lang, 2))
    raise ValueError(f"unknown unit {unit!r}")


def fmt_target(x: float, unit: str, lang: str) -> str:
    """A claimed value, written without needless decimals (``4x``, ``20%``, ``500``)."""
    if unit == "ratio":
        return fmt_ratio(x, lang, 0 if float(x).is_integer() else 1)
    if unit == "share":
        return fmt_pct(x, lang, 0 if round(100 * x, 6).is_integer() else 1)
    if unit == "count":
        return fmt_int(x, lang)
    return fmt_num(x, lang, 2)


def fmt_tolerance(x: float, unit: str, lang: str) -> str:
    """The half-width of a band (``5 pts`` for shares)."""
    if unit == "share":
        return f"{fmt_num(100 * x, lang, 0 if round(100 * x, 6).is_integer() else 1)} pts"
    return fmt_target(x, unit, lang)


def claim_label(claim: Claim, lang: str) -> str:
    """The claim in words: its own label in ``lang`` when given, else generated from its metric."""
    own = claim.label_fr if lang == "fr" else claim.label_en
    if own:
        return own
    unit = claim.spec.unit
    if claim.metric == "effect_posts" and claim.op == ">" and claim.target == 0:
        return t("claim_effect_posts_positive", lang)
    op = "" if claim.op == "==" else t(f"op_{claim.op}", lang)
    op_space = f"{op} " if op else ""
    text = t(
        f"claim_{claim.metric}",
        lang,
        op=op_space,
        op_cap=op_space[:1].upper() + op_space[1:],
        value=fmt_target(claim.target, unit, lang),
    )
    if claim.op == "==":
        text += t("band", lang, tolerance=fmt_tolerance(claim.tolerance, unit, lang))
    return text


def fmt_interval_of(m: Measurement, lang: str) -> str:
    """The 95% interval of a measurement in its unit."""
    if m.unit == "posts_per_month":
        return fmt_interval(m.ci_low, m.ci_high, fmt_num, lang, digits=2)
    return fmt_interval(m.ci_low, m.ci_high, lambda x, lg: fmt_value(x, m.unit, lg), lang)


def verdict_text(verdict: str, lang: str) -> str:
    """The verdict at a glance: symbol and word, the same word as in sentences (``✓ Supported``)."""
    word = t(f"verdict_{verdict}", lang)
    return f"{t(f'verdict_symbol_{verdict}', lang)} {word[:1].upper()}{word[1:]}"


def flag_text(m: Measurement | None, lang: str) -> str:
    """Why a measurement is at risk (``⚠ at risk: volunteers may have reacted before enrolling``), or ``""``."""
    return t(f"flag_{m.flag}", lang) if m is not None and m.flag else ""


def measured_on_text(m: Measurement | None, lang: str) -> str:
    """The like-for-like metric a comparison with the page used, and why, or ``""``."""
    return (
        t(f"measured_on_{m.measured_on}", lang)
        if m is not None and m.measured and m.measured_on
        else ""
    )


def flagged_label(claim: Claim, m: Measurement | None, lang: str) -> str:
    """The claim in words, then the metric it was measured on (comparisons with the page), then its flag."""
    parts = [claim_label(claim, lang), measured_on_text(m, lang), flag_text(m, lang)]
    return " ".join(p for p in parts if p)


def result_verdict_text(r: ClaimResult, lang: str) -> str:
    """:func:`verdict_text` of a result, noting when it is the more conservative of two estimates."""
    text = verdict_text(r.verdict, lang)
    if r.measurement.measured and r.measurement.sensitivity is not None:
        return f"{text} {t('verdict_conservative_note', lang)}"
    return text


def sensitivity_label(anticipation: int, lang: str) -> str:
    """Label of a sensitivity row: ``↳ sensitivity: one month of anticipation declared``."""
    return t("sensitivity_row", lang, anticipation=anticipation_text(anticipation, lang))


def missing_text(m: Measurement, lang: str, k: int) -> str:
    """Why a measurement is absent, in words."""
    return t(f"missing_{m.missing_reason or 'not_estimable'}", lang, k=k)


def _cell(
    r: ClaimResult | None, lang: str, k: int, with_verdict: bool = True, sensitivity: bool = False
) -> str:
    """``estimate [low–high] ✔`` for one population's column (``sensitivity``: its sensitivity estimate's)."""
    if r is None:
        return "–"
    m = r.measurement
    verdict = r.verdict
    if sensitivity and m.measured:
        if m.sensitivity is None:
            return "–"
        m, verdict = m.sensitivity, r.sensitivity_verdict
    if not m.measured:
        return missing_text(m, lang, k)
    text = f"{fmt_value(m.estimate, m.unit, lang)} [{fmt_interval_of(m, lang)}]"
    return f"{text} {t(f'verdict_symbol_{verdict}', lang)}" if with_verdict else text


def _change(now: Measurement, before: Measurement | None, lang: str) -> str:
    if before is None or not (now.measured and before.measured):
        return "–"
    delta = now.estimate - before.estimate
    sign = "+" if delta > 0 else "−" if delta < 0 else "±"
    if now.unit == "share":
        return f"{sign}{fmt_num(abs(delta) * 100, lang)} pts"
    if now.unit == "posts_per_month":
        return f"{sign}{fmt_num(abs(delta), lang, 2)}"
    return f"{sign}{fmt_value(abs(delta), now.unit, lang)}"


def wave_scorecard_table(
    scorecard: Scorecard,
    lang: str,
    k: int,
    previous: Scorecard | None = None,
    previous_wave: str | None = None,
    anticipation: int = 1,
) -> pd.DataFrame:
    """The scorecard of one wave: claim, measured value, interval, verdict, descriptive change.

    A flagged measurement (volunteers may have reacted before enrolling) has
    the flag after its claim, the more conservative verdict of its two
    estimates, and a sensitivity row right below it: the estimate declaring
    ``anticipation`` months of anticipation, with its own verdict.

    Parameters
    ----------
    scorecard : Scorecard
        The claims on the wave (one population).
    lang : str
        Report language.
    k : int
        Minimum group size (for "hidden" cells).
    previous : Scorecard, optional
        The same claims on the previous wave.
    previous_wave : str, optional
        The previous wave's id (column heading).
    anticipation : int
        Months of anticipation the sensitivity estimates declare (for their label).
    """
    change = (
        t("col_change_descriptive", lang, wave=previous_wave)
        if previous_wave
        else t("col_change_none", lang)
    )
    rows = []
    for r in scorecard.results:
        m = r.measurement
        before = previous.result(r.claim, previous.populations[0]) if previous is not None else None
        rows.append(
            {
                t("col_claim", lang): flagged_label(r.claim, m, lang),
                t("col_measured", lang): fmt_value(m.estimate, m.unit, lang, signed=True)
                if m.measured
                else missing_text(m, lang, k),
                t("col_ci", lang): fmt_interval_of(m, lang) if m.measured else "–",
                t("col_verdict", lang): result_verdict_text(r, lang),
                change: _change(m, before.measurement if before else None, lang),
            }
        )
        sens = m.sensitivity
        if sens is not None and m.measured:
            rows.append(
                {
                    t("col_claim", lang): sensitivity_label(anticipation, lang),
                    t("col_measured", lang): fmt_value(sens.estimate, sens.unit, lang, signed=True)
                    if sens.measured
                    else missing_text(sens, lang, k),
                    t("col_ci", lang): fmt_interval_of(sens, lang) if sens.measured else "–",
                    t("col_verdict", lang): verdict_text(r.sensitivity_verdict, lang),
                    change: "–",
                }
            )
    return pd.DataFrame(rows)


def programme_scorecard_table(
    scorecard: Scorecard, lang: str, k: int, anticipation: int = 1
) -> pd.DataFrame:
    """The programme scorecard: each claim on all waves pooled, with one column per wave.

    A flagged claim (volunteers may have reacted before enrolling) has the
    flag after its label, the more conservative verdict of its two estimates,
    and a sensitivity row right below it: the estimates declaring
    ``anticipation`` months of anticipation, with their own verdicts.

    Parameters
    ----------
    scorecard : Scorecard
        Claims on every wave and on ``"programme"``.
    lang : str
        Report language.
    k : int
        Minimum group size (for "hidden" cells).
    anticipation : int
        Months of anticipation the sensitivity estimates declare (for their label).
    """
    waves = [p for p in scorecard.populations if p != PROGRAMME]
    rows = []
    for claim in scorecard.claims:
        pooled = scorecard.result(claim, PROGRAMME)
        m = pooled.measurement if pooled is not None else None
        row = {
            t("col_claim", lang): flagged_label(claim, m, lang),
            t("col_programme_all", lang): (
                fmt_value(m.estimate, m.unit, lang, signed=True)
                if m is not None and m.measured
                else missing_text(m, lang, k)
                if m is not None
                else "–"
            ),
            t("col_ci", lang): fmt_interval_of(m, lang) if m is not None and m.measured else "–",
            t("col_verdict", lang): result_verdict_text(pooled, lang)
            if pooled is not None
            else "–",
        }
        for w in waves:
            r = scorecard.result(claim, w)
            row[w] = _cell(r, lang, k) if r is not None else t("missing_programme_only", lang)
        rows.append(row)
        results = [
            x for x in (scorecard.result(claim, p) for p in scorecard.populations) if x is not None
        ]
        if any(x.measurement.measured and x.measurement.sensitivity is not None for x in results):
            sens = m.sensitivity if m is not None and m.measured else None
            row = {
                t("col_claim", lang): sensitivity_label(anticipation, lang),
                t("col_programme_all", lang): (
                    "–"
                    if sens is None
                    else fmt_value(sens.estimate, sens.unit, lang, signed=True)
                    if sens.measured
                    else missing_text(sens, lang, k)
                ),
                t("col_ci", lang): fmt_interval_of(sens, lang)
                if sens is not None and sens.measured
                else "–",
                t("col_verdict", lang): verdict_text(pooled.sensitivity_verdict, lang)
                if sens is not None and pooled is not None
                else "–",
            }
            for w in waves:
                r = scorecard.result(claim, w)
                row[w] = (
                    _cell(r, lang, k, sensitivity=True)
                    if r is not None
                    else t("missing_programme_only", lang)
                )
            rows.append(row)
    return pd.DataFrame(rows)


def scorecard_summary(scorecard: Scorecard, lang: str) -> list[str]:
    """Plain-language summary of the programme-level verdicts (Markdown: claim labels are escaped)."""
    pooled = scorecard.for_population(PROGRAMME)
    groups: dict[str, list[str]] = {v: [] for v in ("supported", "contradicted", "inconclusive")}
    for r in pooled:
        label = claim_label(r.claim, lang).rstrip(".")
        groups[r.verdict].append(plain(label[:1].lower() + label[1:]))
    counts = {
        v: t(f"count_{v}_{'one' if len(c) == 1 else 'many'}", lang, n=fmt_int(len(c), lang))
        for v, c in groups.items()
    }  # "1 non tranchée", "3 confirmées": in agreement with the count
    lines = [t("prog_scorecard_summary_intro", lang, n=fmt_int(len(pooled), lang), **counts)]
    for verdict, claims in groups.items():
        if claims:
            lines.append(t(f"prog_scorecard_summary_{verdict}", lang, claims="; ".join(claims)))
    return lines


def scorecard_csv(scorecard: Scorecard) -> pd.DataFrame:
    """The scorecard as the language-free table written to ``<stem>.scorecard.csv``."""
    return scorecard.to_frame()


def split_programme_scorecard(table: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The programme scorecard as two tables: the pooled claims, then each wave's figures.

    The first (claim, programme value, interval, verdict) fits the report's
    first page under the "what we can say" box; the second (claim and one
    column per wave, ``estimate [interval] ✓``) follows it.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`programme_scorecard_table`.

    Returns
    -------
    tuple of pandas.DataFrame
        ``(pooled, by_wave)``.
    """
    return table.iloc[:, :4].copy(), table.iloc[:, [0, *range(4, table.shape[1])]].copy()
