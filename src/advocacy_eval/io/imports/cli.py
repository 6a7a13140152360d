"""The ``advocacy-eval import`` sub-command (registered by :func:`add_import_command`)."""

from __future__ import annotations

import argparse
import sys

from ...errors import AdvocacyEvalError, DataValidationError


def _eprint(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_import(args: argparse.Namespace) -> int:
    """Run ``advocacy-eval import``; return the exit code (0 ok, 1 bad data or refused).

    Errors meant for users are printed as one message, never a traceback.
    """
    from . import import_files

    key = None
    if getattr(args, "key_file", None):
        from ...privacy.pseudonym import load_key

        try:
            key = load_key(key_file=args.key_file)
        except AdvocacyEvalError as exc:
            _eprint(f"advocacy-eval import refused: {exc}")
            return 1
    try:
        result = import_files(
            args.kind, args.files, args.into, key=key, employee_id=args.employee, mapping=args.mapping,
            export_date=args.export_date, lang=args.lang, page_id=args.page_id, page_followers=args.page_followers,
            content_type=args.content_type, reach_from_impressions=args.reach_from_impressions, as_of=args.as_of,
        )
    except DataValidationError as exc:
        _eprint(f"advocacy-eval import failed; {args.into} was left unchanged.\n" + exc.render(max_rows=args.max_rows))
        return 1
    except AdvocacyEvalError as exc:
        _eprint(f"advocacy-eval import refused: {exc}")
        return 1
    print(result.summary())
    return 0


def add_import_command(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``import KIND FILE... --into DATA_DIR`` on an argparse sub-parsers object.

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
        "import", help="import LinkedIn, platform and HR exports into a data folder (all or nothing)",
        description="Import export files into DATA_DIR: parse strictly (English or French), pseudonymise "
                    "personal identifiers, merge with what is there (latest export wins, nothing dropped), "
                    "copy the raw files into DATA_DIR/raw/ and log them. Kinds: "
                    + "; ".join(f"{k}: {v}" for k, v in KIND_HELP.items()),
    )
    p.add_argument("kind", choices=list(KINDS), help="what the files are")
    p.add_argument("files", nargs="+", help="files to import (one transaction)")
    p.add_argument("--into", required=True, metavar="DATA_DIR", help="data folder (created when missing)")
    p.add_argument("--employee", metavar="ID|FILE",
                   help="linkedin-member: the employee (pseudonym E-..., or e-mail/profile URL/staff number as in "
                        "the roster), or a CSV/TOML file mapping file -> employee")
    p.add_argument("--mapping", metavar="TOML", help="platform: column mapping (a file or a shipped example name)")
    p.add_argument("--export-date", metavar="DATE", help="export date of the files (default: from the file name "
                   "or content)")
    p.add_argument("--lang", choices=("en", "fr"), help="force the number/date conventions")
    p.add_argument("--page-id", default="company-page", help="linkedin-page: author_id of the page's posts")
    p.add_argument("--page-followers", metavar="N|FILE",
                   help="linkedin-page: page followers (audience_size): a number or a file of date, followers")
    p.add_argument("--content-type", metavar="TYPE|FILE",
                   help="linkedin-page: corporate|non_corporate for all posts, or a file of post link, "
                        "content_type[, theme]")
    p.add_argument("--reach-from-impressions", action="store_true",
                   help="linkedin-page: without a unique-reach column, store impressions as members_reached "
                        "(an upper bound, noted in the log)")
    p.add_argument("--key-file", metavar="PATH", help="pseudonymisation key file (default: $ADVOCACY_EVAL_KEY or "
                   "$ADVOCACY_EVAL_KEY_FILE)")
    p.add_argument("--as-of", help="date after which dates are in the future (default today)")
    p.add_argument("--max-rows", type=int, default=200, help="problems to list (default 200)")
    p.set_defaults(func=run_import)
    return p
