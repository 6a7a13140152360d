"""The leak guard, vectorised: the same identifiers and the same findings as the plain-Python definition.

:func:`identifiers` and :func:`leaks` work on pyarrow arrays (no Python loop
over the millions of ids of a large programme). Their answers are compared
here with the plain-Python definition they replace (kept below as the
reference), on the sample with hostile extra columns and on generated text.
"""

from __future__ import annotations

import dataclasses
import pickle

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advocacy_eval.publish import runner
from advocacy_eval.publish.runner import Identifiers, identifiers, is_identifier_column, leaks
from advocacy_eval.schema import COLUMNS

EXAMPLES = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


# ----------------------------------------------------------------------------- the reference: plain Python


def reference_is_identifier_column(frame, column: str, entity: str) -> bool:
    if runner._IDENTIFIER_COLUMN.search(column):
        return True
    rows = frame.loc[frame[column].notna(), [column, entity]]
    if rows.empty:
        return False
    values = rows[column].astype(str)
    if values.map(lambda v: bool(runner._IDENTIFIER_VALUE.search(v))).mean() >= 0.5:
        return True
    return values.nunique() >= 0.5 * rows[entity].nunique() and values.nunique() > 1


def reference_identifiers(programme) -> set[str]:
    values: set[str] = set()
    for table, ids, entity in (
        ("employees", ["employee_id"], "employee_id"),
        ("posts", ["post_id"], "author_id"),
    ):
        frame = getattr(programme, table)
        canonical = {c.name for c in COLUMNS[table]}
        for col in ids:
            values.update(str(v) for v in frame[col].dropna().unique())
        for col in frame.columns:
            dtype = frame[col].dtype
            text = frame[col].dtype == object or isinstance(dtype, pd.StringDtype)
            if isinstance(
                dtype, pd.CategoricalDtype
            ):  # low-cardinality text is held as a categorical
                text = (
                    isinstance(dtype.categories.dtype, pd.StringDtype)
                    or dtype.categories.dtype == object
                )
            if col in ids or not text:
                continue
            distinct = [str(v) for v in frame[col].dropna().unique()]
            if col not in canonical and reference_is_identifier_column(frame, col, entity):
                values.update(distinct)
            else:
                values.update(v for v in distinct if runner._IDENTIFIER_VALUE.search(v))
    emp_posts = programme.posts.loc[programme.posts["author_type"] == "employee", "author_id"]
    values.update(str(v) for v in emp_posts.dropna().unique())
    return {v.strip() for v in values if len(v.strip()) >= 3}


def reference_leaks(html_text: str, forbidden: set[str]) -> list[str]:
    found = set(runner._EMAIL.findall(html_text)) | set(runner._PROFILE_URL.findall(html_text))
    found |= set(runner._TOKEN.findall(html_text)) & forbidden
    found |= {f for f in forbidden if (" " in f or len(f) > 24) and f in html_text}
    return sorted(found)


# ----------------------------------------------------------------------------- identifiers


TRICKY = [
    "josé.garcía@banque.fr",
    "  https://www.linkedin.com/in/jean-1/  ",
    "\u00a0E123\u2003",
    "\x1cABC\x1f",
    "ab",
    " a ",
    "urn:li:person:7",
    "WWW.Example.com",
    "Mailto:x@y.z",
    "ſtp://x",
    "linkedin.com/in/é",
    "Jean Dupont",
    "x" * 30,
    "né\tle 3",
    "12.5",
    "a:b",
    "…",
    "\n\nlong value with spaces\n",
    "E0001",
    "",
]


@pytest.fixture(scope="module")
def hostile(sample_programme):
    emp, posts = sample_programme.employees.copy(), sample_programme.posts.copy()
    n, m = len(emp), len(posts)
    emp["full_name"] = [f"Jean{i} Dupont{i}" for i in range(n)]
    emp["contact"] = [
        TRICKY[i % len(TRICKY)] if i % 3 else f"p{i}@x.fr" for i in range(n)
    ]  # two thirds e-mail-ish
    emp["business_unit"] = emp["department"]
    emp["notes"] = pd.Series(
        [TRICKY[i % len(TRICKY)] if i % 5 == 0 else None for i in range(n)], dtype=object
    )
    emp["badge"] = pd.Series(
        [i if i % 2 else f" B{i} " for i in range(n)], dtype=object
    )  # numbers and text
    posts["campaign"] = [
        TRICKY[i % len(TRICKY)] if i % 7 == 0 else ("spring" if i % 2 else "autumn")
        for i in range(m)
    ]
    posts["post_urn"] = [f"urn:li:activity:{i}" for i in range(m)]
    # a canonical category column (held as a categorical) where someone typed contacts and links
    theme = posts["theme"].astype(object)
    typed = [
        f"https://intranet.example.com/themes/{i}" if i % 2 else f"lead{i}@theme.fr"
        for i in range(4)
    ]
    theme[::11] = [typed[i % 4] for i in range(len(theme[::11]))]
    posts["theme"] = theme
    return dataclasses.replace(sample_programme, employees=emp, posts=posts)


def test_identifiers_are_those_of_the_plain_definition(sample_programme, hostile):
    assert isinstance(hostile.posts["theme"].dtype, pd.CategoricalDtype)
    found = identifiers(hostile)
    for value in ("lead0@theme.fr", "https://intranet.example.com/themes/1"):
        assert value in found, value  # by itself an identifier, in a categorical text column
    for programme in (sample_programme, hostile):
        found = identifiers(programme)
        assert isinstance(found, Identifiers)
        assert set(found) == reference_identifiers(programme)
        assert len(found) == len(set(found)), "each identifier once"
    for column in ("full_name", "contact", "business_unit", "notes", "badge"):
        assert is_identifier_column(
            hostile.employees, column, "employee_id"
        ) == reference_is_identifier_column(hostile.employees, column, "employee_id"), column


@EXAMPLES
@given(st.lists(st.one_of(st.text(max_size=12), st.sampled_from(TRICKY)), max_size=30))
def test_cleaning_and_matching_values_is_exactly_pythons(values):
    import pyarrow as pa

    array = pa.array(values, type=pa.large_string())
    assert set(runner._stripped(array).to_pylist()) == {
        v.strip() for v in values if len(v.strip()) >= 3
    }
    assert list(runner._identifier_values(array)) == [
        bool(runner._IDENTIFIER_VALUE.search(v)) for v in values
    ]


# ----------------------------------------------------------------------------- leaks


WORDS = st.sampled_from(
    [
        "E0001",
        "P00042",
        "Jean Dupont",
        "jean.dupont@banque.fr",
        "W1",
        "42 %",
        "Dupont",
        "https://www.linkedin.com/in/jean-dupont-7",
        "a very long identifier beyond 24",
        "é",
        "urn:li:activity:9",
        "\u202f",
        "x\x00y",
        " ",
        "—",
        "ab",
    ]
)


@EXAMPLES
@given(
    text=st.lists(st.one_of(WORDS, st.text(max_size=8)), max_size=25).map(" ".join),
    extra=st.lists(st.one_of(WORDS, st.text(min_size=1, max_size=30)), max_size=12),
    cuts=st.lists(st.tuples(st.integers(0, 200), st.integers(1, 40)), max_size=6),
)
def test_leaks_finds_what_the_plain_definition_finds(text, extra, cuts):
    forbidden = set(extra) | {
        text[i : i + n] for i, n in cuts if text[i : i + n]
    }  # pieces of the text itself
    expected = reference_leaks(text, forbidden)
    assert leaks(text, forbidden) == expected
    assert leaks(text, Identifiers(forbidden)) == expected


def test_long_identifiers_are_found_anywhere_and_short_ones_only_as_words():
    forbidden = Identifiers(["Jean Dupont", "a-very-long-pseudonym-of-thirty", "E0001", "E00"])
    text = "Top: xJean Dupontx and ya-very-long-pseudonym-of-thirtyz; E00012 (E0001)."
    assert leaks(text, forbidden) == ["E0001", "Jean Dupont", "a-very-long-pseudonym-of-thirty"]
    assert leaks("nothing to see", forbidden) == [] and leaks("", Identifiers()) == []


def test_identifiers_behave_as_a_compact_read_only_set():
    ids = Identifiers(["E1x", "E2x", "E1x", None, "Jean Dupont"])
    assert len(ids) == 3 and "E1x" in ids and "E3x" not in ids and 5 not in ids
    assert {"E1x", "nope"} & ids == {"E1x"} and {"E1x", "E2x"} <= ids and not {"E9x"} <= ids
    assert ids == {"E1x", "E2x", "Jean Dupont"} and sorted(ids) == ["E1x", "E2x", "Jean Dupont"]
    copy = pickle.loads(pickle.dumps(ids))
    assert (
        isinstance(copy, Identifiers)
        and set(copy) == set(ids)
        and leaks("Jean Dupont", copy) == ["Jean Dupont"]
    )
    assert ids.values.type.equals(__import__("pyarrow").large_string())


@EXAMPLES
@given(st.text(max_size=40), st.sets(st.integers(0, 10), max_size=4))
def test_substrings_are_pythons(text, lengths):
    """The substrings gathered from the UTF-8 bytes are Python's slices, each once."""
    found = runner._substrings(text, lengths)
    found.validate(full=True)
    expected = {text[i : i + n] for n in lengths if n > 0 for i in range(len(text) - n + 1)}
    assert sorted(found.to_pylist()) == sorted(expected)


@EXAMPLES
@given(st.lists(st.one_of(st.text(max_size=12), st.sampled_from(TRICKY))))
def test_strings_built_from_buffers_are_pyarrows(values):
    import pyarrow as pa

    built = runner._large_strings(values)
    built.validate(full=True)
    assert built.equals(pa.array(values, type=pa.large_string()))


def test_a_character_utf8_cannot_encode_is_matched_on_the_text_itself():
    assert runner._substrings("a\ud800b", {2}).to_pylist() == ["a?", "?b"]
    text = "x\ud800 a very long identifier beyond 24"
    assert leaks(text, Identifiers(["a very long identifier beyond 24", "x? a very long id"])) == [
        "a very long identifier beyond 24"
    ]


@settings(max_examples=200, deadline=None)
@given(
    categories=st.lists(st.text(min_size=1, max_size=4), unique=True, max_size=8),
    picks=st.lists(st.integers(-1, 7), max_size=30),
)
def test_used_categories_are_pandas_own(categories: list[str], picks: list[int]) -> None:
    """The categories a column uses, counted over its codes, are ``remove_unused_categories``' (order kept)."""
    codes = [p if p < len(categories) else -1 for p in picks]
    dtype = pd.CategoricalDtype(pd.Index(categories, dtype="string"))
    series = pd.Series(pd.Categorical.from_codes(codes, dtype=dtype))
    expected = series.cat.remove_unused_categories().cat.categories
    got = runner._used_categories(series)
    assert got.tolist() == expected.tolist()
    assert got.dtype == expected.dtype
    assert runner._distinct_text(series).to_pylist() == expected.tolist()
