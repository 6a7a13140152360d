"""Provenance of a report: what it was computed from, with which versions, when.

Every report ends with a provenance block and :mod:`advocacy_eval.publish.runner`
writes the same record to a ``<stem>.run.json`` sidecar. The notebook emits
the record once, as a display with the MIME type :data:`MIME_TYPE` next to its
readable Markdown, and the runner copies it from the executed notebook: the
block and the sidecar cannot disagree.

Nothing secret is recorded: no environment variable, no pseudonymisation
key, no path outside the data folder's own file names.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from .. import __version__
from ..paths import source_checkout
from .i18n import t

__all__ = [
    "KEY_DEPENDENCIES",
    "MIME_TYPE",
    "SCORECARD_MIME_TYPE",
    "collect",
    "dependency_versions",
    "display_provenance",
    "display_scorecard_csv",
    "find_record",
    "find_scorecard_csv",
    "generated_line",
    "git_state",
    "markdown",
]

MIME_TYPE = "application/vnd.advocacy-eval.provenance"
"""MIME type under which a notebook emits its provenance record (as JSON text, so that
nbval's sanitizers apply to it)."""

KEY_DEPENDENCIES: tuple[str, ...] = (
    "numpy",
    "pandas",
    "scipy",
    "statsmodels",
    "pandera",
    "matplotlib",
    "seaborn",
    "papermill",
    "nbconvert",
    "diff-diff",
)
"""Packages whose versions every report records."""


def dependency_versions(names: tuple[str, ...] = KEY_DEPENDENCIES) -> dict[str, str]:
    """Installed versions of the key dependencies (``"not installed"`` if absent)."""
    out = {}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def git_state(root: Path | None = None) -> dict | None:
    """Commit of the project's clone and whether its tree has uncommitted changes.

    Returns None when the package does not run from a git clone or git is absent.

    Parameters
    ----------
    root : Path, optional
        Folder of the clone (default: :func:`~advocacy_eval.paths.source_checkout`). An installed
        package has none: it never reports the commit of whatever repository its environment
        happens to sit in.
    """
    root = root if root is not None else source_checkout()
    if root is None:
        return None
    try:
        commit = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        status = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return {"commit": commit, "dirty": bool(status.strip())}


def collect(
    programme, parameters: dict, min_group_size: int, kind: str, when: dt.datetime | None = None
) -> dict:
    """Build the provenance record of one report.

    Parameters
    ----------
    programme : Programme
        The loaded programme (its ``sources`` give file names and SHA-256; row counts are not published).
    parameters : dict
        The notebook's parameters (data folder, wave, language, claims...).
    min_group_size : int
        k applied to the report's breakdowns.
    kind : str
        Report kind, ``"wave"`` or ``"programme"``.
    when : datetime, optional
        Generation time (default now, UTC).

    Returns
    -------
    dict
        JSON-serialisable record.
    """
    when = when or dt.datetime.now(dt.UTC)
    sources = programme.sources if programme.sources is not None else None
    # file names and SHA-256 only: a published row count of the roster, minus the released population's
    # counts, would tell how many people a release left out to protect them (privacy.release)
    inputs = (
        []
        if sources is None
        else [
            {"table": r.table, "file": r.file, "sha256": r.sha256}
            for r in sources.itertuples(index=False)
        ]
    )
    params = {k: (str(v) if isinstance(v, Path) else v) for k, v in parameters.items()}
    for key, value in params.items():  # names only: a full path may name a person's home directory
        if isinstance(value, str) and (key == "data_dir" or Path(value).is_absolute()):
            params[key] = Path(value).name or value
    return {
        "report_kind": kind,
        "package": {"name": "advocacy-eval", "version": __version__},
        "python": sys.version.split()[0],
        "dependencies": dependency_versions(),
        "git": git_state(),
        "parameters": params,
        "min_group_size": int(min_group_size),
        "inputs": inputs,
        "generated_at": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def generated_line(lang: str = "en", when: dt.datetime | None = None) -> str:
    """Sentence stating the generation time (UTC) and the package version.

    Parameters
    ----------
    lang : str
        Report language.
    when : datetime, optional
        Generation time (default: now, UTC).
    """
    when = when or dt.datetime.now(dt.UTC)
    return t("generated", lang, when=when.strftime("%Y-%m-%d %H:%M UTC"), version=__version__)


def markdown(record: dict, lang: str = "en") -> str:
    """Readable provenance block (Markdown) for the end of a report.

    Parameters
    ----------
    record : dict
        Output of :func:`collect`.
    lang : str
        Report language.
    """
    git = record.get("git")
    git_text = (
        t("prov_no_git", lang)
        if not git
        else (f"`{git['commit'][:12]}`" + (f" ({t('prov_dirty', lang)})" if git["dirty"] else ""))
    )
    deps = ", ".join(f"{k} {v}" for k, v in record["dependencies"].items())
    from .display import plain

    # data, shown as text: each parameter as code (not typeset), lists as "a; b"
    params = ", ".join(
        f"<code>{plain(k)}={plain('; '.join(map(str, v)) if isinstance(v, list) else v)}</code>"
        for k, v in record["parameters"].items()
    )
    files = "; ".join(f"{i['file']} (SHA-256 {i['sha256']})" for i in record["inputs"])
    when = record["generated_at"].replace("T", " ").replace("Z", " UTC")
    when = when[:16] + " UTC" if len(when) >= 16 else when
    colon = "\u202f: " if lang == "fr" else ": "
    lines = [
        f"### {t('prov_title', lang)}",
        "",
        f"- {t('prov_package', lang)}{colon}advocacy-eval {record['package']['version']}, Python {record['python']}",
        f"- {t('prov_commit', lang)}{colon}{git_text}",
        f"- {t('prov_dependencies', lang)}{colon}{deps}",
        f"- {t('prov_parameters', lang)}{colon}{params}",
        f"- {t('prov_k', lang)}{colon}{record['min_group_size']}",
        f"- {t('prov_inputs', lang)}{colon}{files}",
        f"- {t('prov_generated', lang)}{colon}{when}",
    ]
    return "\n".join(lines)


def display_provenance(record: dict, lang: str = "en") -> None:
    """Display the provenance block and its machine-readable record (for the runner's sidecar)."""
    from IPython.display import display

    display(
        {"text/markdown": markdown(record, lang), MIME_TYPE: json.dumps(record, sort_keys=True)},
        raw=True,
    )


SCORECARD_MIME_TYPE = "application/vnd.advocacy-eval.scorecard+csv"
"""MIME type of the scorecard CSV a report notebook emits (written by the runner as ``<stem>.scorecard.csv``)."""


def display_scorecard_csv(scorecard) -> None:
    """Emit the scorecard as CSV for the runner's ``<stem>.scorecard.csv`` (invisible in the HTML export).

    Parameters
    ----------
    scorecard : advocacy_eval.claims.Scorecard
        The report's scorecard.
    """
    from IPython.display import display

    csv = scorecard.to_frame().to_csv(index=False, lineterminator="\n", float_format="%.6g")
    display({SCORECARD_MIME_TYPE: csv}, raw=True)


def find_scorecard_csv(notebook) -> str | None:
    """The scorecard CSV emitted by an executed notebook, if any."""
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if SCORECARD_MIME_TYPE in data:
                payload = data[SCORECARD_MIME_TYPE]
                return payload if isinstance(payload, str) else "".join(payload)
    return None


def find_record(notebook) -> dict | None:
    """The provenance record emitted by an executed notebook, if any.

    Parameters
    ----------
    notebook : nbformat.NotebookNode
        Executed notebook.
    """
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if MIME_TYPE in data:
                payload = data[MIME_TYPE]
                return json.loads(payload if isinstance(payload, str) else "".join(payload))
    return None
