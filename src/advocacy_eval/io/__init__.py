"""Reading programme folders: parse, normalise and validate the canonical tables."""

from typing import Any

from .load import file_sha256, find_table_files, load_programme, parse_table, read_raw

__all__ = [
    "file_sha256",
    "find_table_files",
    "import_files",
    "load_programme",
    "parse_table",
    "read_raw",
]


def __getattr__(name: str) -> Any:
    """``import_files`` is imported on first use: reading a folder does not need the importers."""
    if name == "import_files":
        from .imports import import_files

        return import_files
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
