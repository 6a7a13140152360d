"""Strict locale parsing (numbers, percentages, dates, encodings) and keyed pseudonyms."""

from __future__ import annotations

import base64
import hashlib

import pandas as pd
import pytest

from advocacy_eval.io.imports.common import export_date_from_name, post_id_from_link
from advocacy_eval.io.imports.parsing import (
    AmbiguousDates,
    decide_date_order,
    decode_text,
    number_language,
    parse_counts,
    parse_dates,
    parse_numbers,
    parse_rates,
    sniff_separator,
)
from advocacy_eval.privacy.pseudonym import (
    ENV_KEY,
    ENV_KEY_FILE,
    PseudonymKeyError,
    is_pseudonym,
    load_key,
    make_key,
    normalise_identifier,
    pseudonymise,
)

KEY = bytes.fromhex("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff")


def s(*values: object) -> pd.Series:
    return pd.Series(list(values), dtype=object)


def test_french_numbers_all_spaces_decimal_comma_and_percent():
    values, bad, pct = parse_numbers(
        s("1 234", "1\u00a0234", "1\u202f234", "1.234,5", "3,5 %", "3,5\u00a0%", "12", "-2", ""),
        "fr",
    )
    assert values.tolist()[:8] == [1234, 1234, 1234, 1234.5, 0.035, 0.035, 12, -2]
    assert pd.isna(values.iloc[8]) and not bad.any()
    assert pct.tolist() == [False] * 4 + [True, True] + [False] * 3


def test_english_numbers_and_percent():
    values, bad, _ = parse_numbers(s("1,234.5", "10.5%", "1 234", "0.035"), "en")
    assert values.tolist() == [1234.5, 0.105, 1234, 0.035] and not bad.any()


@pytest.mark.parametrize(
    "lang, text",
    [
        ("fr", "1.5"),
        ("fr", "12 34"),
        ("en", "1,5"),
        ("en", "1.234,5"),
        ("fr", "1,234.5"),
        ("en", "12abc"),
        ("fr", "1 2345"),
    ],
)
def test_numbers_not_following_the_convention_are_errors_never_guesses(lang, text):
    values, bad, _ = parse_numbers(s(text), lang)
    assert bad.tolist() == [True] and values.isna().all()


def test_one_point_five_is_never_fifteen():
    """pandas' decimal=',' thousands='.' reads 1.5 as 15; we refuse it in a count and in a French file."""
    counts, bad = parse_counts(s("1.5", "15", "1.500"), "fr")
    assert bad.tolist() == [True, False, False] and counts.tolist()[1:] == [15, 1500]
    counts, bad = parse_counts(s("1.5", "1,500"), "en")
    assert bad.tolist() == [True, False] and counts.iloc[1] == 1500


def test_counts_refuse_negative_fractions_and_percentages():
    _, bad = parse_counts(s("-3", "2,5", "12 %", "7"), "fr")
    assert bad.tolist() == [True, True, True, False]


def test_excel_numbers_are_taken_as_numbers():
    values, bad, _ = parse_numbers(s(1234, 0.5, "1 234", 12.0, None), "fr")
    assert values.tolist()[:4] == [1234, 0.5, 1234, 12] and not bad.any()


def test_rates_are_fractions_in_zero_one():
    values, bad = parse_rates(s("3,5 %", "0,035", "150 %", "3,5", "100 %"), "fr")
    assert values.tolist()[:2] == [0.035, 0.035] and values.iloc[4] == 1
    assert bad.tolist() == [False, False, True, True, False]


def test_number_language_from_values():
    assert number_language([s("1 234,5", "12")]) == "fr"
    assert number_language([s("1,234.5")]) == "en"
    assert number_language([s("1,234")]) is None  # 1234 or 1.234: nothing decides
    assert number_language([s("1,234", "0.5")]) == "en"
    assert number_language([s("12", "300")]) == "en"  # same either way


def test_date_order_from_evidence_language_or_a_clear_error():
    assert decide_date_order([s("25/03/2024", "03/04/2024")], "en", None, "f.csv") == "DMY"
    assert decide_date_order([s("03/25/2024")], "fr", None, "f.csv") == "MDY"
    assert decide_date_order([s("03/04/2024")], "fr", None, "f.csv") == "DMY"
    assert decide_date_order([s("03/04/2024")], "en", None, "f.csv") == "MDY"
    assert decide_date_order([s("2024-03-04")], None, None, "f.csv") is None
    assert decide_date_order([s("03/04/2024")], None, "MDY", "f.csv") == "MDY"
    with pytest.raises(AmbiguousDates, match=r"f\.csv.*03/04/2024.*--lang"):
        decide_date_order([s("03/04/2024", "01/02/2024")], None, None, "f.csv")
    with pytest.raises(AmbiguousDates, match="both day-first and month-first"):
        decide_date_order([s("25/03/2024"), s("03/25/2024")], None, None, "f.csv")


def test_dates_impossible_dates_times_and_time_zones():
    values, bad = parse_dates(
        s(
            "31/02/2024",
            "29/02/2024",
            "15/03/2024 14h05",
            "2024-03-15T10:00:00+02:00",
            "15/03/24",
            "",
        ),
        "DMY",
    )
    assert bad.tolist() == [True, False, False, False, True, False]
    assert values.iloc[1] == pd.Timestamp("2024-02-29")
    assert values.iloc[2] == pd.Timestamp("2024-03-15 14:05")
    assert values.iloc[3] == pd.Timestamp("2024-03-15 08:00")
    paris, _ = parse_dates(
        s("12/01/2024 09:30", "1/12/2024 1:05 PM"), "DMY", utc_from="Europe/Paris"
    )
    assert paris.iloc[0] == pd.Timestamp("2024-01-12 08:30")
    us, _ = parse_dates(s("1/12/2024 1:05 PM", "1/12/2024 12:05 AM"), "MDY")
    assert us.tolist() == [pd.Timestamp("2024-01-12 13:05"), pd.Timestamp("2024-01-12 00:05")]


def test_decoding_bom_utf8_cp1252():
    assert decode_text("é;a".encode("utf-8-sig")) == ("é;a", "utf-8-sig")
    assert decode_text("é;a".encode()) == ("é;a", "utf-8")
    assert decode_text("1\u00a0234;é".encode("cp1252")) == ("1\u00a0234;é", "cp1252")
    assert sniff_separator("a;b;c\n1,5;2;3\n") == ";"
    assert sniff_separator('a,b,c\n"1;2",2,3\n') == ","


def test_post_ids_and_export_dates_from_names():
    ids = post_id_from_link(
        s(
            "https://www.linkedin.com/feed/update/urn:li:activity:7150000000000000001/",
            "urn:li:share:7150000000000000002",
            "https://www.linkedin.com/posts/someone_title-ugcPost-7150000000000000003-AbCd",
            "https://platform.example/p/42?utm=x",
            "P42",
            "",
        )
    )
    assert ids.tolist()[:5] == [
        "urn:li:activity:7150000000000000001",
        "urn:li:share:7150000000000000002",
        "urn:li:ugcPost:7150000000000000003",
        "platform.example/p/42",
        "P42",
    ]
    assert pd.isna(ids.iloc[5])
    assert export_date_from_name("acme_content_1706954400000.xls") == pd.Timestamp(
        "2024-02-03 10:00:00"
    )
    assert export_date_from_name("export_2024-04-01.csv") == pd.Timestamp("2024-04-01")
    assert export_date_from_name("posts.csv") is None


# --------------------------------------------------------------------------- pseudonyms


def test_pseudonyms_are_stable_keyed_and_normalised():
    one = pseudonymise(s("Alice.Martin@ACME.example ", "alice.martin@acme.example", None), KEY)
    assert one.iloc[0] == one.iloc[1] and pd.isna(one.iloc[2])
    assert is_pseudonym(one.iloc[0]) and one.iloc[0].startswith("E-") and len(one.iloc[0]) == 18
    other = pseudonymise("alice.martin@acme.example", bytes(reversed(KEY)))
    assert other != one.iloc[0]
    urls = pseudonymise(
        s(
            "https://www.linkedin.com/in/Bruno-Petit/",
            "linkedin.com/in/bruno-petit",
            "https://fr.linkedin.com/in/bruno-petit?trk=x",
        ),
        KEY,
    )
    assert urls.nunique() == 1
    assert (
        normalise_identifier("https://www.linkedin.com/in/Bruno-Petit/")
        == "linkedin.com/in/bruno-petit"
    )


def test_pseudonym_is_not_a_plain_hash_of_the_email():
    email = "alice.martin@acme.example"
    ours = pseudonymise(email, KEY)
    for digest in (
        hashlib.sha256(email.encode()).hexdigest(),
        hashlib.sha256(email.upper().encode()).hexdigest(),
    ):
        assert digest[:16] not in ours
    assert pseudonymise(email, KEY) != pseudonymise(email, make_key())


def test_load_key_from_env_hex_base64_or_file(tmp_path):
    hex_key = make_key()
    assert len(hex_key) == 64
    assert load_key({ENV_KEY: hex_key}) == bytes.fromhex(hex_key)
    b64 = base64.b64encode(KEY).decode()
    assert load_key({ENV_KEY: b64}) == KEY
    path = tmp_path / "k.key"
    path.write_text(hex_key + "\n")
    assert load_key({ENV_KEY_FILE: str(path)}) == bytes.fromhex(hex_key)


def test_missing_or_short_keys_are_refused_with_instructions(tmp_path):
    with pytest.raises(PseudonymKeyError) as info:
        load_key({})
    text = str(info.value)
    assert (
        ENV_KEY in text
        and ENV_KEY_FILE in text
        and "python -c" in text
        and "secrets.token_hex" in text
    )
    with pytest.raises(PseudonymKeyError, match="too short"):
        load_key({ENV_KEY: "00112233"})
    with pytest.raises(PseudonymKeyError, match="cannot read the key file"):
        load_key({ENV_KEY_FILE: str(tmp_path / "none.key")})
