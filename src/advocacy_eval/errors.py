"""Exceptions raised by advocacy-eval with messages meant for analysts."""

from __future__ import annotations

from typing import TYPE_CHECKING

if (
    TYPE_CHECKING
):  # pandas is imported where used: a report worker imports this module, never pandas
    import pandas as pd

__all__ = [
    "FAILURE_COLUMNS",
    "AdvocacyEvalError",
    "ColumnNotFoundError",
    "ConfigError",
    "DataValidationError",
    "PooledAuthorTypesWarning",
    "ReportError",
]

FAILURE_COLUMNS: tuple[str, ...] = ("file", "row", "column", "rule", "value")
"""Columns of a failure table: where the problem is and which rule it breaks."""


class AdvocacyEvalError(Exception):
    """Base class of every error the package raises on purpose."""


class DataValidationError(AdvocacyEvalError):
    """A programme folder breaks one or more data rules.

    Parameters
    ----------
    failures : pandas.DataFrame
        One row per failure with columns ``file`` (file name), ``row``
        (line number in a CSV file, the header being line 1; record number,
        from 1, in a Parquet file; empty for file-level problems), ``column``,
        ``rule`` and ``value`` (the offending value, as text).
    folder : str
        The folder that was read.
    """

    def __init__(self, failures: pd.DataFrame, folder: str = "") -> None:
        self.failures = failures.reset_index(drop=True)
        self.folder = folder
        super().__init__(self.render())

    def render(self, max_rows: int = 50) -> str:
        """Return the message: a count and the failure table.

        Parameters
        ----------
        max_rows : int
            Rows of the failure table to show; the rest are counted.
        """
        import pandas as pd

        n = len(self.failures)
        head = f"{n} data problem{'s' if n != 1 else ''} in {self.folder or 'the input'}:"
        shown = self.failures.head(max_rows).copy()
        shown["row"] = shown["row"].map(lambda r: "" if pd.isna(r) else str(int(r)))
        shown["value"] = shown["value"].map(
            lambda v: "" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v)[:40]
        )
        table = shown.to_string(index=False)
        more = f"\n... and {n - max_rows} more" if n > max_rows else ""
        return f"{head}\n{table}{more}"


class ReportError(AdvocacyEvalError):
    """A report could not be produced; the previous report was left untouched."""


class ColumnNotFoundError(AdvocacyEvalError, KeyError):
    """A column asked for (``by=``, a count, an exposure...) is not in the table.

    The message names the column, lists the available ones and says where the
    column comes from when it is known elsewhere (e.g. ``department`` comes
    from the employees table: ``programme.posts_with_authors()``). It is a
    :class:`KeyError` too, so ``except KeyError`` still catches it.

    Parameters
    ----------
    message : str
        The full message.
    column : str
        The missing column.
    available : sequence of str
        Columns of the table.
    """

    def __init__(self, message: str, column: str = "", available: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.column = column
        self.available = tuple(available)

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class PooledAuthorTypesWarning(UserWarning):
    """Company-page and employee posts are pooled in a comparison by another variable.

    The page's reach rate differs several-fold from employees', so groups
    that mix the two in different proportions can show a difference, or the
    reverse of the difference within each author type: Simpson's paradox.
    Compare within author types instead (``within="author_type"`` in
    :func:`advocacy_eval.stats.compare_rates`, or ``by=["author_type", ...]``).
    """


class ConfigError(AdvocacyEvalError):
    """A settings file or setting (e.g. ``programme.toml``) breaks a rule.

    The message names the file (or the setting's source), the key and the
    rule broken, and lists the valid keys.
    """
