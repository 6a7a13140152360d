"""The ``advocacy-eval import`` and ``advocacy-eval keygen`` sub-commands (registered by :func:`add_import_command`)."""

from __future__ import annotations

import argparse
import os
import sys
import warnings

from ...errors import AdvocacyEvalError, DataValidationError

__all__ = ["add_import_command", "add_keygen_command", "run_import", "run_keygen"]


def _eprint(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_import(args: argparse.Namespace) -> int:
    """Run ``advocacy-eval import``; return the exit code (0 ok, 1 bad data or refused).

    Errors meant for users are printed as one message, never a traceback.
    """
    from ...privacy.pseudonym import (
        KeyLocationWarning,
        key_file_in_use,
        key_location_warning,
        load_key,
    )
    from . import ImportWriteError, import_files

    key = None
    warning = key_location_warning(
        key_file_in_use(key_file=getattr(args, "key_file", None)), args.into
    )
    if warning:
        _eprint(f"advocacy-eval import: warning: {warning}")
    if getattr(args, "key_file", None):
        try:
            key = load_key(key_file=args.key_file)
        except AdvocacyEvalError as exc:
            _eprint(f"advocacy-eval import refused: {exc}")
            return 1
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", KeyLocationWarning)  # printed above
            result = import_files(
                args.kind,
                args.files,
                args.into,
                key=key,
                employee_id=args.employee,
                mapping=args.mapping,
                export_date=args.export_date,
                lang=args.lang,
                page_id=args.page_id,
                page_followers=args.page_followers,
                content_type=args.content_type,
                rules=args.rules,
                reach_from_impressions=args.reach_from_impressions,
                as_of=args.as_of,
            )
    except DataValidationError as exc:
        _eprint(
            f"advocacy-eval import failed; {args.into} was left unchanged.\n"
            + exc.render(max_rows=args.max_rows)
        )
        return 1
    except ImportWriteError as exc:
        _eprint(f"advocacy-eval import failed: {exc}")
        return 1
    except AdvocacyEvalError as exc:
        _eprint(f"advocacy-eval import refused: {exc}")
        return 1
    except OSError as exc:  # e.g. an export that cannot be read
        _eprint(
            f"advocacy-eval import failed: {exc.strerror or exc}"
            + (f" ({exc.filename})" if exc.filename else "")
            + f"; {args.into} was left unchanged"
        )
        return 1
    print(result.summary())
    return 0


def run_keygen(args: argparse.Namespace) -> int:
    """Run ``advocacy-eval keygen``: write a new random key to a new 0600 file, or print it.

    Returns
    -------
    int
        0 when a key was written or printed; 1 when the file exists or cannot be created.
    """
    from ...privacy.pseudonym import ENV_KEY_FILE, MIN_KEY_BYTES, make_key, write_key_file

    if args.out:
        try:
            path = write_key_file(args.out, args.format)
        except AdvocacyEvalError as exc:
            _eprint(f"advocacy-eval keygen refused: {exc}")
            return 1
        print(
            f"wrote a new pseudonymisation key ({MIN_KEY_BYTES} random bytes, {args.format}) to {path}, "
            "readable by you only (mode 0600).\n"
            "Keep it outside the data folder and the repository, back it up somewhere safe, and use it for "
            f"every import of the programme:\n  export {ENV_KEY_FILE}={os.path.abspath(path)}"
        )
        return 0
    print(make_key(args.format))
    _eprint(
        "advocacy-eval keygen: printed a new key; to store it, prefer --out FILE (created with mode 0600): "
        "a file made by redirecting this output gets your default permissions (chmod 600 it)"
    )
    return 0


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
    from . import KIND_HELP, KINDS

    p = subparsers.add_parser(
        "import",
        help="import LinkedIn, platform and HR exports into a data folder (all or nothing)",
        description="Import export files into DATA_DIR: parse strictly (English or French), pseudonymise "
        "personal identifiers, merge with what is there (latest export wins, nothing dropped), "
        "copy the raw files into DATA_DIR/raw/ and log them. Kinds: "
        + "; ".join(f"{k}: {v}" for k, v in KIND_HELP.items()),
    )
    p.add_argument("kind", choices=list(KINDS), help="what the files are")
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
