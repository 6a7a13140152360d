"""The analyst API has pandas habits (issue 15, point 2): each finding of the issue, reproduced.

- posts come with their author's attributes, the page labelled as the page;
- every ``by=`` takes a name or a list, in metrics and stats alike;
- an unknown column lists the available ones and says where it comes from;
- pooling page and employee posts warns about Simpson's paradox and offers the stratified result;
- content_mix counts the page posts it leaves out;
- the library's defaults are the reports' (CR3): the README snippet gives the report's interval;
- results have a short repr and an HTML one; modules define ``__all__``; the package has a docstring;
- plan_next_wave gives whole numbers of people and explains an infinite requirement in words.
"""

from __future__ import annotations

import importlib
import inspect
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from advocacy_eval import metrics, stats
from advocacy_eval.errors import AdvocacyEvalError, ColumnNotFoundError, PooledAuthorTypesWarning
from advocacy_eval.schema import PAGE_LABEL

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def posts(sample_programme) -> pd.DataFrame:
    return sample_programme.posts_with_authors()


# ----------------------------------------------------------------------------- posts with their authors


def test_posts_with_authors_labels_the_page(tiny):
    p = tiny.posts_with_authors().set_index("post_id")
    page = p.loc[["P1", "P2"]]
    assert (
        (page[["department", "region", "wave_id"]] == PAGE_LABEL).all().all()
    )  # not a silent <NA>
    assert page["enrolled_on"].isna().all() and not page["after_enrolment"].any()
    assert p.loc["P3", ["department", "region", "wave_id"]].tolist() == ["IT", "North", "W1"]
    assert (
        p.loc["P3", "enrolled_on"] == pd.Timestamp("2024-01-10") and p.loc["P3", "after_enrolment"]
    )
    assert p.loc["P4", "month"] == pd.Timestamp("2024-02-01")
    full = tiny.posts_with_authors()
    assert len(full) == len(tiny.posts) and list(full.columns[: len(tiny.posts.columns)]) == list(
        tiny.posts.columns
    )


def test_reach_by_department_shows_the_page_as_its_own_group(sample_programme, posts):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the page is its own group: nothing pooled, no warning
        by_dept = metrics.reach_rate(posts, by="department").set_index("department")
    assert PAGE_LABEL in by_dept.index and by_dept["reach_rate"].notna().all()
    page = sample_programme.posts.loc[sample_programme.posts["author_type"] == "company"]
    assert by_dept.loc[PAGE_LABEL, "n_posts"] == len(page)


# ----------------------------------------------------------------------------- by= takes a name or a list


def test_compare_rates_accepts_a_list_of_columns(posts):
    # before: TypeError: unhashable type: 'list'
    res = stats.compare_rates(posts, by=["author_type", "month"])
    assert {"author_type", "month"} <= set(res.columns)
    desc = metrics.reach_rate(posts, by=["author_type", "month"])
    merged = res.merge(desc, on=["author_type", "month"])
    assert len(merged) == len(res) == len(desc)
    np.testing.assert_allclose(merged["estimate"], merged["reach_rate"], rtol=1e-12)
    assert (
        res["level"].iloc[0] == "company / 2024-01-01" and res["by"].iloc[0] == "author_type, month"
    )
    assert (res["ci_low"] < res["estimate"]).all() and (res["estimate"] < res["ci_high"]).all()


def test_compare_rates_list_reference_as_a_tuple(posts):
    ref = ("company", pd.Timestamp("2025-01-01"))
    res = stats.compare_rates(posts, by=["author_type", "month"], reference=ref)
    assert (res["reference"] == "company / 2025-01-01").all()
    assert res.loc[res["level"] == "company / 2025-01-01", "rate_ratio"].iloc[0] == 1.0


def test_every_by_takes_a_list(posts):
    by = ["wave_id", "region"]
    assert {"wave_id", "region"} <= set(stats.content_mix(posts, by=by, min_clusters=1).columns)
    assert {"author_type", "content_type"} <= set(
        stats.compare_engagement(posts, by=["author_type", "content_type"]).columns
    )
    flagged = posts.assign(corporate=(posts["content_type"] == "corporate").astype(int))
    table = stats.proportion_table(flagged, "corporate", by=["author_type", "wave_id"])
    assert {"author_type", "wave_id"} <= set(table.columns)
    assert table.loc[table["wave_id"] == "W1", "estimate"].iloc[0] == pytest.approx(
        flagged.loc[flagged["wave_id"] == "W1", "corporate"].mean()
    )
    compared = stats.compare_proportions(flagged, "corporate", by=["author_type", "wave_id"])
    assert compared["level"].str.contains(" / ").all()
    design = stats.rate_design(posts, by=["author_type", "wave_id"])
    assert {"author_type", "wave_id"} <= set(design.columns)
    assert set(metrics.content_mix(posts, by=by).columns) >= {
        "wave_id",
        "region",
        "corporate_share",
    }
    assert set(metrics.engagement_rate(posts, by=["author_type", "month"]).columns) >= {
        "author_type",
        "month",
    }


# ----------------------------------------------------------------------------- unknown columns


@pytest.mark.parametrize(
    "call",
    [
        lambda p: metrics.reach_rate(p, by="department"),
        lambda p: metrics.engagement_rate(p, by=["author_type", "department"]),
        lambda p: metrics.content_mix(p, by="department"),
        lambda p: stats.compare_rates(p, by="department"),
        lambda p: stats.compare_rates(p, by=["author_type", "department"]),
        lambda p: stats.content_mix(p, by="department"),
        lambda p: stats.rate_design(p, by="department"),
    ],
)
def test_an_author_attribute_on_bare_posts_points_to_the_join(sample_programme, call):
    with pytest.raises(ColumnNotFoundError) as info:
        call(sample_programme.posts)
    message = str(info.value)
    assert message.startswith("'department'") and "is not a column of posts" in message
    assert "available: post_id, author_type, author_id" in message
    assert "programme.posts_with_authors()" in message
    assert isinstance(info.value, KeyError) and isinstance(
        info.value, AdvocacyEvalError
    )  # except KeyError still works
    assert info.value.column == "department" and "post_id" in info.value.available


def test_a_missing_month_says_how_to_add_it(sample_programme):
    with pytest.raises(ColumnNotFoundError, match=r"'month' .*add it with metrics.add_month"):
        metrics.reach_rate(sample_programme.posts, by=["author_type", "month"])
    with pytest.raises(ColumnNotFoundError, match=r"metrics\.add_month"):
        stats.compare_rates(sample_programme.posts, by="author_type", within="month")


def test_a_typo_suggests_the_close_name(posts):
    with pytest.raises(ColumnNotFoundError, match=r"did you mean 'department'\?"):
        stats.compare_rates(posts, by="deparment")
    with pytest.raises(ColumnNotFoundError, match="'reach' \\(numerator column\\)"):
        stats.compare_rates(posts, numerator="reach")


def test_participation_by_an_unknown_attribute_lists_the_valid_ones(sample_programme):
    with pytest.raises(ColumnNotFoundError, match="available: wave_id, department, region"):
        metrics.participation_rate(sample_programme.employees, sample_programme.posts, by="team")


# ----------------------------------------------------------------------------- Simpson's paradox


def test_pooling_page_and_employee_posts_warns_and_offers_the_stratified_result(posts):
    """The issue's example: 1.73x pooled, 0.94 (0.87-1.02) among employees alone."""
    with pytest.warns(PooledAuthorTypesWarning, match="Simpson's paradox") as record:
        pooled = stats.compare_rates(posts, by="content_type")
    message = str(record[0].message)
    assert "within='author_type'" in message
    assert record[0].filename == __file__  # points at the caller's line
    assert pooled.set_index("level").loc["non_corporate", "rate_ratio"] == pytest.approx(
        1.73, abs=0.005
    )

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        stratified = stats.compare_rates(posts, by="content_type", within="author_type")
    emp = stratified.loc[
        (stratified["author_type"] == "employee") & (stratified["level"] == "non_corporate")
    ].iloc[0]
    assert round(emp["rate_ratio"], 2) == 0.94
    assert (round(emp["rate_ratio_ci_low"], 2), round(emp["rate_ratio_ci_high"], 2)) == (0.87, 1.02)
    # the stratum's fit is the employees' own comparison
    alone = stats.compare_rates(posts.loc[posts["author_type"] == "employee"], by="content_type")
    assert emp["rate_ratio"] == pytest.approx(alone["rate_ratio"].iloc[1], rel=1e-12)
    assert list(stratified.columns[:3]) == ["author_type", "by", "level"]
    assert (stratified["within"] == "author_type").all()


def test_metrics_rates_warn_too_and_pure_groups_do_not(posts):
    with pytest.warns(PooledAuthorTypesWarning, match="Simpson's paradox"):
        metrics.reach_rate(posts, by="content_type")
    with pytest.warns(PooledAuthorTypesWarning):
        metrics.engagement_rate(posts, by="month")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        metrics.reach_rate(posts, by=["author_type", "content_type"])
        stats.compare_rates(posts, by="author_type")
        stats.compare_rates(posts.loc[posts["author_type"] == "employee"], by="content_type")
        stats.compare_rates(posts, by="author_type", within="month")


def test_within_a_stratum_without_the_reference_keeps_rates_without_ratios(posts):
    early = posts.loc[posts["published_at"] < "2024-08-01"]  # volunteers start posting in July 2024
    res = stats.compare_rates(early, by="author_type", within="month")
    january = res.loc[res["month"] == pd.Timestamp("2024-01-01")]
    assert january["level"].tolist() == ["company"] and january["rate_ratio"].iloc[0] == 1.0
    no_page = early.loc[early["author_type"] == "employee"]
    res = stats.compare_rates(
        pd.concat([early.loc[early["author_type"] == "company"].iloc[:5], no_page]),
        by="author_type",
        within="month",
        reference="company",
    )
    july = res.loc[res["month"] == pd.Timestamp("2024-07-01")].set_index("level")
    assert "company" not in july.index and np.isnan(july.loc["employee", "rate_ratio"])
    assert july.loc["employee", "estimate"] > 0 and july.loc["employee", "reference"] == "company"


# ----------------------------------------------------------------------------- content mix


def test_content_mix_counts_the_page_posts_it_leaves_out(sample_programme):
    n_page = int((sample_programme.posts["author_type"] == "company").sum())
    res = stats.content_mix(sample_programme.posts)
    assert (res["n_excluded"] == n_page).all()
    assert f"{n_page} posts of other author types left out" in res["method"].iloc[0]
    everything = stats.content_mix(sample_programme.posts, author_type=None)
    assert (everything["n_excluded"] == 0).all() and (
        everything["n"] == len(sample_programme.posts)
    ).all()
    desc = metrics.content_mix(sample_programme.posts).iloc[0]
    assert desc["n_excluded"] == n_page and desc["n_posts"] == res["n"].iloc[0]


# ----------------------------------------------------------------------------- defaults = the reports'


def test_compare_rates_defaults_to_the_reports_variance(posts):
    from advocacy_eval.analyses.measures import VCE

    assert inspect.signature(stats.compare_rates).parameters["vce"].default == VCE == "cr3"
    assert (stats.compare_rates(posts)["vce"] == "cr3").all()
    assert (stats.compare_engagement(posts)["vce"] == "cr3").all()


def _readme_python() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"In Python:\n\n```python\n(.*?)```", text, re.S)
    assert match, "README's Python snippet not found"
    return match.group(1)


def test_readme_snippet_runs_and_gives_the_reports_interval(monkeypatch):
    monkeypatch.chdir(ROOT)
    namespace: dict = {}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the snippet shows good habits: no pooled comparison
        exec(compile(_readme_python(), "README.md", "exec"), namespace)
    res, m = namespace["res"], namespace["m"]
    row = res.set_index("level").loc["employee"]
    assert (
        row["rate_ratio"],
        row["rate_ratio_ci_low"],
        row["rate_ratio_ci_high"],
    ) == pytest.approx((m.estimate, m.ci_low, m.ci_high), rel=1e-12)
    shown = re.search(r"\((\d\.\d\d)x, (\d\.\d\d)-(\d\.\d\d)\)", _readme_python())
    assert shown and tuple(float(x) for x in shown.groups()) == (
        round(m.estimate, 2),
        round(m.ci_low, 2),
        round(m.ci_high, 2),
    )


# ----------------------------------------------------------------------------- representations


@pytest.fixture(scope="module")
def wave(sample_programme):
    from advocacy_eval.analyses.wave import wave_results

    return wave_results(sample_programme, "W1")


def test_results_have_a_short_repr_and_an_html_one(sample_programme, wave):
    from advocacy_eval.analyses.planning import plan_next_wave
    from advocacy_eval.panel import build_panel

    objects = {
        "WaveResults": wave,
        "Scorecard": wave.scorecard,  # 7,257 characters of dumped results before
        "ClaimResult": wave.scorecard.results[0],
        "Measurement": wave.scorecard.results[0].measurement,
        "Panel": build_panel(sample_programme),  # 3,320 before
        "NextWavePlan": plan_next_wave(sample_programme, sizes=(100, 300)),  # 1,989 before
        "Programme": sample_programme,
        "Estimate": wave.employee_reach_rate,  # its method alone is 400 characters
        "ProfileCounts": wave.profiles,
    }
    for name, obj in objects.items():
        text = repr(obj)
        assert text.startswith(name + "(") and len(text) < 400 and "\n" not in text, (
            name,
            len(text),
            text,
        )
        html = obj._repr_html_()
        assert html.startswith("<div") and "<table" in html, name
    assert "supported" in repr(wave.scorecard) or "inconclusive" in repr(wave.scorecard)


@pytest.fixture(scope="module")
def programme_res(sample_programme):
    from advocacy_eval.analyses.programme import programme_results

    return programme_results(sample_programme)


def test_onboarding_effect_and_programme_results_show_key_figures_briefly(
    sample_programme, programme_res
):
    """``OnboardingEffect`` printed 5,661 characters of tables before; the programme had no HTML."""
    from advocacy_eval._display import interval
    from advocacy_eval.claims import PROGRAMME

    effect = programme_res.headline
    o = effect.overall.iloc[0]
    att = interval(o["estimate"], o["ci_low"], o["ci_high"])  # e.g. "0.4 (0.3–0.5)"
    text = repr(effect)
    assert text.startswith(f"OnboardingEffect({effect.outcome}: ATT {att}, ")
    assert len(text) < 200 and "\n" not in text, (len(text), text)
    html = effect._repr_html_()
    assert html.startswith("<div") and att in html and "<details><summary>event study" in html

    text = repr(programme_res)
    assert text.startswith("ProgrammeResults(") and len(text) < 600 and "\n" not in text  # 9 claims
    html = programme_res._repr_html_()
    assert html.startswith("<div") and att in html
    assert f"<td style='text-align:left'>{programme_res.n_volunteers:,}</td>" in html
    for r in programme_res.scorecard.for_population(PROGRAMME):
        assert f"{r.verdict}: {r.measurement.summary()}" in html, r.claim.key
    assert "<details><summary>effect by wave" in html
    ids = set(sample_programme.employees["employee_id"])
    assert not set(re.findall(r"E\d{4}", html)) & ids


def test_html_summaries_show_no_employee_identifier(sample_programme, wave):
    from advocacy_eval.panel import build_panel

    ids = set(sample_programme.employees["employee_id"])
    for obj in (wave, wave.scorecard, build_panel(sample_programme), sample_programme):
        found = set(re.findall(r"E\d{4}", obj._repr_html_())) & ids
        assert not found, (type(obj).__name__, sorted(found)[:3])


def test_scorecard_summary_table(wave):
    table = wave.scorecard.to_summary()
    assert list(table.columns) == list(wave.scorecard.populations)
    assert table.index.name == "claim" and len(table) == len(wave.scorecard.claims)
    assert table.iloc[0, 0].split(":")[0] in ("supported", "contradicted", "inconclusive")


# ----------------------------------------------------------------------------- __all__ and the docstring

PUBLIC_MODULES = (
    "advocacy_eval.metrics",
    "advocacy_eval.schema",
    "advocacy_eval.claims",
    "advocacy_eval.errors",
    "advocacy_eval.panel",
    "advocacy_eval.cookbook",
    "advocacy_eval.stats",
    "advocacy_eval.stats.rates",
    "advocacy_eval.stats.proportions",
    "advocacy_eval.stats.power",
    "advocacy_eval.stats.robust",
    "advocacy_eval.stats.multiplicity",
    "advocacy_eval.privacy",
    "advocacy_eval.privacy.suppression",
    "advocacy_eval.privacy.pseudonym",
    "advocacy_eval.privacy.release",
    "advocacy_eval.io",
    "advocacy_eval.io.validate",
    "advocacy_eval.io.snapshot",
    "advocacy_eval.analyses.measures",
    "advocacy_eval.analyses.wave",
    "advocacy_eval.analyses.results",
    "advocacy_eval.analyses.planning",
)


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_modules_define_all(name: str):
    module = importlib.import_module(name)
    public = getattr(module, "__all__", None)
    assert public is not None, f"{name} has no __all__"
    assert not {"np", "pd", "annotations", "pa", "warnings"} & set(public)
    missing = [n for n in public if not hasattr(module, n)]
    assert not missing, missing
    assert len(public) == len(set(public))


def test_tab_completion_of_metrics_hides_imports():
    assert not {"np", "pd", "annotations", "warnings", "Sequence"} & set(dir(metrics))
    assert "reach_rate" in dir(metrics)
    from IPython.core.completer import provisionalcompleter
    from IPython.testing.globalipapp import get_ipython

    ip = get_ipython()
    ip.run_cell("from advocacy_eval import metrics")
    for jedi in (True, False):
        ip.Completer.use_jedi = jedi
        with provisionalcompleter():
            names = {c.text.lstrip(".") for c in ip.Completer.completions("metrics.", 8)}
        assert "reach_rate" in names and not {"np", "pd", "annotations"} & names, (
            jedi,
            sorted(names)[:10],
        )


def test_the_package_has_a_docstring():
    import advocacy_eval

    assert advocacy_eval.__doc__ and "posts_with_authors" in advocacy_eval.__doc__


# ----------------------------------------------------------------------------- plan_next_wave


def test_plan_next_wave_counts_people_in_whole_numbers(sample_programme):
    from advocacy_eval.analyses.planning import plan_next_wave

    plan = plan_next_wave(sample_programme, sizes=(100, 300))
    assert pd.api.types.is_integer_dtype(plan.reach["posting_authors"])  # not 94.429 authors
    assert pd.api.types.is_integer_dtype(plan.participation["volunteers"])
    assert pd.api.types.is_integer_dtype(plan.required["volunteers"])  # not "149.0" volunteers
    so_far = plan.observed.set_index("name").loc["volunteers_so_far", "value"]
    assert isinstance(so_far, (int, np.integer)) and so_far == 700
    shown = plan.required.to_string()
    assert "149.0" not in shown and "inf" not in shown.replace("information", "")


def test_plan_next_wave_explains_an_infinite_requirement_in_words(sample_programme):
    from advocacy_eval.analyses.planning import plan_next_wave

    plan = plan_next_wave(
        sample_programme, claimed_ratio=4.0
    )  # observed 4.10x: the page's uncertainty dominates
    row = plan.required.iloc[1]
    assert pd.isna(row["volunteers"])
    assert (
        row["note"].startswith("no number of volunteers would")
        and "company page's own uncertainty" in row["note"]
    )
    assert "more months of page posts" in row["note"]
    far = plan_next_wave(sample_programme, claimed_ratio=2.0).required.iloc[1]
    assert far["volunteers"] >= 1 and far["note"].startswith(
        f"{int(far['volunteers']):,} volunteers"
    )
    assert "no number would do" in repr(plan)
