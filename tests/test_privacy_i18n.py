"""Minimum group size with secondary suppression; translations and number formats."""

from __future__ import annotations

import pandas as pd
import pytest

from advocacy_eval.privacy import check_min_group_size, suppress_small_groups
from advocacy_eval.reports.i18n import (
    NNBSP,
    STRINGS,
    fmt_date,
    fmt_int,
    fmt_interval,
    fmt_num,
    fmt_p,
    fmt_pct,
    fmt_ratio,
    t,
)


def _groups(sizes):
    return pd.DataFrame(
        {"group": [f"g{i}" for i in range(len(sizes))], "n": sizes, "rate": [0.5] * len(sizes)}
    )


def test_k_below_three_is_refused():
    with pytest.raises(ValueError, match="may not be below 3"):
        check_min_group_size(2)
    with pytest.raises(ValueError):
        suppress_small_groups(_groups([10, 1]), "n", k=1)


def test_primary_suppression_only_without_total():
    out = suppress_small_groups(_groups([10, 2, 8, 7]), "n", k=5, total_shown=False)
    assert out["suppressed"].tolist() == [False, True, False, False]
    assert pd.isna(out.loc[1, "n"]) and pd.isna(out.loc[1, "rate"])
    assert out.loc[0, "rate"] == 0.5


def test_secondary_suppression_hides_next_smallest():
    out = suppress_small_groups(_groups([10, 2, 8, 7]), "n", k=5)
    assert out["suppressed"].tolist() == [False, True, False, True]
    # the hidden cells cannot be recovered: total minus shown = 9, split between two hidden groups
    shown = out.loc[~out["suppressed"], "n"].sum()
    assert 27 - shown == 9


def test_hidden_groups_together_reach_k():
    out = suppress_small_groups(_groups([10, 1, 1, 9]), "n", k=5)
    assert out["suppressed"].tolist() == [False, True, True, True]
    out = suppress_small_groups(_groups([10, 6, 7]), "n", k=5)
    assert not out["suppressed"].any()


def test_every_group_small():
    out = suppress_small_groups(_groups([1, 2]), "n", k=5)
    assert out["suppressed"].all()


def test_every_string_has_both_languages():
    for key, texts in STRINGS.items():
        assert set(texts) == {"en", "fr"}, key
        assert texts["en"] and texts["fr"], key


def test_number_formats():
    assert fmt_pct(0.035, "en") == "3.5%"
    assert fmt_pct(0.035, "fr") == f"3,5{NNBSP}%"
    assert fmt_int(1234567, "en") == "1,234,567"
    assert fmt_int(1234, "fr") == f"1{NNBSP}234"
    assert fmt_ratio(3.94, "fr") == "3,9x"
    assert fmt_interval(3.1, 4.8, fmt_ratio, "en") == "3.1x–4.8x"
    assert fmt_pct(float("nan")) == "–"
    assert (
        fmt_date("2024-07-01", "fr") == "1er juil. 2024"
    )  # the first of the month is "1er" in French
    assert fmt_date("2024-07-02", "fr") == "2 juil. 2024"
    assert fmt_date("2024-07-01", "en") == "1 Jul 2024"
    assert fmt_date("2024-07-01", "en", day=False) == "Jul 2024"
    assert (
        fmt_num(-4.04, "fr") == "\u22124,0" and fmt_num(-0.04, "en") == "0.0"
    )  # true minus; no "-0.0"
    assert fmt_p(0.0004, "fr") == "< 0,001" and fmt_p(0.0004, "en") == "< 0.001"
    assert fmt_p(0.004, "en", 2) == "0.004" and fmt_p(0.23, "en", 2) == "0.23"  # never "0.00"


def test_unknown_language():
    with pytest.raises(ValueError, match="unsupported report language"):
        t("title", "de", wave_name="x")
