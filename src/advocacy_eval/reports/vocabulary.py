"""The programme's own vocabulary: its name and what its participants are called.

Reports never hard-code the programme's name or the word for its
participants: every string of :data:`advocacy_eval.reports.i18n.STRINGS` uses
the placeholders of :data:`PLACEHOLDERS` (``{programme}``, ``{Programme}``,
``{participants}``, ``{Participants}``, ``{participant}``, ``{Participant}``;
a capital first letter gives the capitalised form, for titles and the start
of a sentence), and :func:`advocacy_eval.reports.i18n.t` fills them from the
*active* vocabulary. The active vocabulary is held in a
:class:`contextvars.ContextVar`: :func:`set_vocabulary` sets it (for a
notebook, once, before the first report string is made), :func:`use_vocabulary`
sets it for the duration of a ``with`` block.

Settings file
-------------
A programme folder may hold a ``programme.toml`` file next to its tables
(all keys optional; a missing key keeps its default)::

    [programme]
    name_en = "employee advocacy programme"           # the programme's name, English
    name_fr = "programme collaborateurs influenceurs"  # the programme's name, French
    participants_en = "volunteers"                     # participants, plural, English
    participants_fr = "collaborateurs volontaires"     # participants, plural, French
    participant_en = "volunteer"                       # one participant, English
    participant_fr = "collaborateur volontaire"        # one participant, French

Write names in lower case as they read inside a sentence ("des
collaborateurs volontaires"): titles capitalise the first letter themselves.
Values are single-line, non-empty plain words: none of the characters of
:data:`MARKUP_CHARACTERS` (``< > [ ] ( ) * _ ` # | $ \\``), which reports
would read as markup (a name with an ampersand, an apostrophe, a dash or
accents is fine). French sentences put the plural noun
after ``des``/``les``/``ces``/a number and agree adjectives in the masculine
plural (``{Participants} inscrits``), so give a masculine (generic) plural
noun such as "collaborateurs volontaires". English sentences write the plural possessive as
``{participants}'`` ("volunteers' posts"), so give a plural ending in *s*.

Any other key or section, a value that is not text in quotes, an empty or
multi-line value, or a value with a markup character raises
:class:`~advocacy_eval.errors.ConfigError` naming the file, the key and the
rule, and listing the valid keys. Keyword overrides given to
:func:`load_vocabulary` (from command-line options or notebook parameters)
win over the file; an empty override means "not set".

Waves may also carry a name per language (optional ``name_en`` / ``name_fr``
columns of the waves table); :func:`wave_label` picks the right one.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ConfigError

if TYPE_CHECKING:  # pandas and the schema are imported where used: report workers need neither
    import pandas as pd

__all__ = [
    "DEFAULT_VOCABULARY",
    "KEYS",
    "MARKUP_CHARACTERS",
    "PLACEHOLDERS",
    "SECTION",
    "SETTINGS_FILE",
    "Vocabulary",
    "current_vocabulary",
    "load_vocabulary",
    "reset_vocabulary",
    "set_vocabulary",
    "use_vocabulary",
    "wave_label",
]

SETTINGS_FILE = "programme.toml"
"""Name of the optional settings file in a programme folder."""

SECTION = "programme"
"""The table of :data:`SETTINGS_FILE` holding the vocabulary."""

KEYS: tuple[str, ...] = (
    "name_en",
    "name_fr",
    "participants_en",
    "participants_fr",
    "participant_en",
    "participant_fr",
)
"""Valid keys of the ``[programme]`` section (and of :func:`load_vocabulary` overrides)."""

PLACEHOLDERS: tuple[str, ...] = (
    "programme",
    "Programme",
    "participants",
    "Participants",
    "participant",
    "Participant",
)
"""Placeholders that :func:`advocacy_eval.reports.i18n.t` fills from the active vocabulary."""

_LANGS: tuple[str, ...] = ("en", "fr")


def _capitalise(text: str) -> str:
    """Upper-case the first letter only (``"programme x"`` -> ``"Programme x"``)."""
    return text[:1].upper() + text[1:]


MARKUP_CHARACTERS = "<>[]()*_`#|$\\"
"""Characters a vocabulary value must not contain.

:func:`advocacy_eval.reports.i18n.t` puts vocabulary values into report
titles and sentences as they are, and those are Markdown (with raw HTML and
MathJax-style ``$`` delimiters): each of these characters could start a tag,
a link, emphasis, a heading, a table cell, a code span or mathematics.
"""


def _value_problem(value: object) -> str | None:
    """The rule a vocabulary value breaks, or None if it is valid."""
    if not isinstance(value, str):
        return f"must be text in quotes, not {type(value).__name__} {value!r}"
    if not value.strip():
        return "must not be empty"
    if any(ch in value for ch in "\r\n") or any(ord(ch) < 32 and ch != "\t" for ch in value):
        return "must be a single line of text"
    markup = [ch for ch in MARKUP_CHARACTERS if ch in value]
    if markup:
        return (
            f"must be plain words: it contains {' '.join(markup)}, and none of {' '.join(MARKUP_CHARACTERS)} "
            "may appear (reports would read them as HTML or Markdown markup)"
        )
    return None


@dataclass(frozen=True)
class Vocabulary:
    """The programme's name and what its participants are called, in English and French.

    Attributes
    ----------
    name_en, name_fr : str
        The programme's name, in lower case as it reads inside a sentence.
    participants_en, participants_fr : str
        What participants are called, plural.
    participant_en, participant_fr : str
        What one participant is called, singular.

    Raises
    ------
    ConfigError
        If a value is not a non-empty, single-line string of plain words
        (see :data:`MARKUP_CHARACTERS`).
    """

    name_en: str = "employee advocacy programme"
    name_fr: str = "programme collaborateurs influenceurs"
    participants_en: str = "volunteers"
    participants_fr: str = "collaborateurs volontaires"
    participant_en: str = "volunteer"
    participant_fr: str = "collaborateur volontaire"

    def __post_init__(self) -> None:
        problems = [
            f"Vocabulary({f.name}=...): {rule}"
            for f in fields(self)
            if (rule := _value_problem(getattr(self, f.name))) is not None
        ]
        if problems:
            raise ConfigError(
                "invalid vocabulary:\n  "
                + "\n  ".join(problems)
                + f"\nvalid keys: {', '.join(KEYS)}"
            )

    def name(self, lang: str) -> str:
        """The programme's name in ``lang`` (``"en"`` or ``"fr"``)."""
        return getattr(self, f"name_{_check_lang(lang)}")

    def participants(self, lang: str) -> str:
        """What participants are called (plural) in ``lang``."""
        return getattr(self, f"participants_{_check_lang(lang)}")

    def participant(self, lang: str) -> str:
        """What one participant is called (singular) in ``lang``."""
        return getattr(self, f"participant_{_check_lang(lang)}")

    def placeholders(self, lang: str) -> dict[str, str]:
        """Values of every placeholder of :data:`PLACEHOLDERS` in ``lang``.

        Parameters
        ----------
        lang : str
            ``"en"`` or ``"fr"``.

        Returns
        -------
        dict
            ``{"programme": ..., "Programme": ..., "participants": ..., ...}``.
        """
        name, many, one = self.name(lang), self.participants(lang), self.participant(lang)
        return {
            "programme": name,
            "Programme": _capitalise(name),
            "participants": many,
            "Participants": _capitalise(many),
            "participant": one,
            "Participant": _capitalise(one),
        }


DEFAULT_VOCABULARY = Vocabulary()
"""The vocabulary used when none is set."""

_ACTIVE: contextvars.ContextVar[Vocabulary] = contextvars.ContextVar(
    "advocacy_eval_vocabulary",
    default=DEFAULT_VOCABULARY,
)
"""The active vocabulary (per thread / asyncio task; persists across notebook cells)."""


def _check_lang(lang: str) -> str:
    if lang not in _LANGS:
        raise ValueError(f"unsupported report language {lang!r}; choose one of {', '.join(_LANGS)}")
    return lang


def current_vocabulary() -> Vocabulary:
    """The active vocabulary (:data:`DEFAULT_VOCABULARY` unless one was set)."""
    return _ACTIVE.get()


def set_vocabulary(vocabulary: Vocabulary) -> contextvars.Token:
    """Make ``vocabulary`` the active one for every later report string.

    Parameters
    ----------
    vocabulary : Vocabulary
        The vocabulary to use.

    Returns
    -------
    contextvars.Token
        Give it to :func:`reset_vocabulary` to restore the previous vocabulary.
    """
    if not isinstance(vocabulary, Vocabulary):
        raise TypeError(f"expected a Vocabulary, got {type(vocabulary).__name__}")
    return _ACTIVE.set(vocabulary)


def reset_vocabulary(token: contextvars.Token) -> None:
    """Restore the vocabulary that was active before :func:`set_vocabulary` returned ``token``."""
    _ACTIVE.reset(token)


@contextlib.contextmanager
def use_vocabulary(vocabulary: Vocabulary) -> Iterator[Vocabulary]:
    """Use ``vocabulary`` for the report strings made inside a ``with`` block.

    Parameters
    ----------
    vocabulary : Vocabulary
        The vocabulary to use.

    Yields
    ------
    Vocabulary
        ``vocabulary``.
    """
    token = set_vocabulary(vocabulary)
    try:
        yield vocabulary
    finally:
        reset_vocabulary(token)


def _read_settings(path: Path) -> tuple[dict[str, object], list[str]]:
    """Read the ``[programme]`` section of a settings file; problems are returned, not raised."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        return {}, [f"{path}: not a valid TOML file ({exc})"]
    problems = [
        f"{path}: {key}: unknown {'section' if isinstance(value, dict) else 'top-level key'}; "
        f"write the settings under a [{SECTION}] section"
        for key, value in data.items()
        if key != SECTION
    ]
    section = data.get(SECTION, {})
    if not isinstance(section, dict):
        return {}, [*problems, f"{path}: {SECTION}: must be a [{SECTION}] section"]
    return section, problems


def load_vocabulary(data_dir: str | os.PathLike | None = None, **overrides: object) -> Vocabulary:
    """The programme's vocabulary: defaults, then ``programme.toml``, then overrides.

    Parameters
    ----------
    data_dir : str, path or None
        Programme folder that may hold ``programme.toml`` (format in the
        module docstring). None or an empty string: no file is read.
    **overrides
        Values of :data:`KEYS` (e.g. from command-line options or notebook
        parameters) that win over the file; None or an empty string means
        "not set".

    Returns
    -------
    Vocabulary

    Raises
    ------
    ConfigError
        One error listing every problem (file, key, rule) and the valid keys:
        an unknown key or section, a value that is not text, an empty or
        multi-line value, a value with a markup character
        (:data:`MARKUP_CHARACTERS`), or a file that is not valid TOML.
    FileNotFoundError
        If ``data_dir`` is given but is not a folder.
    """
    values: dict[str, str] = {}
    problems: list[str] = []
    if data_dir is not None and str(data_dir).strip():
        folder = Path(data_dir)
        if not folder.is_dir():
            raise FileNotFoundError(f"programme folder not found: {folder}")
        path = folder / SETTINGS_FILE
        if path.is_file():
            section, problems = _read_settings(path)
            for key, value in section.items():
                where = f"{path}: [{SECTION}] {key}"
                if key not in KEYS:
                    problems.append(f"{where}: unknown key")
                elif (rule := _value_problem(value)) is not None:
                    problems.append(f"{where}: {rule}")
                else:
                    values[key] = str(value).strip()
    for key, value in overrides.items():
        where = f"setting {key} (command-line option or notebook parameter)"
        if key not in KEYS:
            problems.append(f"{where}: unknown key")
        elif value is None or (isinstance(value, str) and not value.strip()):
            continue
        elif (rule := _value_problem(value)) is not None:
            problems.append(f"{where}: {rule}")
        else:
            values[key] = str(value).strip()
    if problems:
        raise ConfigError(
            "invalid programme vocabulary:\n  "
            + "\n  ".join(problems)
            + f"\nvalid keys (all optional, text in quotes) under [{SECTION}]: {', '.join(KEYS)}"
        )
    return Vocabulary(**values)


def wave_label(waves: pd.DataFrame, wave_id: str, lang: str) -> str:
    """The name of a wave shown in a report in ``lang``.

    Parameters
    ----------
    waves : pandas.DataFrame
        The waves table, with a ``wave_id`` column or indexed by wave id.
    wave_id : str
        The wave.
    lang : str
        ``"en"`` or ``"fr"``.

    Returns
    -------
    str
        ``name_<lang>`` when that column exists and is non-empty for the wave,
        else ``name`` (else the wave id, if ``name`` is empty too).

    Raises
    ------
    KeyError
        If the wave is not in the table.
    """
    import pandas as pd

    _check_lang(lang)
    if "wave_id" in waves.columns:
        rows = waves.loc[waves["wave_id"].astype("string") == str(wave_id)]
    else:
        rows = waves.loc[waves.index.astype("string") == str(wave_id)]
    if rows.empty:
        known = waves["wave_id"] if "wave_id" in waves.columns else waves.index
        from ..schema import check_wave

        check_wave(
            [str(k) for k in known], str(wave_id)
        )  # raises the package's one unknown-wave error
    row = rows.iloc[0]
    for column in (f"name_{lang}", "name"):
        value = row.get(column)
        if value is not None and not pd.isna(value) and str(value).strip():
            return str(value).strip()
    return str(wave_id)
