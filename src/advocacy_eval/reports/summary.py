"""The "what we can say" box above the scorecard, in words.

For each claim, the strongest statement its 95% interval supports ("Volunteers'
posts reach 3.6 to 4.6 times the page's reach rate"), what was claimed, the
verdict, and, for an inconclusive claim, what would settle it: about how many
volunteers, or that more volunteers cannot because the company page's own
uncertainty dominates. The numbers come from the scorecard and from
:func:`advocacy_eval.analyses.planning.settle_claims`; this module only writes
them (the verdict rule stays :func:`advocacy_eval.claims.verdict`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from ..analyses.planning import Settlement, deciding_measurement
from ..claims import PROGRAMME, VERDICTS, Claim, ClaimResult, Measurement, Scorecard
from .i18n import STRINGS, check_lang, fmt_int, fmt_num, fmt_pct, t
from .scorecard import claim_label, flag_text, fmt_target, fmt_tolerance, missing_text


@dataclass(frozen=True)
class BoxItem:
    """One claim in the box.

    Attributes
    ----------
    verdict : str
        One of :data:`~advocacy_eval.claims.VERDICTS`.
    statement : str
        The strongest statement the interval supports (a sentence, plain text).
    claimed : str
        What was claimed (``Claimed: at least 4x.``).
    settle : str
        What would settle an inconclusive claim (``""`` otherwise).
    flag : str
        Why the estimate is at risk (``""`` when it is not).
    """

    verdict: str
    statement: str
    claimed: str
    settle: str = ""
    flag: str = ""


@dataclass(frozen=True)
class SummaryBox:
    """The box: a title, one sentence counting the verdicts, one item per claim, and how to read it.

    All texts are plain (not Markdown): :func:`advocacy_eval.reports.display.summary_box` escapes them.
    ``lang`` is the language they are written in.
    """

    title: str
    lead: str
    items: tuple[BoxItem, ...]
    note: str
    lang: str = "en"


def verdict_word(verdict: str, lang: str, capital: bool = False) -> str:
    """The verdict in the report's one vocabulary (``supported`` / ``confirmée``...)."""
    word = t(f"verdict_{verdict}", lang)
    return word[:1].upper() + word[1:] if capital else word


def verdict_counts(verdicts: Sequence[str], lang: str) -> str:
    """``2 supported, 4 contradicted, 2 inconclusive`` (French: in agreement with each count)."""
    parts = []
    for v in VERDICTS:
        n = sum(1 for x in verdicts if x == v)
        parts.append(t(f"count_{v}_{'one' if n == 1 else 'many'}", lang, n=fmt_int(n, lang)))
    return ", ".join(parts)


def interval_statement(claim: Claim, m: Measurement, lang: str, k: int = 5) -> str:
    """The strongest statement a measurement's 95% interval supports, as a sentence.

    Ratios below 1 throughout are turned round ("the page reaches 8.1 to
    12.1 times as many people per post"); an effect whose interval holds
    zero says that it may be zero.

    Parameters
    ----------
    claim : Claim
        The claim (for its metric and label).
    m : Measurement
        The measurement whose interval is read.
    lang : str
        Report language.
    k : int
        Minimum group size (for a measurement hidden because of it).

    Returns
    -------
    str
        A sentence ending with a full stop.
    """
    if not m.measured:
        return (
            t("say_missing", lang, claim=claim_label(claim, lang), reason=missing_text(m, lang, k))
            + "."
        )
    lo, hi = float(m.ci_low), float(m.ci_high)
    key = f"say_{claim.metric}"
    if m.unit == "ratio":
        if hi < 1:  # the page does better throughout: say it that way round
            lo, hi, key = 1 / hi, 1 / lo, key + "_inverse"
        digits = 2 if min(lo, hi) < 1 else 1
        low, high = fmt_num(lo, lang, digits), fmt_num(hi, lang, digits)
    elif m.unit == "share":
        low, high = fmt_pct(lo, lang), fmt_pct(hi, lang)
    elif m.unit == "count":
        if lo <= 0:
            key += "_zero"
        low, high = fmt_int(max(lo, 0.0), lang), fmt_int(hi, lang)
    else:  # an effect, posts per volunteer per month
        if lo <= 0 <= hi:
            key += "_zero"
            low, high = fmt_num(lo, lang, 2), fmt_num(hi, lang, 2)
        elif hi < 0:
            key += "_negative"
            low, high = fmt_num(-hi, lang, 2), fmt_num(-lo, lang, 2)
        else:
            low, high = fmt_num(lo, lang, 2), fmt_num(hi, lang, 2)
    if key not in STRINGS:
        return (
            t("say_generic", lang, metric=t(f"metric_{claim.metric}", lang), low=low, high=high)
            + "."
        )
    return t(key, lang, low=low, high=high) + "."


def claimed_text(claim: Claim, lang: str) -> str:
    """What was claimed, briefly: ``Claimed: at least 4x.``, ``Claimed: 20% (± 5 pts).``, ``Claimed: an increase.``"""
    unit = claim.spec.unit
    if unit == "posts_per_month" and claim.target == 0 and claim.op in (">", ">="):
        what = t("claim_short_increase", lang)
    elif unit == "posts_per_month" and claim.target == 0 and claim.op in ("<", "<="):
        what = t("claim_short_decrease", lang)
    else:
        op = "" if claim.op == "==" else t(f"op_{claim.op}", lang) + " "
        what = op + fmt_target(claim.target, unit, lang)
        if claim.op == "==":
            what += t("band", lang, tolerance=fmt_tolerance(claim.tolerance, unit, lang))
    return t("box_claimed", lang, claim=what)


def _about(n: float, lang: str) -> str:
    """A rounded count for "about N": two significant figures above 100."""
    if not math.isfinite(n):
        return "–"
    if n >= 100:
        digits = math.floor(math.log10(n)) - 1
        n = round(n / 10**digits) * 10**digits
    return fmt_int(n, lang)


def settle_text(settlement: Settlement | None, lang: str) -> str:
    """What would settle an inconclusive claim, in words (``""`` when it is settled or nothing is known)."""
    if settlement is None or settlement.kind == "settled":
        return ""
    if settlement.kind == "volunteers":
        scope = "programme" if settlement.population == PROGRAMME else "wave"
        return t(
            f"settle_volunteers_{scope}",
            lang,
            needed=_about(settlement.volunteers_needed, lang),
            now=fmt_int(settlement.volunteers_now, lang),
        )
    if settlement.kind == "page":
        text = t("settle_page", lang)
        if math.isfinite(settlement.months_needed):
            text += " " + t(
                "settle_page_months",
                lang,
                needed=fmt_int(settlement.months_needed, lang),
                now=fmt_int(settlement.months_now, lang),
            )
        return text
    if settlement.kind == "too_close":
        return t("settle_too_close", lang)
    return t("settle_not_measured", lang)


def box_item(result: ClaimResult, settlement: Settlement | None, lang: str, k: int = 5) -> BoxItem:
    """One claim of the box: statement, claim, verdict and what would settle it."""
    m = deciding_measurement(result)
    statement = interval_statement(result.claim, m, lang, k)
    settle = settle_text(settlement, lang) if result.verdict == "inconclusive" else ""
    return BoxItem(
        verdict=result.verdict,
        statement=statement,
        claimed=claimed_text(result.claim, lang),
        settle=settle,
        flag=flag_text(result.measurement, lang),
    )


def what_we_can_say(
    scorecard: Scorecard,
    settlements: Sequence[Settlement],
    lang: str,
    population: str | None = None,
    k: int = 5,
) -> SummaryBox:
    """The "what we can say" box of one population of a scorecard.

    Parameters
    ----------
    scorecard : Scorecard
        The claims evaluated.
    settlements : sequence of Settlement
        From :func:`advocacy_eval.analyses.planning.settle_claims` (may be empty: no settle lines).
    lang : str
        Report language.
    population : str, optional
        The population (default: :data:`~advocacy_eval.claims.PROGRAMME` when the scorecard has it, else its
        only population).
    k : int
        Minimum group size (for "hidden: fewer than k people").

    Returns
    -------
    SummaryBox
    """
    lang = check_lang(lang)
    if population is None:
        population = PROGRAMME if PROGRAMME in scorecard.populations else scorecard.populations[0]
    by_claim = {(s.claim, s.population): s for s in settlements}
    results = scorecard.for_population(population)
    items = tuple(box_item(r, by_claim.get((r.claim, population)), lang, k) for r in results)
    scope = "programme" if population == PROGRAMME else "wave"
    n = len(results)
    lead_key = f"box_lead_one_{scope}" if n == 1 else f"box_lead_{scope}"
    lead = t(
        lead_key,
        lang,
        n=fmt_int(n, lang),
        counts=verdict_counts([r.verdict for r in results], lang),
    )
    return SummaryBox(
        title=t("box_title", lang), lead=lead, items=items, note=t("box_note", lang), lang=lang
    )


__all__ = [
    "BoxItem",
    "SummaryBox",
    "box_item",
    "claimed_text",
    "interval_statement",
    "settle_text",
    "verdict_counts",
    "verdict_word",
    "what_we_can_say",
]
