"""The ``advocacy-eval import`` and ``advocacy-eval keygen`` sub-commands (registered by :func:`add_import_command`)."""

from __future__ import annotations

import argparse
import os
import sys
import warnings

from ...cli_import import add_import_command, add_keygen_command
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
