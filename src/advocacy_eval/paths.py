"""Where the package's own files, the report notebooks and the sample data live.

Paths are resolved here, in the library, so that notebooks work the same from
papermill (run in the caller's directory) and from nbval (run in the notebook's
folder), and so that an installed wheel finds what it ships. The report
notebooks (``notebooks/*.ipynb``) and the import mappings (``mappings/*.toml``)
are package data, found with :func:`importlib.resources.files`: the same code
serves a clone (``pip install -e .``, where the top-level ``notebooks/`` of the
clone is a link to ``src/advocacy_eval/notebooks``) and an installed wheel.

The committed sample programme (``data/sample/``) is not package data: it
exists only in a clone (:func:`source_checkout`); an installed user writes one
with ``advocacy-eval sample --out DIR``. The environment variables
``ADVOCACY_EVAL_NOTEBOOKS`` and ``ADVOCACY_EVAL_SAMPLE`` point elsewhere when
needed.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

__all__ = [
    "NOTEBOOKS_ENV",
    "PROJECT_ROOT",
    "SAMPLE_ENV",
    "notebooks_dir",
    "package_dir",
    "resolve_data_dir",
    "resource_path",
    "sample_data_dir",
    "source_checkout",
]

NOTEBOOKS_ENV = "ADVOCACY_EVAL_NOTEBOOKS"
"""Environment variable naming another folder of report notebooks (tests, custom templates)."""

SAMPLE_ENV = "ADVOCACY_EVAL_SAMPLE"
"""Environment variable naming the programme folder used when none is given."""

PROJECT_ROOT = Path(__file__).resolve().parents[2]
"""Two levels above the package: the root of the clone when the package runs from one
(src layout), an unrelated folder (``lib/``) when it is installed. Use
:func:`source_checkout`, which says which."""


def package_dir() -> Path:
    """Folder of the installed ``advocacy_eval`` package, as :mod:`importlib.resources` finds it.

    Raises
    ------
    FileNotFoundError
        If the package is not a folder on disk (imported from a zip file).
    """
    root = resources.files("advocacy_eval")
    if not isinstance(root, Path):  # a zip import: papermill needs real files
        raise FileNotFoundError(
            f"advocacy_eval is not installed as files on disk ({root}); reinstall it with pip"
        )
    return root


def resource_path(*parts: str) -> Path:
    """Path of a file shipped inside the package (package data).

    Parameters
    ----------
    *parts : str
        Path components below the package, e.g. ``"mappings", "generic-fr.toml"``.
    """
    return package_dir().joinpath(*parts)


def source_checkout() -> Path | None:
    """Root of the clone the package runs from, or None when it runs from an installed wheel.

    A clone is recognised by its src layout: the package folder is ``<root>/src/advocacy_eval``
    and ``<root>/pyproject.toml`` exists.
    """
    package = package_dir().resolve()
    root = package.parents[1]
    if package.parent.name == "src" and (root / "pyproject.toml").is_file():
        return root
    return None


def notebooks_dir() -> Path:
    """Folder of the report notebooks: ``advocacy_eval/notebooks`` (package data).

    ``ADVOCACY_EVAL_NOTEBOOKS`` overrides it.
    """
    override = os.environ.get(NOTEBOOKS_ENV, "").strip()
    return Path(override) if override else resource_path("notebooks")


def sample_data_dir() -> Path:
    """Programme folder used when no data folder is given: the clone's committed ``data/sample/``.

    ``ADVOCACY_EVAL_SAMPLE`` overrides it.

    Raises
    ------
    FileNotFoundError
        When no folder is set and the package is installed (a wheel ships no data): the message
        says how to write a sample programme.
    """
    override = os.environ.get(SAMPLE_ENV, "").strip()
    if override:
        return Path(override).expanduser()
    root = source_checkout()
    if root is not None and (root / "data" / "sample").is_dir():
        return root / "data" / "sample"
    raise FileNotFoundError(
        "no data folder given, and an installed advocacy-eval has no committed sample: "
        "name your programme folder (e.g. `advocacy-eval report DATA_DIR --all-waves`), "
        "or write the synthetic sample first with `advocacy-eval sample --out DIR` "
        f"(or set {SAMPLE_ENV}=DIR)"
    )


def resolve_data_dir(data_dir: str | os.PathLike | None) -> Path:
    """Absolute data folder; an empty value means :func:`sample_data_dir`.

    Parameters
    ----------
    data_dir : str, path or None
        Folder given by the user or a notebook parameter.

    Raises
    ------
    FileNotFoundError
        When the value is empty and there is no sample folder (see :func:`sample_data_dir`).
    """
    if data_dir is None or str(data_dir).strip() == "":
        return sample_data_dir()
    return Path(data_dir).expanduser().resolve()
