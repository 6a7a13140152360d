"""Reading programme folders: parse, normalise and validate the canonical tables."""

from .imports import import_files
from .load import file_sha256, find_table_files, load_programme, parse_table, read_raw

__all__ = ["file_sha256", "find_table_files", "import_files", "load_programme", "parse_table", "read_raw"]
