"""The programme's vocabulary (programme.toml, active vocabulary in t()), wave labels, data shown as text."""

from __future__ import annotations

import re
import string
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from bs4 import BeautifulSoup

from advocacy_eval.errors import AdvocacyEvalError, ConfigError
from advocacy_eval.io import load_programme
from advocacy_eval.publish.runner import to_html
from advocacy_eval.reports.display import md, plain, table
from advocacy_eval.reports.i18n import LANGS, STRINGS, t
from advocacy_eval.reports.typography import typeset
from advocacy_eval.reports.vocabulary import (
    DEFAULT_VOCABULARY,
    KEYS,
    PLACEHOLDERS,
    Vocabulary,
    current_vocabulary,
    load_vocabulary,
    reset_vocabulary,
    set_vocabulary,
    use_vocabulary,
    wave_label,
)

from .conftest import WAVES_CSV, write_programme

ROOT = Path(__file__).parents[1]

CUSTOM = Vocabulary(
    name_en="Voice of the Bank",
    name_fr="programme Voix de la banque",
    participants_en="champions",
    participants_fr="relais de la marque",
    participant_en="champion",
    participant_fr="relais de la marque",
)


def _write_toml(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "programme.toml").write_text(text, encoding="utf-8")
    return folder


# ----------------------------------------------------------------------------- Vocabulary and programme.toml


def test_defaults_and_placeholders() -> None:
    v = Vocabulary()
    assert v == DEFAULT_VOCABULARY
    assert (v.name_en, v.participants_en, v.participant_en) == (
        "employee advocacy programme",
        "volunteers",
        "volunteer",
    )
    assert (v.name_fr, v.participants_fr, v.participant_fr) == (
        "programme collaborateurs influenceurs",
        "collaborateurs volontaires",
        "collaborateur volontaire",
    )
    fr = v.placeholders("fr")
    assert set(fr) == set(PLACEHOLDERS)
    assert fr["Programme"] == "Programme collaborateurs influenceurs"
    assert (
        fr["Participants"] == "Collaborateurs volontaires"
        and fr["participant"] == "collaborateur volontaire"
    )
    assert v.placeholders("en")["Programme"] == "Employee advocacy programme"
    with pytest.raises(ValueError, match="unsupported report language"):
        v.placeholders("de")
    with pytest.raises(AttributeError):
        v.name_en = "x"  # frozen


def test_no_folder_or_no_file_gives_the_defaults(tmp_path: Path) -> None:
    assert load_vocabulary() == DEFAULT_VOCABULARY
    assert load_vocabulary("") == DEFAULT_VOCABULARY
    assert load_vocabulary(tmp_path) == DEFAULT_VOCABULARY
    with pytest.raises(FileNotFoundError):
        load_vocabulary(tmp_path / "nope")


def test_file_then_overrides(tmp_path: Path) -> None:
    folder = _write_toml(
        tmp_path / "p",
        '[programme]\nname_fr = "  programme Voix de la banque "\n'
        'participants_fr = "relais"\nparticipant_fr = "relais"\n',
    )
    v = load_vocabulary(folder)
    assert v.name_fr == "programme Voix de la banque" and v.participants_fr == "relais"
    assert v.name_en == DEFAULT_VOCABULARY.name_en  # missing keys keep their default
    # overrides win over the file; an empty override (an unset CLI flag or notebook parameter) is ignored
    v = load_vocabulary(
        folder,
        name_fr="programme Ambition",
        participants_fr="",
        participant_en=None,
        name_en="Voice programme",
    )
    assert v.name_fr == "programme Ambition" and v.participants_fr == "relais"
    assert v.name_en == "Voice programme" and v.participant_en == "volunteer"
    assert load_vocabulary(None, participants_en="champions").participants_en == "champions"


def test_an_empty_section_or_file_is_fine(tmp_path: Path) -> None:
    assert load_vocabulary(_write_toml(tmp_path / "a", "")) == DEFAULT_VOCABULARY
    assert load_vocabulary(_write_toml(tmp_path / "b", "[programme]\n")) == DEFAULT_VOCABULARY


@pytest.mark.parametrize(
    "body, key, rule",
    [
        ('name_english = "x"', "name_english", "unknown key"),
        ("name_en = 3", "name_en", "must be text in quotes"),
        ("participants_fr = true", "participants_fr", "must be text in quotes"),
        ('name_fr = ""', "name_fr", "must not be empty"),
        ('name_en = "   "', "name_en", "must not be empty"),
        ('name_en = "two\\nlines"', "name_en", "must be a single line"),
    ],
)
def test_bad_settings_name_file_key_rule_and_valid_keys(
    tmp_path: Path, body: str, key: str, rule: str
) -> None:
    folder = _write_toml(tmp_path / "bad", f"[programme]\n{body}\n")
    with pytest.raises(ConfigError) as info:
        load_vocabulary(folder)
    message = str(info.value)
    assert str(folder / "programme.toml") in message
    assert f"[programme] {key}: {rule}" in message
    assert all(k in message for k in KEYS)  # the valid keys are listed
    assert isinstance(info.value, AdvocacyEvalError)


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    folder = _write_toml(
        tmp_path / "bad", '[programme]\nname = "x"\nname_fr = ""\n\n[other]\na = 1\n'
    )
    with pytest.raises(ConfigError) as info:
        load_vocabulary(folder)
    message = str(info.value)
    assert (
        "[programme] name: unknown key" in message
        and "[programme] name_fr: must not be empty" in message
    )
    assert "other: unknown section" in message


def test_settings_outside_the_section_and_invalid_toml(tmp_path: Path) -> None:
    with pytest.raises(
        ConfigError,
        match=r"name_en: unknown top-level key; write the settings under a \[programme\]",
    ):
        load_vocabulary(_write_toml(tmp_path / "a", 'name_en = "x"\n'))
    with pytest.raises(ConfigError, match="not a valid TOML file"):
        load_vocabulary(_write_toml(tmp_path / "b", "[programme\nname_en = x\n"))
    with pytest.raises(ConfigError, match="must be a \\[programme\\] section"):
        load_vocabulary(_write_toml(tmp_path / "c", 'programme = "x"\n'))


def test_bad_overrides_and_bad_direct_values() -> None:
    with pytest.raises(ConfigError, match=r"setting programme_name .*unknown key") as info:
        load_vocabulary(programme_name="x")
    assert all(k in str(info.value) for k in KEYS)
    with pytest.raises(ConfigError, match=r"name_en .*must be text"):
        load_vocabulary(name_en=3)
    with pytest.raises(ConfigError, match=r"Vocabulary\(participants_fr=...\): must not be empty"):
        Vocabulary(participants_fr="")


# ----------------------------------------------------------------------------- active vocabulary and t()


def test_t_fills_the_active_vocabulary_and_explicit_values_win() -> None:
    assert current_vocabulary() == DEFAULT_VOCABULARY
    assert (
        t("title", "fr", wave_name="Vague 1") == "Programme collaborateurs influenceurs — Vague 1"
    )
    assert t("prog_title", "en").startswith("Employee advocacy programme — ")
    with use_vocabulary(CUSTOM) as v:
        assert v is CUSTOM and current_vocabulary() is CUSTOM
        assert t("title", "en", wave_name="W1") == "Voice of the Bank — W1"
        assert t("title", "fr", wave_name="V1") == "Programme Voix de la banque — V1"
        assert t("col_enrolled", "fr") == "Relais de la marque"
        assert t("kpi_volunteers", "en") == "Champions enrolled"
        assert t("title", "en", wave_name="W1", Programme="Explicit") == "Explicit — W1"
    assert current_vocabulary() == DEFAULT_VOCABULARY  # restored after the block
    token = set_vocabulary(CUSTOM)
    try:
        assert t("col_effect", "en") == "Effect per champion"
    finally:
        reset_vocabulary(token)
    assert t("col_effect", "fr") == "Effet par collaborateur volontaire"
    with pytest.raises(TypeError):
        set_vocabulary("not a vocabulary")  # type: ignore[arg-type]


def test_t_without_values_keeps_other_placeholders() -> None:
    assert t("col_change", "en") == "Change since {wave}"
    with pytest.raises(KeyError):
        t("col_change", "en", other="x")  # given values must cover the placeholders, as before


def _dummy_values(text: str) -> dict[str, str]:
    names = {f for _, f, _, _ in string.Formatter().parse(text) if f}
    return {name: f"<{name}>" for name in names - set(PLACEHOLDERS)}


@pytest.mark.parametrize("vocabulary", [DEFAULT_VOCABULARY, CUSTOM], ids=["default", "custom"])
def test_every_string_formats_in_both_languages_without_the_rejected_word(
    vocabulary: Vocabulary,
) -> None:
    with use_vocabulary(vocabulary):
        for key, texts in STRINGS.items():
            for lang in LANGS:
                out = t(key, lang, **_dummy_values(texts[lang]))
                assert "ambassad" not in out.lower(), (key, lang)
                assert "{" not in out and "}" not in out, (key, lang, out)
                for name in PLACEHOLDERS:
                    if "{" + name + "}" in texts[lang]:
                        assert vocabulary.placeholders(lang)[name] in out, (key, lang, name)


def test_vocabulary_placeholders_are_used_and_words_no_longer_hard_coded() -> None:
    used = {
        f
        for texts in STRINGS.values()
        for text in texts.values()
        for _, f, _, _ in string.Formatter().parse(text)
        if f
    }
    assert {"Programme", "participants", "Participants", "participant"} <= used
    for key, texts in STRINGS.items():
        assert not re.search(
            r"ambassad|employee advocacy programme|volontaires de la vague",
            texts["fr"] + texts["en"],
            re.IGNORECASE,
        ), key
        # titles use the capitalised name
        if key in ("title", "prog_title"):
            assert all(text.startswith("{Programme} — ") for text in texts.values()), key


def test_french_grammar_around_the_placeholders() -> None:
    """Plural noun after des/les/ces/a number; no 'de' before the noun (it would need elision)."""
    for key, texts in STRINGS.items():
        fr = texts["fr"]
        assert not re.search(r"\b(de|que|le|la) \{participants?\}", fr), key
        assert not re.search(r"\b(des|les|ces|aux|Tous les) \{participant\}", fr), key
    assert t(
        "sentence_participation", "fr", active="12", n="40", share="30 %", monthly="20 %"
    ).startswith("12 des 40 collaborateurs volontaires (30 %) ont publié")
    assert t("claim_reach_per_post_ratio", "fr", op="au moins ", value="4x").startswith(
        "Les collaborateurs volontaires atteignent au moins 4x"
    )
    assert t("kpi_volunteers", "fr") == "Collaborateurs volontaires inscrits"


def test_no_rejected_word_anywhere_in_the_package() -> None:
    found = [
        str(path)
        for path in (ROOT / "src").rglob("*")
        if path.is_file() and b"ambassad" in path.read_bytes().lower()
    ]
    assert found == []


# ----------------------------------------------------------------------------- wave labels


def test_wave_label_per_language(tmp_path: Path) -> None:
    waves = (
        WAVES_CSV.replace("wave_id,name,", "wave_id,name,name_en,name_fr,")
        .replace("W1,Wave 1,", "W1,Wave 1,Pilot wave,Vague pilote,")
        .replace("W2,Wave 2,", "W2,Wave 2, ,,")
    )
    programme = load_programme(
        write_programme(tmp_path / "labels", waves=waves), as_of="2024-12-31"
    )
    assert wave_label(programme.waves, "W1", "en") == "Pilot wave"
    assert wave_label(programme.waves, "W1", "fr") == "Vague pilote"
    assert wave_label(programme.waves, "W2", "fr") == "Wave 2"  # blank: falls back to name
    assert wave_label(programme.waves.set_index("wave_id"), "W1", "fr") == "Vague pilote"
    with pytest.raises(KeyError, match="unknown wave 'W9'; known waves: W1, W2"):
        wave_label(programme.waves, "W9", "en")
    with pytest.raises(ValueError, match="unsupported report language"):
        wave_label(programme.waves, "W1", "de")


def test_wave_label_without_the_optional_columns(tiny) -> None:
    assert tiny.waves["name_en"].isna().all() and tiny.waves["name_fr"].isna().all()  # added, empty
    assert wave_label(tiny.waves, "W2", "fr") == "Wave 2"
    bare = pd.DataFrame({"wave_id": ["W1"], "name": ["Wave 1"]})
    assert wave_label(bare, "W1", "en") == "Wave 1"


# ----------------------------------------------------------------------------- data shown as text

HOSTILE = [
    "<script>alert(1)</script>",
    "[x](javascript:alert(1))",
    "**bold**",
    "# heading",
    "<img src=x onerror=alert(1)>",
    "http://evil.example/x and www.evil.example",
    "R&D \"quotes\" 'single' `code` _under_ ~~strike~~ a|b {c} !+- 1.",
    "$x^2$ and \\(y\\) and $$z$$",
    "&lt;b&gt; &amp; \\*",
]


def test_plain_escapes_html_and_markdown() -> None:
    assert plain("<b>R&D</b>") == "&lt;b&gt;R&amp;D&lt;\\/b&gt;"
    assert plain("**bold** # [x](y)") == "\\*\\*bold\\*\\* \\# \\[x\\]\\(y\\)"
    assert plain("a\nb\t c") == "a b c"
    assert plain("Wave 1 — pilot") == "Wave 1 — pilot"
    assert plain(None) == "–" and plain(float("nan")) == "–" and plain(pd.NA) == "–"
    assert plain(3) == "3"
    assert plain("$x$").startswith('<span class="tex2jax_ignore">')


def _notebook(names: list[str]) -> nbformat.NotebookNode:
    """A notebook whose outputs are what md(...) and table(...) display in a kernel."""
    nb = nbformat.v4.new_notebook()
    for i, name in enumerate(names):
        shown = md("# Title " + plain(name))
        output = nbformat.v4.new_output(
            "display_data",
            data={
                "text/markdown": shown._repr_markdown_(),
                "text/plain": "<IPython.core.display.Markdown object>",
            },
        )
        nb.cells.append(
            nbformat.v4.new_code_cell(f"md(...)  # {i}", outputs=[output], execution_count=i + 1)
        )
    frame = pd.DataFrame({"<b>Department</b>": names, "n": [str(i) for i in range(len(names))]})
    output = nbformat.v4.new_output(
        "display_data",
        data={"text/html": table(frame).data, "text/plain": "<IPython.core.display.HTML object>"},
    )
    nb.cells.append(
        nbformat.v4.new_code_cell("table(...)", outputs=[output], execution_count=len(names) + 1)
    )
    return nb


@pytest.fixture(scope="module")
def rendered() -> BeautifulSoup:
    html = to_html(_notebook(HOSTILE), "hostile")
    return BeautifulSoup(html, "html.parser")


def test_hostile_names_render_verbatim_as_titles(rendered: BeautifulSoup) -> None:
    titles = [
        h.get_text() for h in rendered.find_all("h1")
    ]  # as text, typeset like every text of the page
    assert titles == [typeset("Title " + " ".join(name.split()), "en") for name in HOSTILE]


def test_hostile_names_produce_no_tag_link_or_emphasis(rendered: BeautifulSoup) -> None:
    for script in rendered.find_all("script"):
        assert "alert" not in script.get_text() and not script.get("src", "").startswith("x"), (
            script
        )
    for link in rendered.find_all("a"):
        href = link.get("href", "").strip().lower()
        if href.startswith("#"):
            continue  # nbconvert's heading anchors point inside the page
        assert not href.startswith("javascript:") and "evil" not in href, link
    outputs = rendered.select(".jp-OutputArea-output")
    assert len(outputs) == len(HOSTILE) + 1
    for area in outputs:
        assert not area.find_all(["strong", "em", "code", "del", "img", "ul", "ol", "h2"]), area
    assert not any(tag.get("onerror") for tag in rendered.find_all(True))
    assert len(rendered.find_all("table")) == 1  # only the table() output, none made from "a|b"


def test_math_delimiters_are_left_to_text(rendered: BeautifulSoup) -> None:
    math = [h for h in rendered.find_all("h1") if "$x^2$" in h.get_text()]
    assert len(math) == 1 and math[0].find("span", class_="tex2jax_ignore") is not None


def test_table_escapes_cells_and_headers(rendered: BeautifulSoup) -> None:
    frame = pd.DataFrame({"<b>Department</b>": ["<script>alert(1)</script>", "R&D"]})
    html = table(frame).data
    assert "<script>" not in html and "&lt;script&gt;" in html and "&lt;b&gt;Department" in html
    assert "R&amp;D" in html
    rendered_table = rendered.find("table")
    assert rendered_table.find("th").get_text(strip=True) == "<b>Department</b>"
    cells = [td.get_text() for td in rendered_table.find_all("td")][::2]
    assert cells == [typeset(name, "en") for name in HOSTILE]
