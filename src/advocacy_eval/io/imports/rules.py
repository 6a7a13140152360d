"""Content classification by rules: a TOML file of hashtags, keywords, link domains and campaign names.

A rules file lists rules in order; each gives a ``content_type`` (``corporate`` or
``non_corporate``), optionally a ``theme``, and the conditions that trigger it::

    [[rules]]
    name = "Recruitment"                     # optional (default: "rule <n>")
    content_type = "corporate"
    theme = "recruitment"                    # optional
    hashtags = ["#hiring", "JoinAcme"]       # hashtags of the post's text (the # is optional)
    keywords = ["we are hiring", "nous recrutons"]   # words or phrases of the text
    domains = ["careers.acme.example"]       # hosts of the links (sub-domains included)
    campaigns = ["Employer brand 2024"]      # campaign names (LinkedIn Page export, platform)

A rule matches a post when any of its conditions does. Matching ignores case,
accents and repeated spaces; hashtags and keywords match whole words only
(``#hiring`` does not match ``#hiringnow``, ``art`` does not match ``party``).
The first matching rule in the file wins; the other matching rules that give a
*different* content type are listed in the review file (reorder or sharpen the
rules to settle them).

:func:`classify` decides each post's ``content_type`` and ``theme`` in this
order, and says which step decided (``decided_by``):

1. ``given``: ``--content-type`` (one value, or a file of post link, content_type[, theme]);
2. ``platform tag``: the advocacy platform's own category, mapped in its TOML mapping;
3. ``kept``: the classification already stored in ``posts.csv`` (edited by hand,
   or decided by an earlier import), unless it is ``unclassified``;
4. ``rule``: the first rule that matches;
5. ``unclassified``: nothing decided. The post is imported, counted and shown,
   and left out of the content mix.

Everything is vectorised: one pass per rule over all posts, never a loop over posts.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ...schema import CONTENT_TYPES, UNCLASSIFIED
from .parsing import ImportRefused

RULE_FIELDS: tuple[str, ...] = (
    "name",
    "content_type",
    "theme",
    "hashtags",
    "keywords",
    "domains",
    "campaigns",
)
"""Fields a rule may have."""
CONDITIONS: tuple[str, ...] = ("hashtags", "keywords", "domains", "campaigns")
"""Fields that trigger a rule (at least one per rule)."""

DECIDED_BY: tuple[str, ...] = ("given", "platform tag", "kept", "rule", UNCLASSIFIED)
"""Values of the review file's ``decided_by`` column, by precedence."""

REVIEW_COLUMNS: tuple[str, ...] = (
    "file",
    "row",
    "post_id",
    "author_type",
    "published_at",
    "content_type",
    "theme",
    "decided_by",
    "rule",
    "matched",
    "also_matched",
)
"""Columns of the review CSV written by every import of posts."""

_LINK_HOST = r"(?:https?://|(?<![\w.@])www\.)([^\s/?#:<>\"')\]]+)"
_HASHTAG = r"#(\w[\w-]*)"


@dataclass(frozen=True)
class Rule:
    """One classification rule.

    Attributes
    ----------
    number : int
        Position in the file (from 1).
    name : str
        Name shown in the review file.
    content_type : str
        ``corporate`` or ``non_corporate``.
    theme : str or None
        Theme given to the posts it classifies.
    hashtags, keywords, domains, campaigns : tuple of str
        Normalised conditions (see the module docstring).
    """

    number: int
    name: str
    content_type: str
    theme: str | None
    hashtags: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    campaigns: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """``rule <n> (<name>)``."""
        return (
            self.name if self.name == f"rule {self.number}" else f"rule {self.number} ({self.name})"
        )


@dataclass(frozen=True)
class Rules:
    """An ordered list of rules and where it comes from.

    Attributes
    ----------
    source : str
        File name (or ``"rules"`` for a dict).
    rules : tuple of Rule
        In file order.
    """

    source: str
    rules: tuple[Rule, ...]


def normalise_text(values: pd.Series) -> pd.Series:
    """Text for matching: accents removed, case-folded, curly apostrophes straightened, spaces collapsed."""
    text = values.astype("string").fillna("")
    text = text.str.normalize("NFKD").str.replace(r"[\u0300-\u036f]", "", regex=True).str.casefold()
    text = text.str.replace("[\u2019\u2018]", "'", regex=True).str.replace(r"\s+", " ", regex=True)
    return text.str.strip()


def _norm_one(value: str) -> str:
    return str(normalise_text(pd.Series([value])).iloc[0])


def load_rules(value: object) -> Rules | None:
    """Read and check a rules file (TOML path) or a dict with the same structure.

    Parameters
    ----------
    value : path, str, dict or None
        The rules; None gives None (no rules).

    Returns
    -------
    Rules or None

    Raises
    ------
    ImportRefused
        Listing every problem: the file, the rule's number and name, the field and the rule broken.
    """
    if value is None:
        return None
    if isinstance(value, Rules):
        return value
    if isinstance(value, dict):
        data, source = value, "rules"
    else:
        path = Path(str(value)).expanduser()
        if not path.is_file():
            raise ImportRefused(
                f"rules file not found: {value} (a TOML file of [[rules]]; see docs/importing.md)"
            )
        source = path.name
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ImportRefused(f"rules file {source} is not valid TOML: {exc}") from None
    problems: list[str] = []
    extra = sorted(set(data) - {"rules"})
    if extra:
        problems.append(
            f"unknown top-level key(s) {', '.join(extra)}: write each rule as a [[rules]] table"
        )
    entries = data.get("rules")
    if not isinstance(entries, list) or not entries:
        problems.append("no [[rules]] table found")
        raise ImportRefused(f"rules file {source} is not usable:\n  - " + "\n  - ".join(problems))
    rules: list[Rule] = []
    for number, raw in enumerate(entries, start=1):
        where = f"rule {number}" + (
            f" ({raw.get('name')!r})" if isinstance(raw, dict) and raw.get("name") else ""
        )
        if not isinstance(raw, dict):
            problems.append(f"{where}: must be a table ([[rules]])")
            continue
        found = _rule_problems(raw)
        problems += [f"{where}: {p}" for p in found]
        if found:
            continue
        rules.append(
            Rule(
                number=number,
                name=str(raw.get("name") or f"rule {number}"),
                content_type=raw["content_type"],
                theme=(str(raw["theme"]).strip() or None) if raw.get("theme") is not None else None,
                hashtags=tuple(_norm_one(h).lstrip("#") for h in raw.get("hashtags", [])),
                keywords=tuple(_norm_one(k) for k in raw.get("keywords", [])),
                domains=tuple(_clean_domain(d) for d in raw.get("domains", [])),
                campaigns=tuple(_norm_one(c) for c in raw.get("campaigns", [])),
            )
        )
    if problems:
        raise ImportRefused(f"rules file {source} is not usable:\n  - " + "\n  - ".join(problems))
    return Rules(source, tuple(rules))


def _clean_domain(value: str) -> str:
    text = str(value).strip().casefold()
    text = re.sub(r"^[a-z]+://", "", text)
    text = re.sub(r"^www\.", "", text)
    return text.split("/")[0].rstrip(".")


def _rule_problems(raw: dict) -> list[str]:
    """Every rule a rule table breaks, in words."""
    problems = []
    unknown = sorted(set(raw) - set(RULE_FIELDS))
    if unknown:
        problems.append(
            f"unknown field(s) {', '.join(unknown)}; valid fields: {', '.join(RULE_FIELDS)}"
        )
    ctype = raw.get("content_type")
    if ctype is None:
        problems.append("field 'content_type' is required (corporate or non_corporate)")
    elif ctype not in CONTENT_TYPES:
        problems.append(f"content_type {ctype!r} must be one of {', '.join(CONTENT_TYPES)}")
    for name in ("name", "theme"):
        if name in raw and (not isinstance(raw[name], str) or not raw[name].strip()):
            problems.append(f"{name} must be a non-empty string")
    if not any(raw.get(c) for c in CONDITIONS):
        problems.append(f"no condition: give at least one of {', '.join(CONDITIONS)}")
    for cond in CONDITIONS:
        if cond not in raw:
            continue
        items = raw[cond]
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            problems.append(f'{cond} must be a list of strings, e.g. {cond} = ["..."]')
            continue
        for item in items:
            cleaned = _clean_domain(item) if cond == "domains" else _norm_one(item).lstrip("#")
            if not cleaned:
                problems.append(f"{cond}: empty value {item!r}")
            elif cond == "hashtags" and not re.fullmatch(r"\w[\w-]*", cleaned):
                problems.append(
                    f"hashtags: {item!r} is not one hashtag (letters, digits, _ and - only)"
                )
            elif cond == "domains" and not re.fullmatch(r"[a-z0-9\-]+(\.[a-z0-9\-]+)+", cleaned):
                problems.append(f"domains: {item!r} is not a domain such as careers.acme.example")
    return problems


def _rule_matches(
    rule: Rule, text: pd.Series, tags: pd.DataFrame, hosts: pd.DataFrame, campaign: pd.Series
) -> pd.Series:
    """What made ``rule`` match each post (``hashtag #x``, ``keyword "y"``...), missing where it did not."""
    n = len(text)
    found = pd.Series(pd.NA, index=text.index, dtype="string")
    if rule.hashtags and len(tags):
        hit = tags[tags["tag"].isin(rule.hashtags)].drop_duplicates("i")
        found.iloc[hit["i"].to_numpy()] = ("hashtag #" + hit["tag"]).to_numpy()
    if rule.keywords:
        pattern = (
            r"(?<!\w)("
            + "|".join(re.escape(k) for k in sorted(rule.keywords, key=len, reverse=True))
            + r")(?!\w)"
        )
        word = text.str.extract(pattern, expand=False).astype("string")
        found = found.fillna('keyword "' + word + '"')
    if rule.domains and len(hosts):
        host = hosts["host"]
        for domain in rule.domains:
            hit = hosts[(host == domain) | host.str.endswith("." + domain)].drop_duplicates("i")
            if len(hit):
                mark = pd.Series(pd.NA, index=text.index, dtype="string")
                mark.iloc[hit["i"].to_numpy()] = "domain " + domain
                found = found.fillna(mark)
    if rule.campaigns:
        hit = (campaign.isin(rule.campaigns) & (campaign != "")).fillna(False)
        found = found.fillna(("campaign " + campaign).where(hit))
    assert len(found) == n
    return found


def apply_rules(
    rules: Rules | None,
    text: pd.Series,
    link: pd.Series | None = None,
    campaign: pd.Series | None = None,
) -> pd.DataFrame:
    """Apply rules to posts.

    Parameters
    ----------
    rules : Rules or None
        The rules (None: nothing matches).
    text : pandas.Series
        The posts' text (LinkedIn's "Post title", a platform's text column); hashtags, keywords and
        links are read from it.
    link : pandas.Series, optional
        A link shared by each post (its host is matched with ``domains`` too).
    campaign : pandas.Series, optional
        Campaign names.

    Returns
    -------
    pandas.DataFrame
        Same index as ``text``; columns ``content_type``, ``theme``, ``rule`` (label of the first
        matching rule), ``matched`` (what matched) and ``also_matched`` (other matching rules giving a
        different content type), missing where no rule matched.
    """
    index = text.index
    out = pd.DataFrame(
        {
            c: pd.Series(pd.NA, index=index, dtype="string")
            for c in ("content_type", "theme", "rule", "matched", "also_matched")
        }
    )
    if rules is None or not len(index):
        return out
    norm = normalise_text(text).reset_index(drop=True)
    found_tags = norm.str.findall(_HASHTAG).explode().dropna()
    tags = pd.DataFrame(
        {
            "i": found_tags.index.to_numpy(dtype=np.int64),
            "tag": found_tags.astype("string").to_numpy(),
        }
    )
    raw_links = text.astype("string").fillna("").reset_index(drop=True)
    host_parts = [raw_links.str.casefold().str.findall(_LINK_HOST).explode().dropna()]
    if link is not None:
        shared = link.astype("string").fillna("").reset_index(drop=True).str.casefold()
        host_parts.append(shared.str.extract(r"^(?:[a-z]+://)?([^\s/?#:]+)", expand=False).dropna())
    found_hosts = pd.concat(host_parts)
    found_hosts = found_hosts[found_hosts.astype(str) != ""]
    hosts = pd.DataFrame(
        {
            "i": found_hosts.index.to_numpy(dtype=np.int64),
            "host": found_hosts.astype("string")
            .str.replace(r"^www\.", "", regex=True)
            .str.rstrip(".")
            .to_numpy(),
        }
    )
    camp = (
        normalise_text(campaign).reset_index(drop=True)
        if campaign is not None
        else pd.Series("", index=norm.index, dtype="string")
    )
    ctype = pd.Series(pd.NA, index=norm.index, dtype="string")
    theme = pd.Series(pd.NA, index=norm.index, dtype="string")
    label = pd.Series(pd.NA, index=norm.index, dtype="string")
    matched = pd.Series(pd.NA, index=norm.index, dtype="string")
    also = pd.Series(pd.NA, index=norm.index, dtype="string")
    for rule in rules.rules:
        hit = _rule_matches(rule, norm, tags, hosts, camp)
        has = hit.notna().to_numpy()
        first = has & ctype.isna().to_numpy()
        ctype[first] = rule.content_type
        theme[first] = rule.theme if rule.theme else pd.NA
        label[first] = rule.label
        matched[first] = hit[first]
        conflict = has & ~first & (ctype != rule.content_type).fillna(False).to_numpy()
        if conflict.any():
            note = pd.Series(f"{rule.label}: {rule.content_type}", index=norm.index, dtype="string")
            also[conflict] = (also[conflict] + "; " + note[conflict]).fillna(note[conflict])
    for name, values in (
        ("content_type", ctype),
        ("theme", theme),
        ("rule", label),
        ("matched", matched),
        ("also_matched", also),
    ):
        out[name] = values.to_numpy()
    return out


def classify(
    post_id: pd.Series,
    *,
    given: pd.DataFrame | None = None,
    tag: pd.Series | None = None,
    tag_theme: pd.Series | None = None,
    existing: pd.DataFrame | None = None,
    rules: Rules | None = None,
    text: pd.Series | None = None,
    link: pd.Series | None = None,
    campaign: pd.Series | None = None,
) -> pd.DataFrame:
    """Decide each post's content type and theme (precedence in the module docstring).

    Parameters
    ----------
    post_id : pandas.Series
        The posts' ids (index shared by every other argument).
    given : pandas.DataFrame, optional
        ``content_type`` and ``theme`` given with ``--content-type`` (missing where not given).
    tag, tag_theme : pandas.Series, optional
        The platform's own category (already mapped to a canonical value) and theme.
    existing : pandas.DataFrame, optional
        The folder's ``posts.csv`` (text), to keep classifications already stored.
    rules : Rules, optional
        Classification rules.
    text, link, campaign : pandas.Series, optional
        What the rules read.

    Returns
    -------
    pandas.DataFrame
        Columns ``content_type``, ``theme``, ``decided_by``, ``rule``, ``matched``, ``also_matched``.
    """
    index = post_id.index

    def column(frame: pd.DataFrame | None, name: str) -> pd.Series:
        if frame is None or name not in frame:
            return pd.Series(pd.NA, index=index, dtype="string")
        return frame[name].astype("string").reindex(index)

    def blank(values: pd.Series | None) -> pd.Series:
        if values is None:
            return pd.Series(pd.NA, index=index, dtype="string")
        out = values.astype("string").str.strip()
        return out.mask(out == "")

    ctype = pd.Series(pd.NA, index=index, dtype="string")
    theme = pd.Series(pd.NA, index=index, dtype="string")
    decided = pd.Series(pd.NA, index=index, dtype="string")

    def take(values: pd.Series, themes: pd.Series, step: str) -> None:
        fill = (ctype.isna() & values.notna()).to_numpy()
        ctype[fill] = values[fill]
        theme[fill] = themes[fill]
        decided[fill] = step

    take(blank(column(given, "content_type")), blank(column(given, "theme")), "given")
    tag_values = blank(tag)
    take(tag_values.mask(tag_values == UNCLASSIFIED), blank(tag_theme), "platform tag")
    if existing is not None and len(existing):
        stored = existing.drop_duplicates("post_id").set_index("post_id")
        old_type = blank(post_id.map(stored["content_type"]) if "content_type" in stored else None)
        old_theme = blank(post_id.map(stored["theme"]) if "theme" in stored else None)
        take(old_type.mask(old_type == UNCLASSIFIED), old_theme, "kept")
    text = text if text is not None else pd.Series("", index=index, dtype="string")
    ruled = apply_rules(rules, text, link, campaign)
    ruled.index = index
    take(ruled["content_type"], ruled["theme"], "rule")
    rest = ctype.isna().to_numpy()
    ctype[rest] = UNCLASSIFIED
    decided[rest] = UNCLASSIFIED
    by_rule = (decided == "rule").fillna(False).to_numpy()
    # a platform's theme column fills a missing theme whatever decided the type
    theme = theme.fillna(blank(tag_theme))
    out = pd.DataFrame(
        {
            "content_type": ctype,
            "theme": theme,
            "decided_by": decided,
            "rule": ruled["rule"].where(by_rule),
            "matched": ruled["matched"].where(by_rule),
            "also_matched": ruled["also_matched"].where(by_rule),
        },
        index=index,
    )
    return out


def review_frame(
    file: str, rows: np.ndarray, posts: pd.DataFrame, decision: pd.DataFrame
) -> pd.DataFrame:
    """Rows of the review CSV for one file's posts.

    Parameters
    ----------
    file : str
        File name.
    rows : numpy.ndarray
        Row number of each post in the file.
    posts : pandas.DataFrame
        The file's posts (``post_id``, ``author_type``, ``published_at``).
    decision : pandas.DataFrame
        :func:`classify`'s result for them (same order).
    """
    published = pd.to_datetime(posts["published_at"], errors="coerce").dt.strftime("%Y-%m-%d")
    return pd.DataFrame(
        {
            "file": file,
            "row": np.asarray(rows),
            "post_id": posts["post_id"].to_numpy(),
            "author_type": posts["author_type"].to_numpy(),
            "published_at": published.to_numpy(),
            "content_type": decision["content_type"].to_numpy(),
            "theme": decision["theme"].to_numpy(),
            "decided_by": decision["decided_by"].to_numpy(),
            "rule": decision["rule"].to_numpy(),
            "matched": decision["matched"].to_numpy(),
            "also_matched": decision["also_matched"].to_numpy(),
        },
        columns=list(REVIEW_COLUMNS),
    )


def classification_counts(review: pd.DataFrame) -> dict[str, int]:
    """Posts by content type (and rule conflicts) in review rows: ``{"corporate": n, ..., "conflicts": n}``."""
    counts = {c: int((review["content_type"] == c).sum()) for c in (*CONTENT_TYPES, UNCLASSIFIED)}
    counts["conflicts"] = int(review["also_matched"].notna().sum())
    return counts


__all__ = [
    "REVIEW_COLUMNS",
    "Rule",
    "Rules",
    "apply_rules",
    "classification_counts",
    "classify",
    "load_rules",
    "normalise_text",
    "review_frame",
]
