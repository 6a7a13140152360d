"""Real exports as analysts download them (tests/export_fixtures.py): one command per file, no extra flags.

Covers issue 13: the followers export rebuilt into daily counts, classification by rules with a
review file, member exports of any period merged without double counting, and the whole chain
roster + page + followers + platform + members -> validate -> report.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest

from advocacy_eval.cli import main
from advocacy_eval.errors import DataValidationError
from advocacy_eval.io import load_programme
from advocacy_eval.io.imports import ImportRefused, import_files
from advocacy_eval.io.imports.rules import classify, load_rules

from . import export_fixtures as ef

KEY = bytes.fromhex("5f0c1d2e3b4a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0")
AS_OF = "2024-07-15"


def run(kind: str, files, into: Path, **kwargs):
    kwargs.setdefault("key", KEY)
    kwargs.setdefault("as_of", AS_OF)
    return import_files(kind, files if isinstance(files, list) else [files], into, **kwargs)


def failures_of(kind: str, files, into: Path, **kwargs) -> pd.DataFrame:
    with pytest.raises(DataValidationError) as info:
        run(kind, files, into, **kwargs)
    return info.value.failures


def snapshot(folder: Path) -> dict[str, bytes]:
    return (
        {
            str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*"))
            if p.is_file()
        }
        if folder.exists()
        else {}
    )


@pytest.fixture(scope="module")
def exports(tmp_path_factory) -> ef.ProgrammeExports:
    return ef.programme_exports(tmp_path_factory.mktemp("exports"))


# --------------------------------------------------------------------------- followers export


@pytest.mark.parametrize(
    "lang, suffix", [("en", ".xls"), ("fr", ".xlsx"), ("en", ".xlsx"), ("fr", ".xls")]
)
def test_followers_export_rebuilds_the_daily_count_backwards(tmp_path, lang, suffix):
    start, end, total = dt.date(2024, 1, 1), dt.date(2024, 3, 31), 12_000
    path = ef.write_page_followers(
        tmp_path / f"acme_followers_{ef.ms_timestamp(dt.date(2024, 4, 1))}{suffix}",
        start,
        end,
        total,
        lang=lang,
        left_out=75,
        disclaimer=lang == "fr",
    )
    result = run("linkedin-followers", path, tmp_path / "d")
    stored = pd.read_csv(tmp_path / "d" / "linkedin" / "page_followers.csv", parse_dates=["date"])
    assert len(stored) == (end - start).days + 1 and stored["date"].is_unique
    for day in (start, dt.date(2024, 2, 14), end):
        expected = ef.followers_on(day, start, end, total)
        assert stored.loc[stored["date"] == pd.Timestamp(day), "followers"].item() == expected
    assert stored["followers"].iloc[-1] == total  # the last day is today's total
    new = {d: int(s) + o + int(a) for d, s, o, a in ef.new_followers_by_day(start, end)}
    assert stored["new_followers"].tolist() == [new[d.date()] for d in stored["date"]]
    notes = " ".join(result.files[0].notes)
    assert "unfollows are unknown" in notes and "lower bound" in notes
    company_size = "'Company size'" if lang == "en" else "'Taille de l’entreprise'"
    assert (
        f"sum of {company_size}" in notes and str(total - 75) in notes
    )  # the largest sum, the others noted
    log = pd.read_csv(tmp_path / "d" / "import_log.csv")
    assert "unfollows are unknown" in log["notes"].iloc[0]
    assert (log["period_start"].iloc[0], log["period_end"].iloc[0]) == ("2024-01-01", "2024-03-31")


def test_page_import_after_the_followers_export_needs_no_page_followers(tmp_path, exports):
    folder = tmp_path / "d"
    with pytest.raises(
        DataValidationError
    ) as info:  # before: refused, saying which export to import
        run("linkedin-page", exports.page_jan_mar, folder, rules=exports.rules)
    assert info.value.failures["rule"].str.contains("import linkedin-followers FILE").all()
    run("linkedin-followers", exports.followers, folder)
    run("linkedin-page", exports.page_jan_mar, folder, rules=exports.rules)
    posts = pd.read_csv(folder / "posts.csv", parse_dates=["published_at"])
    window = exports.followers_window
    for post in posts.itertuples():
        assert post.audience_size == ef.followers_on(
            post.published_at.date(), *window, exports.followers_total
        )
    assert "unfollows unknown" in " ".join(pd.read_csv(folder / "import_log.csv")["notes"].dropna())


def test_followers_export_errors_name_file_sheet_row_and_column(tmp_path):
    start, end = dt.date(2024, 1, 1), dt.date(2024, 1, 31)
    good = ef.write_page_followers(tmp_path / "acme_followers_1706781600000.xlsx", start, end, 5000)
    import openpyxl

    book = openpyxl.load_workbook(good)
    book["New followers"]["E6"] = 99  # a running total where the day's new followers belong
    book["New followers"].delete_rows(10)  # a missing day
    bad = tmp_path / "acme_followers_1706781600001.xlsx"
    book.save(bad)
    f = failures_of("linkedin-followers", bad, tmp_path / "d")
    first = f.iloc[0]
    assert first["file"] == f"{bad.name} [New followers]" and first["row"] == 6
    assert (
        first["column"] == "Total followers"
        and "must equal Sponsored + Organic + Auto-invited" in first["rule"]
    )
    assert float(first["value"]) == 99
    late = ef.write_page_followers(
        tmp_path / f"acme_followers_{ef.ms_timestamp(dt.date(2024, 3, 1))}.xlsx", start, end, 5000
    )
    f = failures_of("linkedin-followers", late, tmp_path / "d")
    assert (
        "the daily rows end on 2024-01-31 but the file was exported on 2024-03-01"
        in f.iloc[0]["rule"]
    )
    tiny = ef.write_page_followers(tmp_path / "acme_followers_1706781600002.xlsx", start, end, 40)
    f = failures_of("linkedin-followers", tiny, tmp_path / "d")
    assert "the rebuilt follower count is <= 0" in f.iloc[0]["rule"] and f.iloc[0]["row"] == 2
    assert not (tmp_path / "d").exists()


def test_gap_in_the_followers_days_is_refused(tmp_path):
    path = ef.write_page_followers(
        tmp_path / "acme_followers_1706781600000.xlsx",
        dt.date(2024, 1, 1),
        dt.date(2024, 1, 31),
        5000,
    )
    import openpyxl

    book = openpyxl.load_workbook(path)
    book["New followers"].delete_rows(10)  # 1/9/2024 removed
    book.save(path)
    f = failures_of("linkedin-followers", path, tmp_path / "d")
    assert f.iloc[0]["row"] == 10 and "a day is missing before this one" in f.iloc[0]["rule"]
    assert f.iloc[0]["value"] == "2024-01-10"


# --------------------------------------------------------------------------- page content + rules


@pytest.fixture(scope="module")
def page_folder(tmp_path_factory, exports):
    """Two overlapping page content exports (one imported twice) and a followers export, rules only."""
    folder = tmp_path_factory.mktemp("page") / "data"
    results = [
        run("linkedin-followers", exports.followers, folder),
        run("linkedin-page", exports.page_jan_mar, folder, rules=exports.rules),
        run(
            "linkedin-page",
            [exports.page_jan_mar, exports.page_feb_apr],
            folder,
            rules=exports.rules,
        ),
        run("linkedin-page", exports.page_feb_apr, folder, rules=exports.rules),
    ]
    return folder, results


def test_overlapping_page_exports_give_each_post_once_with_its_latest_metrics(page_folder, exports):
    folder, results = page_folder
    posts = pd.read_csv(folder / "posts.csv")
    assert posts["post_id"].is_unique and len(posts) == len(exports.page_posts_latest) == 8
    latest = pd.DataFrame(
        [
            {"post_id": urn, "impressions": p.impressions, "clicks": p.clicks, "reactions": p.likes}
            for urn, p in exports.page_posts_latest.items()
        ]
    )
    merged = posts.merge(latest, on="post_id", suffixes=("", "_truth"))
    for col in ("impressions", "clicks", "reactions"):
        assert (merged[col] == merged[f"{col}_truth"]).all(), col
    assert (
        posts["members_reached"].isna().all()
    )  # LinkedIn's All posts has no unique reach: never impressions
    assert results[2].files[0].status == "already imported" and results[3].noop
    assert results[2].counts["posts"] == {"added": 2, "updated": 4, "unchanged": 0}
    raw = sorted(p.name for p in (folder / "raw").iterdir())
    assert len(raw) == 3 and [n for n in raw if n.endswith(exports.page_jan_mar.name)]
    for path in (exports.followers, exports.page_jan_mar, exports.page_feb_apr):
        copy = next(p for p in (folder / "raw").iterdir() if p.name.endswith(path.name))
        assert copy.read_bytes() == path.read_bytes()
    log = pd.read_csv(folder / "import_log.csv")
    assert len(log) == 3 and log["sha256"].is_unique
    daily = pd.read_csv(folder / "linkedin" / "page_daily.csv")
    assert (
        daily["date"].is_unique
        and daily["date"].min() == "2024-01-01"
        and daily["date"].max() == "2024-04-30"
    )
    hist = pd.read_csv(folder / "history" / "posts.csv")
    assert len(hist) == 6 + 6  # one snapshot per post and file, the re-imported file never twice


def test_rules_classify_page_posts_and_the_review_file_says_why(page_folder, exports):
    folder, results = page_folder
    posts = pd.read_csv(folder / "posts.csv").set_index("post_id")
    by_n = {p.n: p.urn for p in exports.page_posts_latest.values()}
    expected = {
        1: ("corporate", "company"),
        2: ("non_corporate", "industry"),
        3: ("corporate", "recruitment"),
        4: ("unclassified", None),
        5: ("corporate", "company"),
        6: ("non_corporate", "industry"),
        7: ("unclassified", None),
        8: ("corporate", "recruitment"),
    }
    for n, (ctype, theme) in expected.items():
        assert posts.loc[by_n[n], "content_type"] == ctype, n
        assert (
            pd.isna(posts.loc[by_n[n], "theme"])
            if theme is None
            else posts.loc[by_n[n], "theme"] == theme
        ), n
    first = results[1]
    assert first.classification == {
        "corporate": 3,
        "non_corporate": 2,
        "unclassified": 1,
        "conflicts": 0,
    }
    review = pd.read_csv(folder / first.review_file)
    assert len(review) == 6 and set(review["decided_by"]) == {"rule", "unclassified"}
    row = review.set_index("post_id").loc[by_n[3]]
    assert row["rule"] == "rule 1 (Recruitment)" and row["matched"] == "hashtag #acmerecrute"
    assert row["row"] == 5 and row["file"] == exports.page_jan_mar.name
    assert review.set_index("post_id").loc[by_n[5], "matched"] == "campaign marque employeur 2024"
    second = pd.read_csv(folder / results[2].review_file).set_index("post_id")
    assert second.loc[by_n[3], "decided_by"] == "kept"  # classified by the first import: kept
    assert second.loc[by_n[8], "matched"] == "hashtag #hiring"
    assert "2 unclassified (kept, left out of the content mix)" in results[2].summary()


def test_rules_precedence_matching_and_conflicts():
    rules = load_rules(
        {
            "rules": [
                {
                    "name": "Jobs",
                    "content_type": "corporate",
                    "theme": "jobs",
                    "hashtags": ["#Recrutement"],
                    "domains": ["careers.acme.example"],
                },
                {"content_type": "non_corporate", "keywords": ["événement", "art"]},
            ]
        }
    )
    text = pd.Series(
        [
            "Grand #recrutement",
            "#RecrutementOuvert",
            "Une fête",
            "un ÉVÈNEMENT à Lyon",
            "la party",
            "art et #Recrutement",
            "https://eu.careers.acme.example/x",
            "",
            "",
        ]
    )
    ids = pd.Series([f"p{i}" for i in range(len(text))])
    tag = pd.Series([None] * 7 + ["corporate", "unclassified"])
    given = pd.DataFrame({"content_type": [None] * 8 + ["non_corporate"], "theme": None})
    existing = pd.DataFrame(
        {
            "post_id": ["p1", "p4"],
            "content_type": ["non_corporate", "unclassified"],
            "theme": ["kept", None],
        }
    )
    out = classify(ids, given=given, tag=tag, existing=existing, rules=rules, text=text)
    assert out["content_type"].tolist() == [
        "corporate",
        "non_corporate",
        "unclassified",
        "non_corporate",
        "unclassified",
        "corporate",
        "corporate",
        "corporate",
        "non_corporate",
    ]
    assert out["decided_by"].tolist() == [
        "rule",
        "kept",
        "unclassified",
        "rule",
        "unclassified",
        "rule",
        "rule",
        "platform tag",
        "given",
    ]
    assert (
        out.loc[0, "matched"] == "hashtag #recrutement"
        and out.loc[3, "matched"] == 'keyword "evenement"'
    )
    assert (
        out.loc[5, "also_matched"] == "rule 2: non_corporate"
    )  # both types matched: the first rule kept
    assert out.loc[6, "matched"] == "domain careers.acme.example" and out.loc[1, "theme"] == "kept"


def test_a_bad_rules_file_is_refused_naming_the_rule_and_the_field(tmp_path, exports):
    bad = tmp_path / "rules.toml"
    bad.write_text(
        '[[rules]]\nname = "Jobs"\ncontent_type = "corp"\nhashtags = ["#ok"]\n\n'
        '[[rules]]\ncontent_type = "corporate"\n\n'
        '[[rules]]\ncontent_type = "non_corporate"\ndomains = ["not a domain"]\nkeyword = ["x"]\n',
        encoding="utf-8",
    )
    with pytest.raises(ImportRefused) as info:
        run("linkedin-page", exports.page_jan_mar, tmp_path / "d", rules=bad)
    message = str(info.value)
    assert "rules file rules.toml is not usable" in message
    assert "rule 1 ('Jobs'): content_type 'corp' must be one of corporate, non_corporate" in message
    assert (
        "rule 2: no condition: give at least one of hashtags, keywords, domains, campaigns"
        in message
    )
    assert (
        "rule 3: unknown field(s) keyword" in message
        and "domains: 'not a domain' is not a domain" in message
    )
    assert not (tmp_path / "d").exists()
    with pytest.raises(ImportRefused, match="applies to linkedin-page and platform imports"):
        run("roster", exports.roster, tmp_path / "d", rules=exports.rules)


def test_french_page_export_matches_the_english_one(tmp_path, exports):
    folder = tmp_path / "d"
    run("linkedin-followers", exports.followers, folder)
    run("linkedin-page", exports.page_feb_apr_fr, folder, rules=exports.rules)
    fr = pd.read_csv(folder / "posts.csv")
    run(
        "linkedin-page", exports.page_feb_apr, folder, rules=exports.rules
    )  # same export date, same values
    assert pd.read_csv(folder / "posts.csv").equals(fr) and len(fr) == 6
    assert pd.read_csv(folder / "import_log.csv")["lang"].tolist()[1:] == ["fr", "en"]


def test_content_mix_leaves_unclassified_posts_out():
    from advocacy_eval import metrics
    from advocacy_eval.stats import content_mix

    posts = pd.DataFrame(
        {
            "post_id": [f"p{i}" for i in range(8)],
            "author_type": "employee",
            "author_id": ["a", "a", "b", "b", "c", "c", "d", "d"],
            "content_type": [
                "corporate",
                "non_corporate",
                "non_corporate",
                "unclassified",
                "corporate",
                "unclassified",
                "non_corporate",
                "non_corporate",
            ],
        }
    )
    mix = metrics.content_mix(posts).iloc[0]
    assert (mix["n_posts"], mix["n_corporate"], mix["n_unclassified"]) == (6, 2, 2)
    assert mix["corporate_share"] == pytest.approx(2 / 6)
    res = content_mix(posts, min_clusters=1)
    assert (res["n"] == 6).all() and (res["n_unclassified"] == 2).all()
    assert res["estimate"].tolist() == pytest.approx([2 / 6, 2 / 6])
    with pytest.raises(ValueError, match=r"no classified posts left .*2 unclassified"):
        content_mix(posts.assign(content_type="unclassified").iloc[:2], min_clusters=1)


# --------------------------------------------------------------------------- member exports


@pytest.fixture(scope="module")
def member_folder(tmp_path_factory, exports):
    """The roster, then volunteer 0's French 90-day export, then the overlapping English one (twice)."""
    folder = tmp_path_factory.mktemp("members") / "data"
    run("roster", exports.roster, folder)
    mapping = str(exports.member_employees)
    first = run("linkedin-member", exports.members["v0_fr"], folder, employee_id=mapping)
    after_first = snapshot(folder)
    second = run("linkedin-member", exports.members["v0_en"], folder, employee_id=mapping)
    again = run(
        "linkedin-member",
        [exports.members["v0_en"], exports.members["v0_fr"]],
        folder,
        employee_id=mapping,
    )
    return folder, first, second, again, after_first


def test_a_90_day_french_member_export_imports(member_folder, exports):
    folder, first, _, _, after_first = member_folder
    start, end = exports.member_periods["v0_fr"]
    assert (
        (end - start).days + 1 == 90
        and first.files[0].lang == "fr"
        and first.files[0].date_order == "DMY"
    )
    daily = pd.read_csv(folder / "linkedin" / "member_daily.csv")
    activity_rows = first.counts["activity"]["added"]
    assert (
        activity_rows == 3
    )  # January, February, March (to date: the export ends on 30 March, its day)
    truth = ef.member_truth(start, end)
    assert first.counts["linkedin/member_daily"]["added"] == 90
    raw = [name for name in after_first if name.startswith("raw/") and "linkedin-member" in name]
    assert (
        len(raw) == 1
        and raw[0].endswith("_2024-01-01_2024-03-30.xlsx")
        and "Personne00" not in raw[0]
    )
    periods = pd.read_csv(folder / "linkedin" / "member_periods.csv")
    fr = periods[periods["start"] == "2024-01-01"].iloc[0]
    assert fr["impressions"] == truth["impressions"] and fr["members_reached"] == int(
        truth["impressions"] * 0.6
    )
    assert "unique over 2024-01-01..2024-03-30 only" in " ".join(first.files[0].notes)
    assert daily["date"].is_unique


def test_an_overlapping_member_export_counts_nothing_twice(member_folder, exports):
    folder, _, second, again, _ = member_folder
    (s1, e1), (s2, e2) = exports.member_periods["v0_fr"], exports.member_periods["v0_en"]
    daily = pd.read_csv(folder / "linkedin" / "member_daily.csv", parse_dates=["date"])
    assert (
        len(daily) == (e2 - s1).days + 1 and daily["date"].is_unique
    )  # 150 days, the 30 shared ones once
    union = ef.member_truth(s1, e2)
    assert daily["impressions"].sum() == union["impressions"]
    assert (
        daily["impressions"].sum()
        < ef.member_truth(s1, e1)["impressions"] + ef.member_truth(s2, e2)["impressions"]
    )
    assert second.counts["linkedin/member_daily"] == {"added": 60, "updated": 0, "unchanged": 30}
    activity = pd.read_csv(folder / "activity.csv", parse_dates=["month"]).set_index("month")
    assert list(activity.index.strftime("%Y-%m")) == [
        "2024-01",
        "2024-02",
        "2024-03",
        "2024-04",
        "2024-05",
    ]
    for month in ("2024-01", "2024-02", "2024-03", "2024-04"):
        first_day = pd.Timestamp(month + "-01")
        last_day = first_day + pd.offsets.MonthEnd(0)
        truth = ef.member_truth(first_day.date(), last_day.date())
        row = activity.loc[first_day]
        assert (row["impressions"], row["engagements"]) == (
            truth["impressions"],
            truth["engagements"],
        ), month
    assert activity["members_reached"].isna().all()  # no export covers exactly one calendar month
    assert (
        activity.loc[pd.Timestamp("2024-02-01"), "posts"] == 1
        and activity.loc[pd.Timestamp("2024-04-01"), "posts"] == 1
    )
    followers = activity["followers"].tolist()
    assert followers == sorted(followers) and followers[-1] == 812 + sum(
        n for d, *_, n in ef.member_daily(dt.date(2024, 3, 31), e2)
    )
    assert again.noop and "partly" not in " ".join(second.files[0].notes)
    assert "2024-05 month to date, until 2024-05-29" in " ".join(second.files[0].notes)


def test_an_exact_month_export_gives_the_months_members_reached(tmp_path, exports):
    folder = tmp_path / "d"
    run("roster", exports.roster, folder)
    april = ef.write_member_export(
        tmp_path / "Content_2024-04-01_2024-04-30_P.xlsx",
        dt.date(2024, 4, 1),
        dt.date(2024, 4, 30),
        [],
        reached=777,
        followers_date=dt.date(2024, 5, 2),
    )
    run("linkedin-member", april, folder, employee_id=exports.staff[0].email)
    partial = ef.write_member_export(
        tmp_path / "Content_2024-02-15_2024-03-31_P.xlsx",
        dt.date(2024, 2, 15),
        dt.date(2024, 3, 31),
        [],
        followers_date=dt.date(2024, 6, 1),
    )
    result = run("linkedin-member", partial, folder, employee_id=exports.staff[0].email)
    activity = pd.read_csv(folder / "activity.csv")
    assert activity["month"].tolist() == ["2024-03-01", "2024-04-01"]
    assert activity.set_index("month").loc["2024-04-01", "members_reached"] == 777
    assert pd.isna(activity.set_index("month").loc["2024-03-01", "members_reached"])
    assert "2024-02 (15 of 29 days)" in " ".join(result.files[0].notes)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_top_posts_cap_is_flagged_not_refused(tmp_path, exports, lang):
    posts = [
        ef.MemberPost(
            f"74300000000000{i:05d}",
            dt.date(2024, 1, 1) + dt.timedelta(days=i % 90),
            100 - i % 90,
            1000 + i,
        )
        for i in range(60)
    ]
    path = ef.write_member_export(
        tmp_path / "Content_2024-01-01_2024-03-31_P.xlsx",
        dt.date(2024, 1, 1),
        dt.date(2024, 3, 31),
        posts,
        lang=lang,
    )
    result = run("linkedin-member", path, tmp_path / "d", employee_id="E-0123456789abcdef")
    assert "TOP POSTS lists 50 posts, LinkedIn's maximum" in " ".join(result.files[0].notes)
    periods = pd.read_csv(tmp_path / "d" / "linkedin" / "member_periods.csv")
    assert periods["top_posts_capped"].tolist() == [True] and periods[
        "top_posts_listed"
    ].tolist() == [50]
    tops = pd.read_csv(tmp_path / "d" / "linkedin" / "member_top_posts.csv")
    assert 50 <= len(tops) <= 60 and tops["post_id"].is_unique  # the union of the two lists
    both = tops.dropna(subset=["impressions", "engagements"])
    assert len(both) > 0


# --------------------------------------------------------------------------- end to end


@pytest.fixture(scope="module")
def programme_folder(tmp_path_factory, exports):
    """roster + followers + page content exports + platform export + member exports, rules only."""
    folder = tmp_path_factory.mktemp("programme") / "data"
    mapping = str(exports.member_employees)
    results = {
        "roster": run("roster", exports.roster, folder),
        "followers": run("linkedin-followers", exports.followers, folder),
        "page": run(
            "linkedin-page",
            [exports.page_jan_mar, exports.page_feb_apr],
            folder,
            rules=exports.rules,
        ),
        "platform": run(
            "platform", exports.platform, folder, mapping=str(exports.mapping), rules=exports.rules
        ),
        "members": run(
            "linkedin-member", list(exports.members.values()), folder, employee_id=mapping
        ),
    }
    return folder, results


def test_the_imported_programme_validates(programme_folder, exports):
    folder, results = programme_folder
    assert main(["validate", str(folder), "--as-of", AS_OF]) == 0
    programme = load_programme(folder, as_of=AS_OF)
    vol = programme.posts[programme.posts["author_type"] == "employee"]
    assert len(vol) == len(exports.platform_posts) and vol["members_reached"].notna().all()
    counts = results["platform"].classification
    assert counts["unclassified"] > 0 and counts["corporate"] > 0 and counts["non_corporate"] > 0
    review = pd.read_csv(folder / results["platform"].review_file)
    tagged = review[review["decided_by"] == "platform tag"]
    assert len(tagged) == sum(p.category != "" for p in exports.platform_posts)
    assert set(review.loc[review["decided_by"] == "rule", "rule"]) <= {
        "rule 1 (Recruitment)",
        "rule 3 (Industry watch)",
    }
    assert programme.activity is not None and programme.activity["employee_id"].nunique() == 4


def test_the_imported_programme_gives_a_report(programme_folder, tmp_path, capsys):
    folder, _ = programme_folder
    copy = tmp_path / "data"
    shutil.copytree(folder, copy)
    out = tmp_path / "reports"
    code = main(
        [
            "report",
            str(copy),
            "--wave",
            "W1",
            "--out",
            str(out),
            "--jobs",
            "1",
            "--cell-timeout",
            "300",
        ]
    )
    err = capsys.readouterr().err
    assert code == 0, err
    html = next(out.glob("*W1*.html"))
    text = html.read_text(encoding="utf-8")
    assert html.stat().st_size > 10_000
    # like for like: the page's export has no unique reach, so both sides are compared on impressions, and said so
    assert "export has no unique reach" in text


def test_posts_older_than_the_followers_series_are_refused_with_what_to_import(tmp_path, exports):
    folder = tmp_path / "d"
    late = ef.write_page_followers(
        tmp_path / f"acme_followers_{ef.ms_timestamp(dt.date(2024, 3, 1))}.xls",
        dt.date(2024, 2, 1),
        dt.date(2024, 2, 29),
        9000,
    )
    run("linkedin-followers", late, folder)
    f = failures_of("linkedin-page", exports.page_jan_mar, folder)
    assert f["row"].tolist() == [
        3,
        4,
    ]  # the two January posts; the later ones take the latest count
    assert f["rule"].str.contains("the stored followers series starts on 2024-02-01").all()


def test_the_import_command_wires_followers_and_rules(tmp_path, exports, capsys):
    folder = tmp_path / "d"
    assert (
        main(
            [
                "import",
                "linkedin-followers",
                str(exports.followers),
                "--into",
                str(folder),
                "--as-of",
                AS_OF,
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "linkedin/page_followers: +212 added" in out and "unfollows are unknown" in out
    assert (
        main(
            [
                "import",
                "linkedin-page",
                str(exports.page_jan_mar),
                "--rules",
                str(exports.rules),
                "--into",
                str(folder),
                "--as-of",
                AS_OF,
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert (
        "classification: 3 corporate, 2 non_corporate, 1 unclassified" in out
        and "review/classification_" in out
    )
    assert (
        main(
            [
                "import",
                "linkedin-page",
                str(exports.page_feb_apr),
                "--reach-from-impressions",
                "--into",
                str(folder),
                "--as-of",
                AS_OF,
            ]
        )
        == 1
    )
    assert "never stored as members_reached" in capsys.readouterr().err
    bad = tmp_path / "bad.toml"
    bad.write_text("[[rules]]\ncontent_type = 'corporate'\n", encoding="utf-8")
    assert (
        main(
            [
                "import",
                "linkedin-page",
                str(exports.page_feb_apr),
                "--rules",
                str(bad),
                "--into",
                str(folder),
                "--as-of",
                AS_OF,
            ]
        )
        == 1
    )
    assert "rules file bad.toml is not usable:\n  - rule 1: no condition" in capsys.readouterr().err
