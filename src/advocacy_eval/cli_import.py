"""Registration of the ``import`` and ``keygen`` sub-commands, without importing the importers.

Building the command's parser must not import the data layer (pandas,
pandera, the importers: about 1 s of imports and 0.1 GB): every command
would pay for it, and ``report`` runs its data work in a child process so
that the command itself stays small while the reports run
(``docs/scaling.md``). The sub-commands' bodies are
:func:`advocacy_eval.io.imports.cli.run_import` and
:func:`~advocacy_eval.io.imports.cli.run_keygen`, imported when they run.
"""

from __future__ import annotations

import argparse

__all__ = ["KIND_HELP", "add_import_command", "add_keygen_command", "run_import", "run_keygen"]

KIND_HELP: dict[str, str] = {
    "linkedin-page": "LinkedIn Page content export (.xls/.xlsx: Metrics, All posts)",
    "linkedin-followers": "LinkedIn Page followers export (.xls/.xlsx: New followers and demographic sheets)",
    "linkedin-member": "LinkedIn creator analytics export of one employee, any period of 7 to 365 days (.xlsx)",
    "platform": "advocacy-platform posts export (CSV/XLSX) with a TOML column mapping",
    "roster": "HR roster (CSV/XLSX): employees, departments, waves, enrolment dates",
}
"""The importers' kinds, in the order shown, with what each file is (the importers: ``advocacy_eval.io.imports.KINDS``)."""


def run_import(args: argparse.Namespace) -> int:
    """Run ``advocacy-eval import`` (:func:`advocacy_eval.io.imports.cli.run_import`)."""
    from .io.imports.cli import run_import as run

    return run(args)


def run_keygen(args: argparse.Namespace) -> int:
    """Run ``advocacy-eval keygen`` (:func:`advocacy_eval.io.imports.cli.run_keygen`)."""
    from .io.imports.cli import run_keygen as run

    return run(args)


def add_keygen_command(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``keygen [--out FILE] [--format hex|base64]`` on an argparse sub-parsers object.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        What ``ArgumentParser.add_subparsers()`` returned.

    Returns
    -------
    argparse.ArgumentParser
        The ``keygen`` parser (its ``func`` default is :func:`run_keygen`).
    """
    p = subparsers.add_parser(
        "keygen",
        help="create a pseudonymisation key (32 random bytes) for imports",
        description="Create a new random pseudonymisation key (32 bytes from the operating system's random "
        "generator). With --out, write it to a new file readable by you only (mode 0600; an "
        "existing file is never overwritten); otherwise print it. Keep the key outside the data "
        "folder and the repository, and use the same key for every import of a programme.",
    )
    p.add_argument("--out", metavar="FILE", help="key file to create (refused when it exists)")
    p.add_argument(
        "--format",
        choices=("hex", "base64"),
        default="hex",
        help="how the key is written (default hex: 64 hexadecimal digits)",
    )
    p.set_defaults(func=run_keygen)
    return p


def add_import_command(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``import KIND FILE... --into DATA_DIR`` and ``keygen`` on an argparse sub-parsers object.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        What ``ArgumentParser.add_subparsers()`` returned.

    Returns
    -------
    argparse.ArgumentParser
        The ``import`` parser (its ``func`` default is :func:`run_import`).
    """
    p = subparsers.add_parser(
        "import",
        help="import LinkedIn, platform and HR exports into a data folder (all or nothing)",
        description="Import export files into DATA_DIR: parse strictly (English or French), pseudonymise "
        "personal identifiers, merge with what is there (latest export wins, nothing dropped), "
        "copy the raw files into DATA_DIR/raw/ and log them. Kinds: "
        + "; ".join(f"{k}: {v}" for k, v in KIND_HELP.items()),
    )
    p.add_argument("kind", choices=list(KIND_HELP), help="what the files are")
    p.add_argument("files", nargs="+", help="files to import (one transaction)")
    p.add_argument(
        "--into", required=True, metavar="DATA_DIR", help="data folder (created when missing)"
    )
    p.add_argument(
        "--employee",
        metavar="ID|FILE",
        help="linkedin-member: the employee (pseudonym E-..., or e-mail/profile URL/staff number as in "
        "the roster), or a CSV/TOML file mapping file -> employee",
    )
    p.add_argument(
        "--mapping",
        metavar="TOML",
        help="platform: column mapping (a file or a shipped example name)",
    )
    p.add_argument(
        "--export-date",
        metavar="DATE",
        help="export date of the files (default: from the file name or content)",
    )
    p.add_argument("--lang", choices=("en", "fr"), help="force the number/date conventions")
    p.add_argument(
        "--page-id",
        default="company-page",
        help="linkedin-page, linkedin-followers: author_id of the page's posts",
    )
    p.add_argument(
        "--rules",
        metavar="TOML",
        help="linkedin-page, platform: content classification rules (hashtags, keywords, link domains, "
        "campaign names -> corporate/non_corporate[, theme]); posts no rule matches are kept as "
        "unclassified; a review CSV of what each post got and why is written to DATA_DIR/review/",
    )
    p.add_argument(
        "--page-followers",
        metavar="N|FILE",
        help="linkedin-page: page followers (audience_size), a number or a file of date, followers; "
        "not needed once the page's followers export was imported (import linkedin-followers)",
    )
    p.add_argument(
        "--content-type",
        metavar="TYPE|FILE",
        help="linkedin-page: corporate|non_corporate for all posts, or a file of post link, "
        "content_type[, theme] (takes precedence over --rules)",
    )
    p.add_argument(
        "--reach-from-impressions", action="store_true", help=argparse.SUPPRESS
    )  # refused, with why
    p.add_argument(
        "--key-file",
        metavar="PATH",
        help="pseudonymisation key file, made by advocacy-eval keygen "
        "(default: $ADVOCACY_EVAL_KEY or $ADVOCACY_EVAL_KEY_FILE); keep it outside DATA_DIR",
    )
    p.add_argument("--as-of", help="date after which dates are in the future (default today)")
    p.add_argument("--max-rows", type=int, default=200, help="problems to list (default 200)")
    p.set_defaults(func=run_import)
    add_keygen_command(subparsers)
    return p
