"""The analysis layer at scale: ids as codes, each figure computed once, the same numbers as the string path.

The fast paths (ids factorised once per :class:`MeasureContext`, lean frames and
panels, the profiles of one wave estimated from its own cells, dense influence
functions) must give exactly the numbers of the straightforward computations
they replace; these tests compare them on small generated programmes, and
check that a second report on the same context recomputes nothing.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from advocacy_eval import metrics
from advocacy_eval.analyses import measures
from advocacy_eval.analyses import wave as wave_module
from advocacy_eval.analyses.measures import (
    MeasureContext,
    add_engagements,
    is_in,
    person_months,
    population,
    positions,
    volunteer_posts,
    window_posts,
)
from advocacy_eval.analyses.programme import programme_results
from advocacy_eval.analyses.wave import posted_within, wave_results
from advocacy_eval.claims import PROGRAMME
from advocacy_eval.effects import onboarding_effect, profiles_attributable
from advocacy_eval.effects.onboarding import estimation_sample
from advocacy_eval.panel import OUTCOMES, build_panel, with_outcomes
from advocacy_eval.sample import generate_programme
from advocacy_eval.schema import Programme
from advocacy_eval.stats._result import level_codes
from advocacy_eval.stats.rates import compare_engagement, compare_rates, group_rate_covariance


@pytest.fixture(scope="module")
def generated() -> Programme:
    """A small generated programme (ids as NaN-valued strings, counts as numpy integers)."""
    prog = generate_programme(seed=3, n_employees=600)
    return Programme(prog.waves, prog.employees, prog.posts, prog.activity)


def _with_ids_as(programme: Programme, dtype: str) -> Programme:
    """The same programme with every id column converted (``"object"``, ``"string"`` or ``"category"``)."""

    def conv(df: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
        out = df.copy()
        for c in cols:
            if c in out.columns:
                out[c] = (
                    out[c].astype(object).where(out[c].notna(), None).astype(dtype)
                    if dtype != "object"
                    else out[c].astype(object).where(out[c].notna(), None)
                )
        return out

    return dataclasses.replace(
        programme,
        employees=conv(programme.employees, ["employee_id", "wave_id", "department", "region"]),
        posts=conv(programme.posts, ["post_id", "author_type", "author_id", "content_type"]),
        activity=conv(programme.activity, ["employee_id"])
        if programme.activity is not None
        else None,
    )


def _numbers(obj) -> list:
    """Every number and text of a result, flattened in a stable order (frames by column)."""
    out: list = []
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            if f.name not in ("result", "_agg", "panel", "waves", "sources", "members"):
                out += _numbers(getattr(obj, f.name))
    elif isinstance(obj, pd.DataFrame):
        for c in obj.columns:
            out += _numbers(obj[c])
    elif isinstance(obj, pd.Series):
        values = obj.astype(object).where(obj.notna(), None).tolist()
        out += [
            float(v)
            if isinstance(v, (int, float, np.number)) and not isinstance(v, bool)
            else (str(v) if v is not None else None)
            for v in values
        ]
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            out += _numbers(v)
    elif isinstance(obj, dict):
        for k in sorted(obj):
            out += _numbers(obj[k])
    elif isinstance(obj, (float, int, np.number)) and not isinstance(obj, bool):
        out.append(float(obj))
    elif obj is None or isinstance(obj, (str, bool, pd.Timestamp)):
        out.append(obj)
    return out


def _same(a: list, b: list) -> None:
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        if isinstance(x, float) and isinstance(y, float):
            assert (np.isnan(x) and np.isnan(y)) or x == pytest.approx(y, rel=1e-12, abs=1e-15)
        else:
            assert x == y


# ----------------------------------------------------------------------------- ids as codes = ids as text


def test_is_in_and_positions_match_pandas() -> None:
    values = pd.Series(["b", None, "a", "z", "b", "c"], dtype="string")
    assert list(is_in(values, ["a", "b"])) == list(values.isin(["a", "b"]).fillna(False))
    ids = pd.Index(["a", "b", "c"])
    assert list(positions(values, ids)) == [1, -1, 0, -1, 1, 2]
    assert list(positions(pd.Series([], dtype="string"), ids)) == []
    known = values.where(values != "z")
    assert list(level_codes(known, ["c", "b", "a"])) == list(
        pd.Categorical(known, categories=["c", "b", "a"]).codes
    )


@pytest.mark.parametrize("dtype", ["object", "string", "category"])
def test_reports_do_not_depend_on_how_ids_are_stored(generated, dtype) -> None:
    """The codes path gives the same numbers whatever the ids' dtype (Arrow strings, objects, categoricals)."""
    other = _with_ids_as(generated, dtype)
    for wave in ("W2", "W3"):
        _same(_numbers(wave_results(other, wave)), _numbers(wave_results(generated, wave)))
    _same(_numbers(programme_results(other)), _numbers(programme_results(generated)))


def test_population_posts_are_the_string_paths(generated) -> None:
    """The context's lean posts are :func:`window_posts` (merge-free) row for row, with the same values."""
    ctx = MeasureContext(generated)
    posts = generated.posts
    for key in ("W1", "W3", PROGRAMME):
        pop = population(generated, key)
        ref = add_engagements(_window_posts_by_merge(generated, pop))
        lean = ctx.window_posts(key)
        assert list(posts["post_id"].iloc[lean["post_id"]]) == list(ref["post_id"])
        assert list(lean["author_id"].astype(str)) == list(ref["author_id"].astype(str))
        assert list(window_posts(generated, pop)["post_id"]) == list(ref["post_id"])
        for col in ("audience_size", "members_reached", "impressions", "engagements"):
            assert np.array_equal(lean[col].to_numpy(float), ref[col].to_numpy(float))
        for kind, res in (
            ("reach", compare_rates(ref, by="author_type", reference="company", vce="cr3")),
            (
                "engagement_rate",
                compare_engagement(ref, by="author_type", reference="company", vce="cr3"),
            ),
        ):
            got = ctx.comparison(key, kind)
            for col in (
                "estimate",
                "ci_low",
                "ci_high",
                "rate_ratio",
                "rate_ratio_ci_low",
                "rate_ratio_ci_high",
                "n_posts",
                "n_clusters",
                "n_cluster_units",
            ):
                np.testing.assert_allclose(
                    got[col].to_numpy(float), res[col].to_numpy(float), rtol=1e-12
                )
            assert list(got["method"]) == list(res["method"])


def _window_posts_by_merge(programme: Programme, pop) -> pd.DataFrame:
    """The previous (string, merge-based) window of a population's posts."""
    posts = programme.posts
    emp = posts.loc[posts["author_type"] == "employee"]
    enrolled = pop.members[["employee_id", "enrolled_on"]].rename(
        columns={"employee_id": "author_id"}
    )
    merged = emp.merge(enrolled, on="author_id", how="inner", validate="many_to_one")
    vol = merged.loc[merged["published_at"] >= merged["enrolled_on"]].drop(columns="enrolled_on")
    page = posts.loc[(posts["author_type"] == "company") & (posts["published_at"] >= pop.start)]
    return pd.concat([page, vol], ignore_index=True)


def test_person_months_are_the_merge_based_ones(generated) -> None:
    for key in ("W2", PROGRAMME):
        pop = population(generated, key)
        months = metrics.month_range(pop.start, pop.data_end)
        grid = metrics.enrolled_months(pop.members, months)
        posts = volunteer_posts(generated, pop.members)
        active = metrics.add_month(posts)[["author_id", "month"]].drop_duplicates()
        ref = grid.merge(
            active.rename(columns={"author_id": "employee_id"}).assign(active=1),
            on=["employee_id", "month"],
            how="left",
        )
        ref["active"] = ref["active"].fillna(0).astype("int64")
        got = person_months(generated, pop)
        assert list(got["employee_id"].astype(str)) == list(ref["employee_id"].astype(str))
        assert (got["month"].to_numpy() == ref["month"].to_numpy()).all()
        assert list(got["active"]) == list(ref["active"])
        assert list(got["department"].astype(str)) == list(ref["department"].astype(str))
        assert got.equals(MeasureContext(generated).person_months(key))


def test_posted_within_is_the_merge_based_one(generated) -> None:
    employees, posts = generated.employees, generated.posts
    end = posts["published_at"].max().normalize()
    for months in (1, 3, 6):
        enrolled = employees.loc[employees["enrolled_on"].notna()].copy()
        enrolled["window_end"] = enrolled["enrolled_on"] + pd.DateOffset(months=months)
        enrolled = enrolled.loc[enrolled["window_end"] <= end + pd.Timedelta(days=1)]
        emp_posts = posts.loc[posts["author_type"] == "employee", ["author_id", "published_at"]]
        merged = emp_posts.merge(
            enrolled[["employee_id", "enrolled_on", "window_end"]],
            left_on="author_id",
            right_on="employee_id",
        )
        inside = merged.loc[
            (merged["published_at"] >= merged["enrolled_on"])
            & (merged["published_at"] < merged["window_end"]),
            "employee_id",
        ].unique()
        expected = enrolled["employee_id"].isin(inside).astype("int64").to_numpy()
        got = posted_within(employees, posts, months, end)
        assert list(got["employee_id"]) == list(enrolled["employee_id"])
        assert list(got["posted"]) == list(expected)


def test_cluster_codes_give_the_string_clusters_results(generated) -> None:
    """Clusters as integer codes or categoricals, post ids factorised only where used: the same covariance."""
    posts = window_posts(generated, population(generated, "W2"))
    y = posts["members_reached"].to_numpy(float)
    e = posts["audience_size"].to_numpy(float)
    ref = group_rate_covariance(
        y,
        e,
        posts["author_type"],
        clusters=posts["author_id"],
        post_ids=posts["post_id"],
        vce="cr3",
    )
    for groups, clusters, post_ids in (
        (
            posts["author_type"].astype("category"),
            posts["author_id"].astype("category"),
            pd.Series(np.arange(len(posts))),
        ),
        (
            posts["author_type"].astype(object),
            pd.Series(pd.factorize(posts["author_id"])[0]),
            posts["post_id"],
        ),
    ):
        got = group_rate_covariance(y, e, groups, clusters=clusters, post_ids=post_ids, vce="cr3")
        assert got.levels == ref.levels
        for attr in ("counts", "n_posts", "n_authors", "n_units", "cov_log", "cov_rate"):
            np.testing.assert_allclose(getattr(got, attr), getattr(ref, attr), rtol=1e-12)


# ----------------------------------------------------------------------------- estimates: same numbers, less work


def test_one_waves_profiles_from_its_own_cells_are_the_full_estimates(generated) -> None:
    panel = build_panel(generated)
    for kw in ({}, {"control": "never_treated"}, {"anticipation": 1}):
        full = profiles_attributable(panel, **kw)
        for wave in panel.waves:
            part = profiles_attributable(panel, waves=[wave], **kw)
            expected = full.loc[full["wave_id"] == wave].reset_index(drop=True)
            assert list(part["wave_id"]) == [wave]
            for col in ("estimate", "se", "ci_low", "ci_high", "p_value", "n"):
                np.testing.assert_allclose(
                    part[col].to_numpy(float), expected[col].to_numpy(float), rtol=1e-12
                )
            assert list(part["method"]) == list(expected["method"])


def test_lean_panel_holds_the_full_panels_values(generated) -> None:
    full = build_panel(generated)
    lean = build_panel(generated, columns=("posts", "has_profile"))
    assert lean.estimable == ("posts", "has_profile")
    assert list(lean.data.columns) == [
        "unit",
        "period",
        "first_period",
        "wave_id",
        "posts",
        "has_profile",
    ]
    for col in lean.data.columns:
        assert lean.data[col].equals(full.data[col])
    assert (
        lean.counts.equals(full.counts)
        and lean.cohorts.equals(full.cohorts)
        and lean.waves == full.waves
    )
    with pytest.raises(ValueError, match="unknown panel column"):
        build_panel(generated, columns=("likes",))


def test_a_panel_with_other_outcomes_is_the_built_one(generated) -> None:
    """Outcomes taken through a lean panel's activity rows give the panel a build with them gives."""
    held = build_panel(generated, columns=("posts", "has_profile"))
    assert build_panel(generated).activity_rows is None  # the full panel holds every outcome
    for outcomes in (("impressions",), ("followers", "engagements"), ("has_profile",), ("posts",)):
        swapped = with_outcomes(held, generated, outcomes)
        built = build_panel(generated, columns=outcomes)
        pd.testing.assert_frame_equal(swapped.data, built.data, check_exact=True)
        assert swapped.estimable == built.estimable == tuple(o for o in OUTCOMES if o in outcomes)
        assert swapped.counts.equals(built.counts) and swapped.cohorts.equals(built.cohorts)
        assert (swapped.notes, swapped.waves) == (built.notes, built.waves)
        assert swapped.months.equals(built.months)
        np.testing.assert_array_equal(swapped.activity_rows, built.activity_rows)
        held = swapped  # a chain of swaps, as a programme report makes
    derived = build_panel(dataclasses.replace(generated, activity=None), columns=("has_profile",))
    with pytest.raises(ValueError, match="activity table"):
        with_outcomes(derived, generated, ("posts",))
    with pytest.raises(ValueError, match="unknown outcome"):
        with_outcomes(held, generated, ("likes",))


def test_a_context_builds_one_lean_panel_for_every_outcome(generated, monkeypatch) -> None:
    """The programme report's outcomes, one lean panel after another, cost one build; the effects are a build's."""
    builds: list[tuple] = []
    real = measures.build_panel

    def counted(*args, **kwargs):
        builds.append(kwargs.get("columns"))
        return real(*args, **kwargs)

    monkeypatch.setattr(measures, "build_panel", counted)
    monkeypatch.setenv("ADVOCACY_EVAL_CACHE", "off")
    ctx = MeasureContext(generated)
    effects = {o: ctx.effect(o) for o in ("posts", "impressions", "followers")}
    assert builds == [("posts", "has_profile")]
    for outcome in ("impressions", "followers"):
        fresh = onboarding_effect(build_panel(generated, columns=(outcome,)), outcome)
        got = effects[outcome]
        assert got is not None
        pd.testing.assert_frame_equal(got.overall, fresh.overall, check_exact=True)


def test_estimation_sample_of_a_sorted_panel_is_the_sorted_one(generated) -> None:
    """A panel is sorted (no sort needed); the same rows shuffled within units are sorted first: same sample."""
    panel = build_panel(generated)
    rng = np.random.default_rng(0)
    d = panel.data
    shuffled = d.iloc[np.lexsort((rng.random(len(d)), d["unit"].to_numpy()))]
    assert not shuffled["period"].is_monotonic_increasing
    for outcome, cov in (("posts", None), ("has_profile", ["has_profile"])):
        a = estimation_sample(panel, outcome, covariates=cov)
        b = estimation_sample(shuffled, outcome, "unit", "period", "first_period", covariates=cov)
        assert a[0].equals(b[0]) and a[1].equals(b[1])


def test_dense_aggregation_is_term_by_term_the_sparse_one(generated) -> None:
    effect = onboarding_effect(build_panel(generated), "posts")
    agg = effect._require_agg()
    keys = sorted(agg.att)
    weights = np.linspace(0.5, 1.5, len(keys))
    sparse = agg.weighted(keys, weights, wif=True)
    agg.densify()
    dense = agg.weighted(keys, weights, wif=True)
    agg.sparsify()
    assert sparse[0] == dense[0] and np.array_equal(sparse[1], dense[1])


# ----------------------------------------------------------------------------- each figure once


def _count_calls(monkeypatch, module, name: str, calls: list | None = None) -> list:
    """Record the calls of ``module.name`` (the outcome for ``onboarding_effect``) in ``calls``."""
    calls = [] if calls is None else calls
    original = getattr(module, name)

    def counted(*args, **kwargs):
        calls.append(
            (args[1] if len(args) > 1 else kwargs.get("outcome"))
            if name == "onboarding_effect"
            else name
        )
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


def test_a_wave_report_fits_one_effect_and_no_full_profile_estimate(generated, monkeypatch) -> None:
    """The release plan needs counts, not estimates; the profiles of the wave come from its own cells."""
    monkeypatch.setenv(
        "ADVOCACY_EVAL_CACHE", "off"
    )  # fits counted, none read from the effect cache
    fits = _count_calls(monkeypatch, measures, "onboarding_effect")
    res = wave_results(generated, "W2")
    assert fits == ["posts"]
    ctx = MeasureContext(generated)
    assert res.profiles == ctx.profile_counts("W2")  # the wave's own cells
    full = ctx.profiles  # now the full estimate: the same row
    assert res.profiles.attributable.estimate == pytest.approx(
        float(full.loc[full["wave_id"] == "W2", "estimate"].iloc[0]), rel=1e-12
    )


def test_second_report_and_previous_wave_reuse_the_context(generated, monkeypatch) -> None:
    monkeypatch.setenv("ADVOCACY_EVAL_CACHE", "off")  # reuse within the context, not from the disk
    ctx = MeasureContext(generated)
    counts: dict = {}
    for name, fn in list(measures.MEASURES.items()):

        def counted(c, key, _fn=fn, _name=name):
            counts[(_name, key)] = counts.get((_name, key), 0) + 1
            return _fn(c, key)

        monkeypatch.setitem(measures.MEASURES, name, counted)
    rates: list = []
    for module in (measures, wave_module):  # wherever the analyses compare posts
        for name in ("compare_rates", "compare_engagement", "content_mix"):
            if hasattr(module, name):
                _count_calls(monkeypatch, module, name, rates)
    fits = _count_calls(monkeypatch, measures, "onboarding_effect")
    w2 = wave_results(generated, "W2", context=ctx)  # measures W2 and, for the change column, W1
    first_rates = len(rates)
    again = wave_results(generated, "W2", context=ctx)
    assert len(rates) == first_rates  # nothing recomputed
    w3 = wave_results(generated, "W3", context=ctx)  # its previous wave, W2, is the context's
    assert all(n == 1 for n in counts.values()), counts
    assert fits == ["posts"]
    assert w3.previous.results == w2.scorecard.results
    assert _numbers(again) == _numbers(w2)
    assert ctx.comparison("W2", "reach") is w2.reach  # the report's reach table is the scorecard's


def test_context_keeps_tables_not_fits(generated) -> None:
    ctx = MeasureContext(generated)
    effect = ctx.effect("posts")
    assert effect.result is None and len(effect.by_wave) and len(effect.event_study)
    fresh = onboarding_effect(build_panel(generated), "posts")
    pd.testing.assert_frame_equal(effect.overall, fresh.overall)
    assert ctx.profiles is not None and set(ctx.profiles["wave_id"]) >= {"W1", "total"}


def test_no_isin_on_text_over_the_posts_or_activity(generated, monkeypatch) -> None:
    """Populations, windows, person-months and activation use codes: no row-by-row ``isin`` on ids as text.

    Not on the posts or activity tables, and not on the roster either (looking up
    the roster's ids in the posts' author ids hashes the posts' text).
    """
    prog = _with_ids_as(generated, "string")
    big = len(prog.employees)
    seen: list = []
    original = pd.Series.isin

    def isin(self, values):
        text = pd.api.types.is_string_dtype(self.dtype) or self.dtype == object
        if text and (len(self) >= big or len(values) >= big):
            seen.append((len(self), len(values)))
        return original(self, values)

    monkeypatch.setattr(pd.Series, "isin", isin)
    wave_results(prog, "W3")
    programme_results(prog)
    assert seen == []


def test_programme_results_describe_the_panel_without_keeping_or_rebuilding_it(
    generated, monkeypatch
) -> None:
    """The report needs the panel's months and counts: no second full panel is built, and no rows are kept."""
    builds: list = []
    real = measures.build_panel
    monkeypatch.setattr(
        measures, "build_panel", lambda *a, **k: builds.append(k.get("columns")) or real(*a, **k)
    )
    res = programme_results(generated)
    assert all(columns is not None for columns in builds), builds  # lean panels only
    full = build_panel(generated)
    assert res.panel.data.empty and list(res.panel.data.columns)
    pd.testing.assert_frame_equal(res.panel.counts, full.counts)
    assert res.panel.months.equals(full.months) and res.panel.estimable == full.estimable
    assert res.n_volunteers == full.count("units_enrolled")


def _plain_frame(programme: Programme, rows: np.ndarray) -> pd.DataFrame:
    """The lean posts frame built the plain way: each column taken, then ``numpy.nansum`` of the terms."""
    posts = programme.posts.iloc[rows]
    out = pd.DataFrame(
        {
            "author_type": pd.Categorical(posts["author_type"].astype(object)),
            "author_id": posts["author_id"].astype(object),
            "post_id": rows.astype(np.int64),
            "content_type": pd.Categorical(posts["content_type"].astype(object)),
        }
    )
    counts = ["audience_size", "impressions", "members_reached", *measures.ENGAGEMENT_TERMS]
    for col in counts:
        out[col] = posts[col].to_numpy(dtype=float, na_value=np.nan)
    terms = [c for c in measures.ENGAGEMENT_TERMS if not out[c].isna().all()]
    out["engagements"] = (
        np.nansum(out[terms].to_numpy(), axis=1) if terms else np.full(len(out), np.nan)
    )
    return out


def test_the_lean_posts_frame_is_the_plain_one(generated) -> None:
    """Counts and engagements written into one float block: the same values, bit for bit, and columns."""
    rng = np.random.default_rng(2)
    posts = generated.posts.copy()
    for col in ("reactions", "audience_size", "clicks"):  # missing values, as real exports have
        posts[col] = posts[col].mask(rng.random(len(posts)) < 0.2)
    posts["comments"] = pd.array([pd.NA] * len(posts), dtype="Int64")  # a term never filled in
    for programme in (generated, dataclasses.replace(generated, posts=posts)):
        codes = measures.ProgrammeCodes(programme)
        n = len(programme.posts)
        for rows in (np.arange(n), np.sort(rng.choice(n, 500)), np.arange(0)):
            got = codes.frame(rows)
            expected = _plain_frame(programme, rows)
            assert list(got.columns) == list(expected.columns)
            for col in expected.columns:
                if col in ("author_type", "author_id", "content_type"):
                    assert list(got[col].astype(object)) == list(expected[col].astype(object))
                else:
                    assert got[col].dtype == expected[col].dtype, col
                    np.testing.assert_array_equal(got[col].to_numpy(), expected[col].to_numpy())


def test_engagements_are_numpys_nansum() -> None:
    rng = np.random.default_rng(3)
    terms = [
        np.where(rng.random(1000) < 0.3, np.nan, rng.integers(0, 10**9, 1000).astype(float))
        for _ in range(4)
    ]
    for k in range(5):
        got = measures._sum_engagements(terms[:k], np.empty(1000))
        expected = np.nansum(np.column_stack(terms[:k]), axis=1) if k else np.full(1000, np.nan)
        np.testing.assert_array_equal(got, expected)
    frame = pd.DataFrame(
        {"reactions": pd.array([1, None, 3], dtype="Int64"), "clicks": [None, None, 2.0]}
    )
    assert list(add_engagements(frame)["engagements"]) == [1.0, 0.0, 5.0]
    assert add_engagements(frame[["clicks"]].iloc[:2])["engagements"].isna().all()
