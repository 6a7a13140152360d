"""Where the project's notebooks and committed sample data live.

Paths are resolved here, in the library, so that notebooks work the same from
papermill (run in the caller's directory) and from nbval (run in the notebook's
folder). The project is used from a clone (``pip install -e .``); the
environment variables ``ADVOCACY_EVAL_NOTEBOOKS`` and ``ADVOCACY_EVAL_SAMPLE``
point elsewhere when needed.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
"""Root of the clone holding ``src/advocacy_eval`` (src layout)."""


def notebooks_dir() -> Path:
    """Folder of the report notebooks (``notebooks/`` of the clone)."""
    return Path(os.environ.get("ADVOCACY_EVAL_NOTEBOOKS", PROJECT_ROOT / "notebooks"))


def sample_data_dir() -> Path:
    """Folder of the committed sample programme (``data/sample/`` of the clone)."""
    return Path(os.environ.get("ADVOCACY_EVAL_SAMPLE", PROJECT_ROOT / "data" / "sample"))


def resolve_data_dir(data_dir: str | os.PathLike | None) -> Path:
    """Absolute data folder; an empty value means the committed sample programme.

    Parameters
    ----------
    data_dir : str, path or None
        Folder given by the user or a notebook parameter.
    """
    if data_dir is None or str(data_dir).strip() == "":
        return sample_data_dir()
    return Path(data_dir).expanduser().resolve()
