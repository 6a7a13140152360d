"""Low-cardinality text columns are held as categoricals of text, whatever way the programme was read.

The posts' categories and author ids and the activity's employee ids have
few distinct values per row: held as categoricals (integer codes into the
sorted distinct values) they take 4-16x less memory than one string per
row, and the fast reader builds them from Arrow's dictionary without
decoding a string per row (issue 12: memory and load time at 200,000
employees). Values, missing values and order must be exactly the text's.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from advocacy_eval.io import load_programme
from advocacy_eval.sample import write_sample
from advocacy_eval.schema import CATEGORICAL, TEXT_DTYPE, Programme, compact_text

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


def _text(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """The frame with its categorical columns back as text."""
    return frame.astype({c: TEXT_DTYPE for c in CATEGORICAL[table] if c in frame.columns})


def _assert_compact(programme: Programme) -> None:
    for table, columns in CATEGORICAL.items():
        frame = getattr(programme, table)
        for column in columns:
            if column not in frame.columns:
                continue
            dtype = frame[column].dtype
            assert isinstance(dtype, pd.CategoricalDtype), (table, column, dtype)
            assert dtype.categories.dtype == TEXT_DTYPE, (table, column)
            assert dtype.categories.is_monotonic_increasing, (table, column)
            assert not dtype.ordered


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cat") / "p"
    write_sample(folder, seed=11, n_employees=400, n_months=18)
    return folder


def test_every_way_of_reading_gives_the_same_categoricals(
    generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ADVOCACY_EVAL_CACHE", str(tmp_path / "cache"))
    fast = load_programme(generated)  # CSV, fast path; writes the snapshot
    snap = load_programme(generated)  # the Parquet snapshot
    monkeypatch.setenv("ADVOCACY_EVAL_CACHE", "off")
    # the strict path: a file the fast reader refuses (a leading space in a category) is read row by row
    strict_dir = tmp_path / "strict"
    shutil.copytree(generated, strict_dir)
    posts = (strict_dir / "posts.csv").read_text(encoding="utf-8").splitlines()
    head = posts[0].split(",")
    cells = posts[1].split(",")
    cells[head.index("network")] = " " + cells[head.index("network")]
    posts[1] = ",".join(cells)
    (strict_dir / "posts.csv").write_text("\n".join(posts) + "\n", encoding="utf-8")
    strict = load_programme(strict_dir)
    # Parquet input
    parquet_dir = tmp_path / "parquet"
    parquet_dir.mkdir()
    for table in ("waves", "employees", "posts", "activity"):
        pd.read_csv(generated / f"{table}.csv", dtype=str, keep_default_na=False).to_parquet(
            parquet_dir / f"{table}.parquet", index=False
        )
    from_parquet = load_programme(parquet_dir)
    for programme in (fast, snap, strict, from_parquet):
        _assert_compact(programme)
    for table in ("posts", "activity"):
        for other in (snap, strict, from_parquet):
            pd.testing.assert_frame_equal(
                getattr(fast, table), getattr(other, table), check_exact=True
            )
    # the values are the text's, row for row
    raw = pd.read_csv(generated / "posts.csv", dtype=str, keep_default_na=False)
    for column in CATEGORICAL["posts"]:
        got = fast.posts[column].astype(object).where(fast.posts[column].notna(), "")
        assert list(got) == list(raw[column].str.strip()), column


def test_a_programme_built_by_hand_is_compacted_without_touching_the_callers_frames() -> None:
    base = load_programme(SAMPLE)
    posts = _text(base.posts, "posts").astype({"network": object})
    posts.loc[3, "theme"] = pd.NA
    activity = _text(base.activity, "activity")
    before = posts.copy()
    programme = Programme(
        waves=base.waves, employees=base.employees, posts=posts, activity=activity
    )
    _assert_compact(programme)
    pd.testing.assert_frame_equal(posts, before)  # the caller's frame is unchanged
    assert programme.posts["theme"].isna().sum() == posts["theme"].isna().sum()
    pd.testing.assert_frame_equal(
        _text(programme.posts, "posts"), posts.astype({"network": TEXT_DTYPE})
    )
    # unsorted or differently typed categories are rebuilt; sorted ones are kept as they are
    shuffled = posts.assign(
        content_type=pd.Categorical(
            posts["content_type"], categories=["non_corporate", "corporate"]
        )
    )
    again = compact_text(shuffled, "posts")
    assert list(again["content_type"].cat.categories) == ["corporate", "non_corporate"]
    assert list(again["content_type"].astype(object)) == list(posts["content_type"].astype(object))
    assert compact_text(programme.posts, "posts") is programme.posts


def test_categoricals_take_a_fraction_of_the_texts_memory(generated: Path) -> None:
    programme = load_programme(generated, cache=False)
    for table, ceiling in (("posts", 0.7), ("activity", 0.9)):
        frame = getattr(programme, table)
        compact = frame.memory_usage(deep=True).sum()
        text = _text(frame, table).memory_usage(deep=True).sum()
        assert compact < ceiling * text, (table, compact, text)
    # the package's codes agree with the text (a CategoricalIndex given as categories once scrambled them)
    from advocacy_eval.analyses.measures import ProgrammeCodes

    codes = ProgrammeCodes(programme)
    rows = np.arange(len(programme.posts))
    frame = codes.frame(rows)
    assert list(frame["author_id"].astype(object)) == list(
        programme.posts["author_id"].astype(object)
    )


def test_membership_of_a_categorical_is_that_of_its_text() -> None:
    from advocacy_eval.io.validate import is_member

    text = pd.Series(["E1", "E2", None, "E9", "E1", "P7"], dtype=TEXT_DTYPE)
    universe = pd.Series(["E1", "E2", "P7", "X"], dtype=TEXT_DTYPE)
    categorical = text.astype(
        pd.CategoricalDtype(pd.Index(["E1", "E2", "E9", "P7", "unused"], dtype=TEXT_DTYPE))
    )
    expected = [True, True, False, False, True, True]
    assert list(is_member(text, universe)) == expected
    assert list(is_member(categorical, universe)) == expected
    assert list(is_member(categorical.iloc[::-1], universe).index) == list(range(5, -1, -1))
