"""Reading real-world files strictly: encodings, separators, headers, numbers, dates.

Everything here is shared by the importers:

- :func:`read_file` reads a CSV (UTF-8 with or without BOM, UTF-16 with BOM,
  cp1252 as a fallback; ``;``, ``,`` or tab separators) or an Excel workbook
  (.xlsx/.xls through python-calamine, openpyxl as a fallback for .xlsx) into
  :class:`RawFile` (every sheet as a grid of cells, with the row numbers a
  user sees);
- :func:`find_table` finds a header row (below disclaimer rows) from English
  and French column names and tells the header's language;
- :func:`parse_numbers` parses numbers written the English way (``1,234.5``)
  or the French way (``1 234,5``, with ordinary, non-breaking or narrow
  non-breaking spaces; ``3,5 %``), strictly: ``1.5`` in a French file is an
  error, never 15;
- :func:`parse_dates` parses ``DD/MM/YYYY`` or ``MM/DD/YYYY`` after
  :func:`decide_date_order` has chosen between them from unambiguous evidence
  (a first part above 12 proves day-first) or the file's language, and raises
  a clear error when neither decides;
- :class:`Problems` collects every problem (file, sheet, row, column, rule,
  value) and raises them as one :class:`~advocacy_eval.errors.DataValidationError`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ...errors import FAILURE_COLUMNS, AdvocacyEvalError, DataValidationError
from ..load import (
    DATE_RANGE,
    MAX_COUNT,
    MAX_FILE_MB_ENV,
    check_file,
    max_file_bytes,
    megabytes,
    shown,
)

__all__ = [
    "CSV_SUFFIXES",
    "DATE_IN_TEXT",
    "DATE_ORDERS",
    "EXCEL_SUFFIXES",
    "AmbiguousDates",
    "Field",
    "ImportRefused",
    "Problems",
    "RawFile",
    "Sheet",
    "Table",
    "blank_mask",
    "date_evidence",
    "decide_date_order",
    "decode_text",
    "find_table",
    "has_slash_dates",
    "header_language",
    "norm",
    "number_language",
    "parse_counts",
    "parse_dates",
    "parse_numbers",
    "parse_period",
    "parse_rates",
    "read_file",
    "report_duplicate_headers",
    "sniff_separator",
    "where",
]


class ImportRefused(AdvocacyEvalError):
    """An import was refused before any data was read or written (bad option, missing key, lock...)."""


# --------------------------------------------------------------------------- problems


class Problems:
    """Collector of import problems, raised together as one DataValidationError.

    Each problem names the file (and sheet, written ``file [sheet]``), the row
    a user sees in a spreadsheet or text editor (empty for file-level
    problems), the column, the rule and the offending value.
    """

    def __init__(self) -> None:
        self.rows: list[dict] = []

    def __len__(self) -> int:
        return len(self.rows)

    def add(
        self,
        file: str,
        rule: str,
        *,
        sheet: str | None = None,
        row: int | None = None,
        column: str = "",
        value: object = None,
    ) -> None:
        """Record one problem."""
        self.rows.append(
            {
                "file": where(file, sheet),
                "row": row,
                "column": column,
                "rule": rule,
                "value": None if value is None else _short(value),
            }
        )

    def add_mask(
        self,
        file: str,
        sheet: str | None,
        rows: np.ndarray,
        mask: pd.Series | np.ndarray,
        column: str,
        rule: str,
        values: pd.Series | np.ndarray | None,
    ) -> None:
        """Record one problem per True entry of ``mask`` (vectorised)."""
        m = np.asarray(pd.Series(mask).fillna(False).astype(bool))
        if not m.any():
            return
        shown = np.asarray(values, dtype=object)[m] if values is not None else [None] * int(m.sum())
        label = where(file, sheet)
        for r, v in zip(np.asarray(rows)[m], shown, strict=True):
            self.rows.append(
                {
                    "file": label,
                    "row": int(r),
                    "column": column,
                    "rule": rule,
                    "value": None
                    if v is None or (isinstance(v, float) and np.isnan(v))
                    else _short(v),
                }
            )

    def raise_if_any(self, what: str) -> None:
        """Raise a DataValidationError listing every problem, if any.

        Parameters
        ----------
        what : str
            What was being read, e.g. ``"the linkedin-page import"``.
        """
        if not self.rows:
            return
        table = pd.DataFrame(self.rows, columns=list(FAILURE_COLUMNS))
        table["row"] = table["row"].astype("Int64")
        raise DataValidationError(table, what)


def where(file: str, sheet: str | None) -> str:
    """Label of a location: ``file`` or ``file [sheet]``."""
    return f"{file} [{sheet}]" if sheet else file


def _short(value: object) -> str:
    text = str(shown(str(value)))
    return text if len(text) <= 80 else text[:77] + "..."


# --------------------------------------------------------------------------- reading files

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
CSV_SUFFIXES = (".csv", ".txt", ".tsv")


@dataclass
class Sheet:
    """One sheet (or a CSV file) as a grid of raw cells.

    Attributes
    ----------
    name : str
        Sheet name ("" for a CSV file).
    cells : list of list
        Rows of cells: ``str`` for text (``""`` when empty), ``int``/``float``
        for numbers, ``datetime``/``date`` for Excel dates, ``bool``.
    row_numbers : list of int
        Number of each row as a user sees it (Excel row, or CSV line).
    """

    name: str
    cells: list[list[object]]
    row_numbers: list[int]


@dataclass
class RawFile:
    """A file read without interpreting its values.

    Attributes
    ----------
    path : Path
        The file.
    kind : str
        ``"csv"`` or ``"excel"``.
    sheets : list of Sheet
        The sheets (one for a CSV file).
    encoding : str or None
        Encoding used for a CSV file (``utf-8``, ``utf-8-sig`` when a BOM was
        present, ``utf-16`` or ``cp1252``); ``None`` for Excel files.
    separator : str or None
        Separator of a CSV file.
    """

    path: Path
    kind: str
    sheets: list[Sheet]
    encoding: str | None = None
    separator: str | None = None

    @property
    def name(self) -> str:
        """File name shown in messages."""
        return self.path.name

    def sheet(self, name: str) -> Sheet | None:
        """Sheet by exact name."""
        return next((s for s in self.sheets if s.name == name), None)


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode the bytes of a text file.

    Tries UTF-8 (with or without BOM), UTF-16 (with BOM), then cp1252.

    Returns
    -------
    text : str
    encoding : str
        ``utf-8-sig`` (UTF-8 with BOM), ``utf-8``, ``utf-16`` or ``cp1252``.

    Raises
    ------
    UnicodeDecodeError
        If none of them decodes the bytes.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252"), "cp1252"


def sniff_separator(text: str) -> str:
    """Pick ``;``, ``,`` or tab from the first non-empty lines (outside quotes)."""
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    best, best_score = ",", -1
    for sep in (";", ",", "\t"):
        counts = [_cells_in(line, sep) - 1 for line in lines] if lines else [0]
        score = max(counts) if counts else 0
        if score > best_score:
            best, best_score = sep, score
    return best


def _cells_in(line: str, sep: str) -> int:
    """Cells of one line split by ``sep`` (0 when the csv module refuses the line, e.g. a huge field)."""
    try:
        return len(next(csv.reader([line], delimiter=sep), []))
    except csv.Error:
        return 0


def read_file(path: str | Path, problems: Problems) -> RawFile | None:
    """Read a CSV or Excel file without interpreting values.

    Parameters
    ----------
    path : str or Path
        File to read (the suffix decides CSV or Excel; an Excel file with a
        wrong suffix is still recognised by its signature).
    problems : Problems
        Where unreadable files are reported.

    Returns
    -------
    RawFile or None
        None when the file cannot be read (a problem was recorded).
    """
    path = Path(path)
    max_bytes = max_file_bytes()
    refused = check_file(path, max_bytes)
    if refused:
        problems.add(path.name, refused)
        return None
    try:
        data = path.read_bytes()
    except OSError as exc:
        problems.add(path.name, f"file cannot be read: {exc.strerror or exc}")
        return None
    is_zip = data[:4] == b"PK\x03\x04"
    is_ole = data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    if is_zip or is_ole or path.suffix.lower() in EXCEL_SUFFIXES:
        unzipped = _unzipped_size(path) if is_zip else 0
        if unzipped > max_bytes:
            problems.add(
                path.name,
                f"workbook is too large once decompressed: {megabytes(unzipped)} MB, above the "
                f"limit of {megabytes(max_bytes)} MB (raise it with {MAX_FILE_MB_ENV})",
            )
            return None
        return _read_excel(path, problems)
    try:
        text, encoding = decode_text(data)
    except UnicodeDecodeError:
        problems.add(
            path.name, "file is neither UTF-8, UTF-16 nor cp1252 text, nor an Excel workbook"
        )
        return None
    nul = text.find("\x00")
    if nul >= 0:
        start = text.rfind("\n", 0, nul) + 1
        problems.add(
            path.name,
            "NUL byte in the file: a binary or damaged file, not CSV text (UTF-16 without "
            "its BOM?)",
            row=text.count("\n", 0, nul) + 1,
            value=text[max(start, nul - 30) : nul + 30],
        )
        return None
    sep = sniff_separator(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    cells: list[list[object]] = []
    numbers: list[int] = []
    start = 1
    try:
        for row in reader:
            cells.append(list(row))
            numbers.append(start)
            start = reader.line_num + 1
    except csv.Error as exc:
        problems.add(path.name, f"CSV cannot be parsed: {exc}", row=reader.line_num)
        return None
    width = max((len(r) for r in cells), default=0)
    cells = [r + [""] * (width - len(r)) for r in cells]
    return RawFile(path, "csv", [Sheet("", cells, numbers)], encoding=encoding, separator=sep)


def _unzipped_size(path: Path) -> int:
    """Total decompressed size of a zip container (.xlsx) from its directory; 0 when unreadable."""
    try:
        with zipfile.ZipFile(path) as archive:
            return sum(max(0, info.file_size) for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return 0  # the Excel readers report the damaged file


def _read_excel(path: Path, problems: Problems) -> RawFile | None:
    errors: list[str] = []
    try:
        from python_calamine import CalamineWorkbook

        book = CalamineWorkbook.from_path(str(path))
        sheets = []
        for name in book.sheet_names:
            grid = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            sheets.append(Sheet(name, [list(r) for r in grid], list(range(1, len(grid) + 1))))
        return RawFile(path, "excel", sheets)
    except Exception as exc:
        errors.append(f"calamine: {exc}".splitlines()[0])
    if path.suffix.lower() != ".xls":
        try:
            import openpyxl

            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
            sheets = []
            for ws in book.worksheets:
                cells: list[list[object]] = [
                    ["" if v is None else v for v in row] for row in ws.iter_rows(values_only=True)
                ]
                sheets.append(Sheet(ws.title, cells, list(range(1, len(cells) + 1))))
            book.close()
            return RawFile(path, "excel", sheets)
        except Exception as exc:
            errors.append(f"openpyxl: {exc}".splitlines()[0])
    problems.add(path.name, "file cannot be read as an Excel workbook (" + "; ".join(errors) + ")")
    return None


# --------------------------------------------------------------------------- headers


def norm(text: object) -> str:
    """Normalised header text: accents removed, case-folded, apostrophes and spaces unified."""
    s = unicodedata.normalize("NFKD", str(text))
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = (
        s.replace("\u2019", "'")
        .replace("\u2018", "'")
        .replace("\u00a0", " ")
        .replace("\u202f", " ")
    )
    s = " ".join(s.casefold().split())
    return s.rstrip(" :").strip()


@dataclass(frozen=True)
class Field:
    """A column an importer knows, with its English and French header names.

    Attributes
    ----------
    name : str
        Internal name of the field.
    en, fr : tuple of str
        Accepted header names in each language (older names included).
    """

    name: str
    en: tuple[str, ...]
    fr: tuple[str, ...] = ()

    def names(self) -> set[str]:
        """All normalised names."""
        return {norm(n) for n in (*self.en, *self.fr)}


@dataclass
class Table:
    """A table found in a sheet.

    Attributes
    ----------
    data : pandas.DataFrame
        One column per recognised field (raw cell values), one row per
        non-empty data row.
    rows : numpy.ndarray
        Row number of each data row as a user sees it.
    headers : dict
        Field name -> header text found in the file.
    lang : str or None
        ``"en"`` or ``"fr"`` when the header names tell, else None.
    header_row : int
        Row number of the header.
    ignored : list of str
        Header cells not recognised (their columns are not read).
    sheet : str
        Sheet name.
    duplicates : list of tuple
        Recognised header names written twice: (header, first column,
        second column), columns numbered from 1. Only the first is read, so
        an importer refuses the file (see :func:`report_duplicate_headers`).
    """

    data: pd.DataFrame
    rows: np.ndarray
    headers: dict[str, str]
    lang: str | None
    header_row: int
    ignored: list[str] = field(default_factory=list)
    sheet: str = ""
    duplicates: list[tuple[str, int, int]] = field(default_factory=list)


def header_language(cells: Iterable[object], fields: Sequence[Field]) -> tuple[int, int]:
    """Count header cells that are English-only and French-only names."""
    en = {norm(n) for f in fields for n in f.en}
    fr = {norm(n) for f in fields for n in f.fr}
    n_en = n_fr = 0
    for c in cells:
        t = norm(c)
        if not t:
            continue
        n_en += t in en and t not in fr
        n_fr += t in fr and t not in en
    return n_en, n_fr


def find_table(
    sheet: Sheet,
    fields: Sequence[Field],
    *,
    scan: int = 15,
    min_fields: int = 2,
    first_col: int = 0,
    last_col: int | None = None,
    stop_at_blank: bool = False,
) -> Table | None:
    """Find the header row of a table and return its data.

    The header is the row (among the first ``scan`` rows) that matches the
    most known names; rows above it (disclaimers, titles) are skipped. Data
    rows that are entirely empty in the recognised columns are dropped.

    Parameters
    ----------
    sheet : Sheet
        Sheet to search.
    fields : sequence of Field
        Known columns.
    scan : int
        Rows searched for the header.
    min_fields : int
        Fewest recognised fields for a row to count as the header.
    first_col, last_col : int
        Columns searched (for side-by-side tables).
    stop_at_blank : bool
        Stop at the first empty row after the header (tables followed by notes).

    Returns
    -------
    Table or None
        None when no row matches enough names.
    """
    lookup: dict[str, str] = {}
    for f in fields:
        for n in f.names():
            lookup.setdefault(n, f.name)
    best: tuple[int, dict[int, str]] | None = None
    for i, row in enumerate(sheet.cells[:scan]):
        found: dict[int, str] = {}
        for j, cell in enumerate(row[first_col:last_col], start=first_col):
            name = lookup.get(norm(cell)) if isinstance(cell, str) else None
            if name and name not in found.values():
                found[j] = name
        if len(found) >= min_fields and (best is None or len(found) > len(best[1])):
            best = (i, found)
    if best is None:
        return None
    i, found = best
    header = sheet.cells[i]
    first_of = {norm(header[j]): j for j in found}
    duplicates = [
        (str(c).strip(), first_of[norm(c)] + 1, j + 1)
        for j, c in enumerate(header[first_col:last_col], start=first_col)
        if j not in found and isinstance(c, str) and norm(c) in first_of
    ]
    n_en, n_fr = header_language([header[j] for j in found], fields)
    lang = "fr" if n_fr > n_en else "en" if n_en > n_fr else None
    ignored = [
        str(c).strip()
        for j, c in enumerate(header[first_col:last_col], start=first_col)
        if j not in found and str(c).strip() and not (isinstance(c, str) and norm(c) in first_of)
    ]
    body = sheet.cells[i + 1 :]
    numbers = sheet.row_numbers[i + 1 :]
    cols = sorted(found)
    grid = [[(r[j] if j < len(r) else "") for j in cols] for r in body]
    keep = []
    for k, r in enumerate(grid):
        empty = all(_blank(v) for v in r)
        if empty and stop_at_blank:
            break
        if not empty:
            keep.append(k)
    data = pd.DataFrame([grid[k] for k in keep], columns=[found[j] for j in cols], dtype=object)
    if data.empty:
        data = pd.DataFrame({found[j]: pd.Series(dtype=object) for j in cols})
    rows = np.asarray([numbers[k] for k in keep], dtype=np.int64)
    return Table(
        data.reset_index(drop=True),
        rows,
        {found[j]: str(header[j]).strip() for j in cols},
        lang,
        sheet.row_numbers[i],
        ignored,
        sheet.name,
        duplicates,
    )


def report_duplicate_headers(table: Table, problems: Problems, file: str) -> bool:
    """Record one problem per recognised column header written twice; True when there was one.

    A second ``Impressions`` column would otherwise be silently ignored.
    """
    for name, first, second in table.duplicates:
        problems.add(
            file,
            f"duplicate column header: columns {first} and {second} are both named {name!r}; "
            "keep one",
            sheet=table.sheet or None,
            row=table.header_row,
            column=name,
            value=name,
        )
    return bool(table.duplicates)


def _blank(v: object) -> bool:
    return (
        v is None
        or (isinstance(v, str) and not v.strip())
        or (isinstance(v, float) and np.isnan(v))
    )


def blank_mask(values: pd.Series) -> pd.Series:
    """True where a raw cell is empty (None, NaN or blank text)."""
    text = values.astype("string").str.strip()
    return (values.isna() | text.isna() | (text == "")).astype(bool)


# --------------------------------------------------------------------------- numbers

_SPACES = "[ \u00a0\u202f\u2009]"
_NUMBER = {
    "en": (r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?", ",", "."),
    "fr": (r"[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?", ".", ","),
}


def _is_number_object(values: pd.Series) -> np.ndarray:
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.notna().to_numpy()
    return np.fromiter(
        (
            isinstance(v, (int, float, np.integer, np.floating))
            and not isinstance(v, (bool, np.bool_))
            and not (isinstance(v, float) and np.isnan(v))
            for v in values
        ),
        dtype=bool,
        count=len(values),
    )


def _parse_strings(text: pd.Series, lang: str) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Parse number strings under one locale: (value Float64, valid, is_percent)."""
    s = text.str.strip().str.replace("\u2212", "-", regex=False)
    pct = s.str.contains(r"%$", regex=True).fillna(False).astype(bool)
    core = s.str.replace(_SPACES + r"*%$", "", regex=True)
    has_space = core.str.contains(_SPACES, regex=True).fillna(False).astype(bool)
    spaced_ok = (
        core.str.fullmatch(r"[+-]?\d{1,3}(?:" + _SPACES + r"\d{3})+(?:[.,]\d+)?")
        .fillna(False)
        .astype(bool)
    )
    core = core.str.replace(_SPACES, "", regex=True)
    pattern, group, decimal = _NUMBER[lang]
    valid = core.str.fullmatch(pattern).fillna(False).astype(bool) & (~has_space | spaced_ok)
    plain = core.str.replace(group, "", regex=False)
    if decimal != ".":
        plain = plain.str.replace(decimal, ".", regex=False)
    value = pd.to_numeric(plain.where(valid), errors="coerce").astype("Float64")
    value = value.where(~pct, value / 100)
    return value, valid, pct


def number_language(values: Sequence[pd.Series]) -> str | None:
    """Decide English or French number writing from the values alone.

    Returns ``"en"`` or ``"fr"`` when every text value parses under one
    convention only, or under both to the same numbers; None when both parse
    everything to different numbers (e.g. only ``1,234``-like values).
    """
    texts = [v[~pd.Series(_is_number_object(v), index=v.index)].astype("string") for v in values]
    text = pd.concat(texts, ignore_index=True) if texts else pd.Series([], dtype="string")
    text = text[text.str.strip().fillna("") != ""]
    if text.empty:
        return "en"
    v_en, ok_en, _ = _parse_strings(text, "en")
    v_fr, ok_fr, _ = _parse_strings(text, "fr")
    if ok_en.all() and not ok_fr.all():
        return "en"
    if ok_fr.all() and not ok_en.all():
        return "fr"
    if ok_en.all() and ok_fr.all():
        return "en" if (v_en == v_fr).fillna(False).all() else None
    return "en" if ok_en.sum() >= ok_fr.sum() else "fr"


def parse_numbers(values: pd.Series, lang: str) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Parse a column of numbers strictly.

    Numbers stored as numbers (Excel cells) are taken as they are. Text is
    parsed with the conventions of ``lang``: English ``1,234.5``; French
    ``1 234,5`` or ``1.234,5``. Ordinary, non-breaking (U+00A0), narrow
    non-breaking (U+202F) and thin spaces group thousands (groups of three
    digits only). A trailing ``%`` (``3,5 %``, ``10.5%``) divides by 100.
    Text that does not follow the convention (``1.5`` in a French file,
    ``1,5`` in an English one, ``12 34``) is invalid, never guessed.

    Parameters
    ----------
    values : pandas.Series
        Raw cells.
    lang : {"en", "fr"}
        Number conventions of the file.

    Returns
    -------
    parsed : pandas.Series
        Float64 values; missing where empty or invalid.
    bad : pandas.Series
        True where a non-empty cell is not a valid number.
    percent : pandas.Series
        True where the cell carried a ``%`` sign.
    """
    values = values.reset_index(drop=True)
    is_num = pd.Series(_is_number_object(values))
    out = pd.Series(pd.NA, index=values.index, dtype="Float64")
    if is_num.any():
        out[is_num] = pd.to_numeric(values[is_num], errors="coerce").astype("Float64")
    pct = pd.Series(False, index=values.index)
    text_mask = ~is_num & ~blank_mask(values)
    bad = pd.Series(False, index=values.index)
    if text_mask.any():
        text = values[text_mask].astype("string")
        parsed, valid, is_pct = _parse_strings(text, lang)
        out[text_mask] = parsed
        bad[text_mask] = ~valid.to_numpy()
        pct[text_mask] = is_pct.to_numpy()
    bad = bad | (~blank_mask(values) & out.isna() & ~bad)
    infinite = out.notna() & ~np.isfinite(out.to_numpy(dtype="float64", na_value=0.0))
    bad = bad | infinite.fillna(False)
    return out.mask(infinite), bad.astype(bool), pct.astype(bool)


def parse_counts(values: pd.Series, lang: str) -> tuple[pd.Series, pd.Series]:
    """Parse whole non-negative numbers: (Int64 values, bad mask); 1.5, -3, 12% or above 2**53 - 1 are bad."""
    num, bad, pct = parse_numbers(values, lang)
    whole = num.isna() | ((num == num.round()) & (num >= 0) & (num <= MAX_COUNT))
    bad = bad | ~whole.fillna(True).astype(bool) | (pct & num.notna())
    return num.where(~bad).round().astype("Int64"), bad.astype(bool)


def parse_rates(values: pd.Series, lang: str) -> tuple[pd.Series, pd.Series]:
    """Parse rates as fractions: ``3,5 %`` -> 0.035, ``0.035`` -> 0.035; out of [0, 1] is bad.

    A rate above 1 written without ``%`` (``3.5``) is refused: it is either a
    percentage without its sign or a mis-parsed number.
    """
    num, bad, _ = parse_numbers(values, lang)
    out_of_range = num.notna() & ((num < 0) | (num > 1))
    bad = bad | out_of_range.fillna(False).astype(bool)
    return num.where(~bad), bad.astype(bool)


# --------------------------------------------------------------------------- dates

_DMY_RE = (
    r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})"
    r"(?:[ T,]+(\d{1,2})[:h](\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?$"
)
_ISO_RE = r"^\d{4}-\d{2}-\d{2}(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?$"

DATE_ORDERS = ("DMY", "MDY")


class AmbiguousDates(AdvocacyEvalError):
    """Day-first and month-first readings both fit and nothing decides between them."""


def _text_cells(values: pd.Series) -> pd.Series:
    mask = pd.Series([isinstance(v, str) for v in values], index=values.index, dtype=bool)
    return values[mask].astype("string").str.strip()


def date_evidence(values: pd.Series) -> set[str]:
    """Orders proven by the values: ``"DMY"`` if a first part is > 12, ``"MDY"`` if a second part is."""
    text = _text_cells(values)
    parts = text.str.extract(_DMY_RE)
    if parts.empty:
        return set()
    a = pd.to_numeric(parts[0], errors="coerce")
    b = pd.to_numeric(parts[1], errors="coerce")
    found = set()
    if ((a > 12) & (b <= 12)).any():
        found.add("DMY")
    if ((b > 12) & (a <= 12)).any():
        found.add("MDY")
    return found


def has_slash_dates(values: pd.Series) -> bool:
    """Whether some values are written ``NN/NN/YYYY`` (day and month order matters)."""
    return bool(_text_cells(values).str.match(_DMY_RE).fillna(False).any())


def decide_date_order(
    columns: Sequence[pd.Series], lang: str | None, explicit: str | None, file: str
) -> str | None:
    """Choose DD/MM/YYYY or MM/DD/YYYY for a whole file.

    Order of precedence: an explicit choice; unambiguous evidence in the
    file's values (a first part above 12 proves day-first, a second part above
    12 proves month-first); the file's language (French: day-first, English:
    month-first, as LinkedIn writes them).

    Parameters
    ----------
    columns : sequence of pandas.Series
        Every date column of the file (all sheets).
    lang : str or None
        Language of the file's headers.
    explicit : str or None
        ``"DMY"`` or ``"MDY"`` given by the user or a mapping.
    file : str
        File name for messages.

    Returns
    -------
    str or None
        ``"DMY"``, ``"MDY"``, or None when no value needs the choice.

    Raises
    ------
    AmbiguousDates
        When the values prove both orders, or neither the values nor the
        language decide.
    """
    if explicit:
        return explicit
    evidence: set[str] = set()
    slash = False
    for col in columns:
        evidence |= date_evidence(col)
        slash = slash or has_slash_dates(col)
    if len(evidence) == 2:
        raise AmbiguousDates(
            f"{file}: dates are written both day-first and month-first "
            "(values like 25/03 and 03/25): fix the file"
        )
    if evidence:
        return evidence.pop()
    if not slash:
        return None
    if lang == "fr":
        return "DMY"
    if lang == "en":
        return "MDY"
    raise AmbiguousDates(
        f"{file}: dates such as 03/04/2024 can be read day-first (3 April) or month-first "
        "(4 March), no value proves either and the file's language is unknown: "
        "give the language (--lang en|fr, or lang/date_order in the mapping)"
    )


def parse_dates(
    values: pd.Series, order: str | None, *, utc_from: str | None = None
) -> tuple[pd.Series, pd.Series]:
    """Parse dates and date-times strictly.

    Accepts Excel date cells, ISO 8601 text (``2024-03-15``,
    ``2024-03-15 10:30:00``, with an optional offset) and ``NN/NN/YYYY``
    (also with ``.`` or ``-``) with an optional time (``10:30``, ``10h30``,
    ``10:30:00``, ``AM``/``PM``) read with ``order``. Impossible dates
    (31/02/2024) are invalid, never rolled over.

    Parameters
    ----------
    values : pandas.Series
        Raw cells.
    order : {"DMY", "MDY"} or None
        Day/month order of ``NN/NN/YYYY`` values (None: such values are invalid).
    utc_from : str, optional
        IANA time zone of naive date-times (converted to UTC); default: taken as UTC.

    Returns
    -------
    parsed : pandas.Series
        ``datetime64[ns]`` (naive, UTC); NaT where empty or invalid.
    bad : pandas.Series
        True where a non-empty cell is not a valid date.
    """
    values = values.reset_index(drop=True)
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    is_dt = pd.Series(
        [isinstance(v, (dt.date, pd.Timestamp, np.datetime64)) and not pd.isna(v) for v in values],
        index=values.index,
        dtype=bool,
    )
    if is_dt.any():
        stamps = pd.to_datetime(
            values[is_dt].map(lambda v: pd.Timestamp(v)), errors="coerce", utc=True
        )
        out[is_dt] = _bounded(stamps.dt.tz_convert("UTC").dt.tz_localize(None))
    is_text = pd.Series(
        [isinstance(v, str) for v in values], index=values.index, dtype=bool
    ) & ~blank_mask(values)
    if is_text.any():
        text = values[is_text].astype("string").str.strip()
        iso = text.str.fullmatch(_ISO_RE).fillna(False).astype(bool)
        if iso.any():
            parsed = pd.to_datetime(text[iso], format="ISO8601", errors="coerce", utc=True)
            out[iso[iso].index] = _bounded(parsed.dt.tz_convert("UTC").dt.tz_localize(None))
            has_offset = (
                text[iso].str.contains(r"(?:Z|[+-]\d{2}:?\d{2})$", regex=True).fillna(False)
            )
            if utc_from and (~has_offset).any():
                idx = has_offset[~has_offset].index
                out[idx] = _local_to_utc(out[idx], utc_from)
        rest = text[~iso]
        if order and not rest.empty:
            parts = rest.str.extract(_DMY_RE)
            first, second = (
                pd.to_numeric(parts[0], errors="coerce"),
                pd.to_numeric(parts[1], errors="coerce"),
            )
            day, month = (first, second) if order == "DMY" else (second, first)
            hour = pd.to_numeric(parts[3], errors="coerce").fillna(0)
            ampm = parts[6].str.lower()
            is_pm = (ampm == "pm").fillna(False).astype(bool)
            is_am = (ampm == "am").fillna(False).astype(bool)
            hour = hour.mask(is_pm & (hour < 12), hour + 12).mask(is_am & (hour == 12), 0)
            frame = pd.DataFrame(
                {
                    "year": pd.to_numeric(parts[2], errors="coerce"),
                    "month": month,
                    "day": day,
                    "hour": hour,
                    "minute": pd.to_numeric(parts[4], errors="coerce").fillna(0),
                    "second": pd.to_numeric(parts[5], errors="coerce").fillna(0),
                }
            )
            ok = (
                frame[["year", "month", "day"]].notna().all(axis=1)
                & (frame["month"].between(1, 12))
                & frame["day"].between(1, 31)
                & frame["hour"].between(0, 23)
                & frame["minute"].between(0, 59)
                & frame["second"].between(0, 59)
            )
            parsed = pd.Series(pd.NaT, index=rest.index, dtype="datetime64[ns]")
            if ok.any():
                parsed[ok] = _bounded(pd.to_datetime(frame[ok].astype("int64"), errors="coerce"))
            if utc_from:
                parsed = _local_to_utc(parsed, utc_from)
            out[rest.index] = parsed
    bad = ~blank_mask(values) & out.isna()
    return out, bad.astype(bool)


def _bounded(values: pd.Series) -> pd.Series:
    """Naive date-times as ``datetime64[ns]``; dates outside :data:`~advocacy_eval.io.load.DATE_RANGE` become NaT."""
    inside = ((values >= DATE_RANGE[0]) & (values < DATE_RANGE[1])).fillna(False).astype(bool)
    return values.where(inside).astype("datetime64[ns]")


def _local_to_utc(values: pd.Series, tz: str) -> pd.Series:
    local = values.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
    return local.dt.tz_convert("UTC").dt.tz_localize(None).astype("datetime64[ns]")


def parse_period(text: object, order: str | None) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """Parse a period written ``start - end`` (e.g. ``1/1/2024 - 1/31/2024``); None if not one."""
    if not isinstance(text, str):
        return None
    parts = re.split(r"\s+[-\u2013\u2014]\s+|\s+(?:to|au|à)\s+", text.strip())
    if len(parts) != 2:
        return None
    parsed, bad = parse_dates(pd.Series(parts, dtype=object), order)
    if bad.any() or parsed.isna().any():
        return None
    return parsed.iloc[0], parsed.iloc[1]


DATE_IN_TEXT = r"(\d{1,2}[/.\-]\d{1,2}[/.\-]\d{4}|\d{4}-\d{2}-\d{2})"
