r"""Import real-world exports into a programme folder: LinkedIn page and member analytics,
advocacy-platform posts, HR rosters (English or French).

A two-line HR roster imported into a new folder (identifiers pseudonymised with the key):

>>> import secrets, shutil, tempfile
>>> from pathlib import Path
>>> from advocacy_eval.io.imports import import_files
>>> work = Path(tempfile.mkdtemp())
>>> _ = (work / "roster.csv").write_text(
...     "Email,Department,Region,Wave,Enrolled on\n"
...     "ana@acme.example,IT,North,W1,2024-01-10\n"
...     "bob@acme.example,HR,South,,\n",
...     encoding="utf-8",
... )
>>> key = secrets.token_hex(32)  # in practice your key file (advocacy-eval keygen), the same for every import
>>> result = import_files("roster", [work / "roster.csv"], work / "acme", key=key)
>>> print(result.summary())  # doctest: +ELLIPSIS
imported 1 roster file(s) into ...acme
roster.csv: 2 rows read (utf-8, en); export date ... (import date); +3 added, 0 updated, 0 unchanged
  note: wave W1: no wave start/end columns, window set to its first..last enrolment date
waves: +1 added, 0 updated, 0 unchanged
employees: +2 added, 0 updated, 0 unchanged
>>> sorted(p.name for p in (work / "acme").glob("*.csv"))
['employees.csv', 'import_log.csv', 'waves.csv']
>>> shutil.rmtree(work)

The other kinds take the same call, e.g. ``import_files("linkedin-followers",
["acme_followers_1706832000000.xls"], "data/acme")`` or ``import_files("linkedin-page",
["acme_content_1706832000000.xls"], "data/acme", rules="classification.toml")``.

Every import is all-or-nothing: all files are parsed and checked, the new
tables, raw copies and log are staged inside the data folder and validated
with the package's schemas (with :func:`~advocacy_eval.io.load_programme`
once waves, employees and posts exist), and only then committed through a
journal (:class:`~advocacy_eval.io.imports.store.Stage`). A failure of any
kind leaves the folder exactly as it was and raises one clear error; a
process killed at any point leaves it as before or, once the journal is
written, as after (the next import, ``validate`` or ``report`` completes the
commit and removes the leftovers). Re-importing a file already imported
(same SHA-256) changes nothing, not even the log. See ``docs/importing.md``.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ...errors import AdvocacyEvalError, DataValidationError
from ...privacy.pseudonym import KeyLocationWarning, key_file_in_use, key_location_warning
from ..load import file_sha256
from . import linkedin_followers, linkedin_member, linkedin_page, platform, roster
from .common import PAGE_ID, Context, Extract, Options
from .parsing import ImportRefused, Problems, read_file
from .rules import REVIEW_COLUMNS, classification_counts, load_rules
from .store import (
    HISTORY_DIR,
    LOG_COLUMNS,
    LOG_FILE,
    RAW_DIR,
    REVIEW_DIR,
    FolderLock,
    FolderState,
    ImportWriteError,
    MergeCounts,
    Stage,
    add_aliases,
    crash_point,
    merge_latest,
    merge_snapshot,
    now_utc,
    recover_interrupted_import,
    replace_derived,
    table_bytes,
    validate_tables,
)

KINDS: dict[str, object] = {
    "linkedin-page": linkedin_page.extract,
    "linkedin-followers": linkedin_followers.extract,
    "linkedin-member": linkedin_member.extract,
    "platform": platform.extract,
    "roster": roster.extract,
}
"""Importers by kind."""


@dataclass
class FileOutcome:
    """What happened to one file.

    Attributes
    ----------
    name : str
        File name.
    sha256 : str
        SHA-256 of its bytes.
    bytes : int
        Size.
    status : str
        ``imported`` or ``already imported`` (same SHA-256 in the log: skipped).
    raw_file : str
        Path of the copy in the data folder, relative to it.
    encoding, lang, date_order : str or None
        How it was read (encoding of CSV files; None for Excel).
    export_date : str or None
        Export date used to order its snapshots, and where it came from.
    period : tuple of str or None
        First and last day the file covers (``YYYY-MM-DD``), when it says.
    rows_read, added, updated, unchanged : int
        Rows read, and rows of the canonical tables added, updated or unchanged.
    notes : list of str
        Decisions taken (filled values, columns not read...).
    """

    name: str
    sha256: str
    bytes: int
    status: str
    raw_file: str = ""
    encoding: str | None = None
    lang: str | None = None
    date_order: str | None = None
    export_date: str | None = None
    export_date_source: str = ""
    period: tuple[str, str] | None = None
    rows_read: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    """Outcome of :func:`import_files`.

    Attributes
    ----------
    kind : str
        Kind of import.
    data_dir : Path
        The data folder.
    files : list of FileOutcome
        One entry per distinct file given.
    counts : dict
        Table -> {"added": n, "updated": n, "unchanged": n}.
    recovered : str or None
        What was done first to an import into this folder that had been interrupted (completed or
        undone, leftovers removed), if anything.
    review_file : str or None
        The review CSV of the posts' classification written by this import (relative to the folder).
    classification : dict
        Imported posts by content type (``corporate``, ``non_corporate``, ``unclassified``) and the
        number of rule conflicts (``conflicts``); empty for imports without posts.
    """

    kind: str
    data_dir: Path
    files: list[FileOutcome]
    counts: dict[str, dict[str, int]]
    recovered: str | None = None
    review_file: str | None = None
    classification: dict[str, int] = field(default_factory=dict)

    @property
    def noop(self) -> bool:
        """True when every file had already been imported (nothing changed)."""
        return all(f.status != "imported" for f in self.files)

    @property
    def encodings(self) -> dict[str, str | None]:
        """Encoding used for each file (None for Excel files)."""
        return {f.name: f.encoding for f in self.files}

    @property
    def files_copied(self) -> list[str]:
        """Raw copies written into the data folder (relative paths)."""
        return [f.raw_file for f in self.files if f.status == "imported"]

    def summary(self) -> str:
        """Readable summary, one line per file then per table."""
        lines = []
        for f in self.files:
            if f.status != "imported":
                lines.append(
                    f"{f.name}: already imported (sha256 {f.sha256[:12]}), nothing changed"
                )
                continue
            how = ", ".join(
                x for x in (f.encoding, f.lang, f.date_order and f"dates {f.date_order}") if x
            )
            covers = f"; covers {f.period[0]}..{f.period[1]}" if f.period else ""
            lines.append(
                f"{f.name}: {f.rows_read} rows read ({how}); export date {f.export_date} "
                f"({f.export_date_source}){covers}; +{f.added} added, {f.updated} updated, "
                f"{f.unchanged} unchanged"
            )
            lines += [f"  note: {n}" for n in f.notes]
        for table, c in self.counts.items():
            lines.append(
                f"{table}: +{c['added']} added, {c['updated']} updated, {c['unchanged']} unchanged"
            )
        if self.classification:
            c = self.classification
            lines.append(
                f"classification: {c['corporate']} corporate, {c['non_corporate']} non_corporate, "
                f"{c['unclassified']} unclassified (kept, left out of the content mix)"
                + (
                    f", {c['conflicts']} matched rules of both types (first rule kept)"
                    if c["conflicts"]
                    else ""
                )
                + f"; what each post got and why: {self.review_file}"
            )
        head = (
            f"nothing to import into {self.data_dir}: every file was imported before"
            if self.noop
            else f"imported {sum(f.status == 'imported' for f in self.files)} {self.kind} file(s) into "
            f"{self.data_dir}"
        )
        first = [f"recovered: {self.recovered}"] if self.recovered else []
        return "\n".join([*first, head, *lines])

    def __str__(self) -> str:
        return self.summary()


def _as_list(files: str | os.PathLike | Iterable[str | os.PathLike]) -> list[Path]:
    if isinstance(files, (str, os.PathLike)):
        return [Path(files)]
    return [Path(f) for f in files]


def _timestamp(value: object) -> pd.Timestamp | None:
    if value is None:
        return None
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise ImportRefused(
            f"export date {value!r} is not a date (write YYYY-MM-DD or YYYY-MM-DD HH:MM)"
        ) from None
    if ts.tzinfo is not None:
        ts = ts.tz_convert("UTC").tz_localize(None)
    return ts


def import_files(
    kind: str,
    files: str | os.PathLike | Sequence[str | os.PathLike],
    into: str | os.PathLike,
    *,
    key: bytes | str | None = None,
    employee_id: object = None,
    mapping: object = None,
    export_date: object = None,
    lang: str | None = None,
    page_id: str = PAGE_ID,
    page_followers: object = None,
    content_type: object = None,
    rules: object = None,
    reach_from_impressions: bool = False,
    as_of: object = None,
) -> ImportResult:
    """Import export files into a programme folder, all or nothing.

    Parameters
    ----------
    kind : {"linkedin-page", "linkedin-followers", "linkedin-member", "platform", "roster"}
        What the files are (see ``docs/importing.md``).
    files : path or sequence of paths
        Files to import together (one transaction).
    into : path
        Data folder (created when missing).
    key : bytes or str, optional
        Pseudonymisation key (raw bytes, or hexadecimal/base64 text); default:
        read from ``ADVOCACY_EVAL_KEY`` / ``ADVOCACY_EVAL_KEY_FILE``. Needed by
        roster, platform (employee authors) and linkedin-member (unless the
        employee is given as a pseudonym). Never written anywhere.
    employee_id : str, dict or path, optional
        linkedin-member only: the employee of the files (a pseudonym ``E-...``
        or an identifier such as the e-mail used in the roster), a dict
        file name -> employee, or a CSV/TOML mapping file (columns file, employee).
    mapping : path, str or dict, optional
        platform only: the column mapping (TOML file, name of a shipped
        example, or a dict with the same structure).
    export_date : date-like, optional
        Export date of the files (orders snapshots); default: from the file
        name (LinkedIn's millisecond timestamp or an ISO date), else the file
        content, else (roster) the import date.
    lang : {"en", "fr"}, optional
        Force the number and date conventions (default: from the headers,
        else from unambiguous values).
    page_id : str
        linkedin-page and linkedin-followers: author_id of the page's posts.
    page_followers : int or path, optional
        linkedin-page: page followers (audience_size), a number or a file of
        date, followers; not needed once ``linkedin-followers`` was imported
        (or when the Metrics sheet has a followers column).
    content_type : str or path, optional
        linkedin-page: ``corporate``/``non_corporate`` for every post, or a
        file of post link (or id), content_type[, theme] (takes precedence
        over everything else).
    rules : path or dict, optional
        linkedin-page and platform: classification rules (TOML; see
        :mod:`advocacy_eval.io.imports.rules`). Posts nothing classifies are
        imported as ``unclassified``.
    reach_from_impressions : bool
        Refused: impressions are never stored as members_reached (left empty
        when the export has no unique reach).
    as_of : date-like, optional
        Dates after this day are "in the future" (default today).

    Returns
    -------
    ImportResult

    Raises
    ------
    DataValidationError
        Listing every problem (file [sheet], row, column, rule, value); the
        data folder is unchanged.
    AdvocacyEvalError
        For refused imports (unknown kind, missing key with instructions,
        missing file, bad mapping, folder locked by a running import); the
        folder is unchanged.
    ImportWriteError
        (an :class:`AdvocacyEvalError` and an :class:`OSError`) when the
        folder cannot be written (read-only, disk full...); the folder is
        unchanged.

    Warns
    -----
    KeyLocationWarning
        When the key comes from a key file (``ADVOCACY_EVAL_KEY_FILE``)
        inside the data folder.
    """
    if kind not in KINDS:
        raise ImportRefused(f"unknown import kind {kind!r}: choose one of {', '.join(KINDS)}")
    paths = _as_list(files)
    if not paths:
        raise ImportRefused("no file to import")
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise ImportRefused("file not found: " + ", ".join(missing))
    if lang not in (None, "en", "fr"):
        raise ImportRefused(f"lang must be en or fr, not {lang!r}")
    if reach_from_impressions:
        raise ImportRefused(
            "--reach-from-impressions is no longer accepted: impressions count displays, not "
            "people, and are never stored as members_reached. Import without it: members_reached "
            "is left empty and reports compare a metric both sides have (impressions per follower)"
        )
    if rules is not None and kind not in ("linkedin-page", "platform"):
        raise ImportRefused(
            f"--rules classifies posts: it applies to linkedin-page and platform imports, not {kind}"
        )
    options = Options(
        key=key,
        employee_id=employee_id,
        mapping=mapping,
        export_date=_timestamp(export_date),
        lang=lang,
        page_id=page_id,
        page_followers=page_followers,
        content_type=content_type,
        rules=load_rules(rules),
        as_of=_timestamp(as_of),
    )  # a bad rules file: refused here
    if kind == "platform":
        platform.load_mapping(mapping)  # refuse a bad mapping before touching the folder
    folder = Path(into).expanduser().resolve()
    if key is None:
        warning = key_location_warning(key_file_in_use(), folder)
        if warning:
            warnings.warn(warning, KeyLocationWarning, stacklevel=2)
    try:
        with FolderLock(folder) as lock:
            result = _import_locked(kind, paths, folder, options)
            result.recovered = lock.recovered
            return result
    except OSError as exc:
        if isinstance(exc, AdvocacyEvalError):
            raise
        where = f" ({exc.filename})" if exc.filename else ""
        raise ImportWriteError(
            f"cannot complete the import into {folder}: {exc.strerror or exc}{where}; the data "
            "folder was left as it was"
        ) from exc


def _import_locked(kind: str, paths: list[Path], folder: Path, options: Options) -> ImportResult:
    state = FolderState.read(folder)
    done = state.imported_hashes()
    outcomes: list[FileOutcome] = []
    todo: list[tuple[Path, FileOutcome]] = []
    seen: set[str] = set()
    for path in paths:
        sha = file_sha256(path)
        if sha in seen:
            continue
        seen.add(sha)
        logged = state.log.loc[state.log["sha256"] == sha, "raw_file"] if sha in done else None
        outcome = FileOutcome(
            path.name,
            sha,
            path.stat().st_size,
            "already imported" if sha in done else "imported",
            raw_file=str(logged.iloc[0])
            if logged is not None and len(logged)
            else f"{RAW_DIR}/{sha[:12]}_{path.name}",
        )
        outcomes.append(outcome)
        if sha not in done:
            todo.append((path, outcome))
    counts: dict[str, MergeCounts] = {}
    if not todo:
        return ImportResult(kind, folder, outcomes, {})
    problems = Problems()
    ctx = Context(options, state, problems)
    extracts: list[tuple[Path, FileOutcome, Extract]] = []
    importer = KINDS[kind]
    for path, outcome in todo:
        raw = read_file(path, problems)
        if raw is None:
            continue
        extract = importer(raw, ctx)  # type: ignore[operator]
        if extract is None:
            continue
        if extract.export_date is None:
            problems.add(path.name, "export date unknown: give --export-date YYYY-MM-DD")
            continue
        extracts.append((path, outcome, extract))
    problems.raise_if_any(f"the {kind} import (nothing was written)")
    extracts.sort(key=lambda e: (e[2].export_date, e[0].name))
    imported_at = now_utc()
    log_rows = []
    reviews = []
    for path, outcome, extract in extracts:
        file_counts = MergeCounts()
        if extract.aliases is not None:
            add_aliases(state, extract.aliases, path.name, problems)
        for table in ("waves", "employees", "posts", "activity"):
            if table not in extract.tables:
                continue
            c = merge_snapshot(
                state,
                table,
                extract.tables[table],
                extract.export_date,
                outcome.sha256,
                path.name,
                problems,
            )
            counts.setdefault(table, MergeCounts())
            counts[table] += c
            file_counts += c
        for name, rows in extract.aux.items():
            c = merge_latest(state, name, rows, extract.export_date, outcome.sha256)
            counts.setdefault(f"linkedin/{name}", MergeCounts())
            counts[f"linkedin/{name}"] += c
            if (
                not extract.tables
            ):  # files that only feed linkedin/ (followers): their rows are the count
                file_counts += c
        derived_tables: set[str] = set()
        if extract.derive is not None:
            derived, derive_notes = extract.derive(state)
            derived_tables = set(derived)
            extract.notes = [*extract.notes, *derive_notes]
            for table, rows in derived.items():
                c = replace_derived(state, table, rows, extract.export_date, outcome.sha256)
                counts.setdefault(table, MergeCounts())
                counts[table] += c
                file_counts += c
        if extract.review is not None:
            reviews.append(extract.review)
        stored_name = extract.stored_name or path.name
        outcome.raw_file = f"{RAW_DIR}/{outcome.sha256[:12]}_{stored_name}"
        outcome.encoding, outcome.lang, outcome.date_order = (
            extract.encoding,
            extract.lang,
            extract.date_order,
        )
        outcome.export_date = extract.export_date.strftime("%Y-%m-%d %H:%M:%S")
        outcome.export_date_source = extract.export_date_source
        if extract.period is not None:
            outcome.period = (f"{extract.period[0]:%Y-%m-%d}", f"{extract.period[1]:%Y-%m-%d}")
        outcome.rows_read = extract.rows_read
        outcome.added, outcome.updated = file_counts.added, file_counts.updated
        outcome.unchanged = file_counts.unchanged
        outcome.notes = extract.notes
        log_rows.append(
            {
                "imported_at": imported_at,
                "kind": kind,
                "file": stored_name,
                "raw_file": outcome.raw_file,
                "sha256": outcome.sha256,
                "bytes": outcome.bytes,
                "encoding": extract.encoding,
                "lang": extract.lang,
                "date_order": extract.date_order,
                "export_date": outcome.export_date,
                "export_date_source": extract.export_date_source,
                "rows_read": extract.rows_read,
                "tables": ";".join(
                    [
                        *(
                            t
                            for t in ("waves", "employees", "posts", "activity")
                            if t in extract.tables or t in derived_tables
                        ),
                        *(f"linkedin/{name}" for name in extract.aux),
                    ]
                ),
                "added": file_counts.added,
                "updated": file_counts.updated,
                "unchanged": file_counts.unchanged,
                "notes": "; ".join(extract.notes) or None,
                "period_start": outcome.period[0] if outcome.period else None,
                "period_end": outcome.period[1] if outcome.period else None,
            }
        )
        state.log = pd.concat(
            [state.log, pd.DataFrame(log_rows[-1:], columns=list(LOG_COLUMNS))], ignore_index=True
        )
        state.log = state.log.astype(object).where(state.log.notna(), None)
    problems.raise_if_any(f"the {kind} import (nothing was written)")
    state.changed.add(LOG_FILE)
    review_file, classified = None, {}
    if reviews:
        review = pd.concat(reviews, ignore_index=True)[list(REVIEW_COLUMNS)]
        # named after this import's first file (export date, hash): the same import always writes the same
        # name, and no other import can (a file is imported once)
        _, first, first_extract = extracts[0]
        review_file = (
            f"{REVIEW_DIR}/classification_{first_extract.export_date:%Y%m%d}_{kind}_"
            f"{first.sha256[:12]}.csv"
        )
        state.files[review_file] = review.to_csv(index=False, lineterminator="\n").encode("utf-8")
        state.changed.add(review_file)
        classified = classification_counts(review)
    stage = Stage(folder)
    try:
        for path, outcome, _ in extracts:
            stage.copy(outcome.raw_file, path, sha256=outcome.sha256)
        for rel in sorted(state.changed):
            stage.write_bytes(rel, table_bytes(state, rel))
        crash_point("staged")
        as_of = (
            options.as_of
            if options.as_of is not None
            else pd.Timestamp.now(tz="UTC").tz_localize(None)
        )
        validate_tables(
            stage.view(),
            as_of,
            f"the data folder after this {kind} import (nothing was written; rows "
            "are lines of the resulting tables)",
        )
        crash_point("validated")
        stage.commit()
    finally:
        stage.discard()
    return ImportResult(
        kind,
        folder,
        outcomes,
        {
            t: {"added": c.added, "updated": c.updated, "unchanged": c.unchanged}
            for t, c in counts.items()
        },
        review_file=review_file,
        classification=classified,
    )


__all__ = [
    "HISTORY_DIR",
    "KINDS",
    "AdvocacyEvalError",
    "DataValidationError",
    "FileOutcome",
    "ImportRefused",
    "ImportResult",
    "ImportWriteError",
    "import_files",
    "recover_interrupted_import",
]
