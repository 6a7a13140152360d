"""The ``advocacy-eval`` command.

Sub-commands:

- ``sample --out DIR [--seed N] [--employees N] [--months N]``: write a synthetic programme.
- ``import KIND FILE... --into DATA_DIR``: import real exports (LinkedIn page and member analytics,
  advocacy platform, HR roster) into a programme folder, pseudonymised, merged without loss.
- ``validate DATA_DIR``: check a programme folder; print every problem; exit 1 on bad data.
- ``report DATA_DIR (--wave W | --all-waves) [--out DIR] [--lang en|fr]``: executed reports.

Errors meant for users are printed as one message, never as a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from collections.abc import Sequence

from . import __version__
from .errors import AdvocacyEvalError, DataValidationError


def _eprint(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _cmd_sample(args: argparse.Namespace) -> int:
    from .sample import write_sample

    overrides = {"seed": args.seed, "n_employees": args.employees, "n_months": args.months}
    sample = write_sample(args.out, **{k: v for k, v in overrides.items() if v is not None})
    print(f"wrote a synthetic programme to {args.out}: {len(sample.waves)} waves, "
          f"{len(sample.employees)} employees, {len(sample.posts)} posts, "
          f"{len(sample.activity)} activity rows (seed {sample.parameters.seed})")
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from .io import load_programme

    try:
        programme = load_programme(args.data_dir, as_of=args.as_of)
    except DataValidationError as exc:
        _eprint(exc.render(max_rows=args.max_rows))
        return 1
    print(f"OK: {args.data_dir} is valid: {programme!r}")
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from .io import load_programme
    from .paths import resolve_data_dir
    from .publish.runner import ReportError, comex_identifiers, run_all_waves, run_programme_report

    data_dir = resolve_data_dir(args.data_dir)
    try:
        programme = load_programme(data_dir)
    except DataValidationError as exc:
        _eprint("the data folder is not valid; fix it before reporting:\n" + exc.render())
        return 1
    waves = programme.wave_ids if args.all_waves else [args.wave] if args.wave else []
    try:
        for w in waves:
            programme.check_wave(w)
    except KeyError as exc:
        _eprint(str(exc.args[0]))
        return 2
    if args.all_waves:  # waves below k are left out of the whole release (privacy.release), not failures
        from .analyses.measures import wave_sizes

        sizes = wave_sizes(programme)
        left_out = [w for w in waves if sizes[w] < args.min_group_size]
        for w in left_out:
            _eprint(f"[{w}] left out of every report of this run: fewer than {args.min_group_size} volunteers")
        waves = [w for w in waves if w not in left_out]
    claims_file = ""
    if args.claims:
        from .claims import load_claims

        try:
            load_claims(args.claims)  # one clear error before any notebook runs
        except AdvocacyEvalError as exc:
            _eprint(f"advocacy-eval: {exc}")
            return 1
        claims_file = str(Path(args.claims).resolve())
    vocabulary = {"programme_name": args.programme_name or "", "participants": args.participants or "",
                  "participant": args.participant or ""}
    claim_params = {"claims_file": claims_file, "claimed_ratio": args.claimed_ratio,
                    "target_corporate_share": args.target_share, "share_tolerance": args.share_tolerance,
                    "claimed_participation": args.claimed_participation,
                    "claimed_staff_reached": args.claimed_staff_reached}
    extra = {**claim_params, "min_group_size": args.min_group_size, **vocabulary}
    done, failed = run_all_waves(data_dir, waves, args.out, args.lang, args.cell_timeout, extra,
                                 progress=_eprint, timeout=args.timeout, pdf=args.pdf) if waves else ({}, {})
    if args.programme or args.all_waves:
        _eprint("[programme] all waves together: running")
        try:
            result = run_programme_report(
                data_dir, args.out, args.lang, args.cell_timeout,
                {**claim_params, "min_group_size": args.min_group_size, "claimed_profiles": args.claimed_profiles,
                 **vocabulary},
                timeout=args.timeout, forbidden=comex_identifiers(data_dir), pdf=args.pdf)
            done["programme"] = result
            _eprint(f"[programme] wrote {result.html} ({result.seconds:.1f} s)")
        except ReportError as exc:
            failed["programme"] = str(exc)
            _eprint(f"[programme] FAILED: {exc}")
    if failed:
        _eprint(f"summary: {len(done)} report(s) written, {len(failed)} failed:")
        for wave, message in failed.items():
            _eprint(f"  {wave}: {message}")
        return 1
    print(f"{len(done)} report(s) written to {args.out}: "
          + ", ".join(str(r.html) + (f" (+ {r.pdf.name})" if r.pdf else "") for r in done.values()))
    return 0


def _cmd_refresh(args: argparse.Namespace) -> int:
    from .publish.runner import refresh_notebooks

    for path in refresh_notebooks(args.notebooks or None):
        print(f"re-executed {path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser of the ``advocacy-eval`` command."""
    parser = argparse.ArgumentParser(prog="advocacy-eval", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    from .io.imports.cli import add_import_command

    add_import_command(sub)

    p = sub.add_parser("sample", help="write a synthetic programme with known ground truth")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--seed", type=int, help="random seed (default: the committed sample's)")
    p.add_argument("--employees", type=int, help="eligible employees (default 2000)")
    p.add_argument("--months", type=int, help="months of data (default 24)")
    p.set_defaults(func=_cmd_sample)

    p = sub.add_parser("validate", help="check a programme folder and list every problem")
    p.add_argument("data_dir", help="programme folder (waves, employees, posts[, activity])")
    p.add_argument("--as-of", help="date after which dates are in the future (default today)")
    p.add_argument("--max-rows", type=int, default=200, help="problems to list (default 200)")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("report", help="execute the wave report(s) into HTML")
    p.add_argument("data_dir", nargs="?", default="", help="programme folder (default: the committed sample)")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--wave", help="wave id, e.g. W1")
    which.add_argument("--all-waves", action="store_true",
                       help="one report per wave, then the programme report (all waves together)")
    which.add_argument("--programme", action="store_true", help="only the programme report (all waves together)")
    p.add_argument("--out", default="reports", help="output folder (default reports/)")
    p.add_argument("--lang", choices=("en", "fr"), default="en", help="report language")
    p.add_argument("--claimed-ratio", type=float, default=4.0, help="claimed amplification (default 4)")
    p.add_argument("--target-share", type=float, default=0.20, help="target corporate share (default 0.20)")
    p.add_argument("--share-tolerance", type=float, default=0.05,
                   help="accepted distance from the target share (default 0.05)")
    p.add_argument("--claimed-participation", type=float, default=0.5,
                   help="claimed share of volunteers posting in a month (default 0.5)")
    p.add_argument("--claimed-profiles", type=float, default=500,
                   help="claimed number of LinkedIn profiles created thanks to the programme (default 500)")
    p.add_argument("--claimed-staff-reached", type=float, default=0.80,
                   help="claimed share of staff the programme reaches (default 0.80)")
    p.add_argument("--claims", metavar="FILE.toml",
                   help="claims to test instead of the default ones (TOML, see docs/claims.md)")
    p.add_argument("--programme-name", help="the programme's name in the report language (default: "
                                            "programme.toml in the data folder, else a generic name)")
    p.add_argument("--participants", help="what participants are called, plural, in the report language "
                                          "(default: programme.toml, else volunteers / collaborateurs volontaires)")
    p.add_argument("--participant", help="one participant (singular), in the report language")
    p.add_argument("--min-group-size", type=int, default=5, help="smallest group shown (default 5, >= 3)")
    p.add_argument("--cell-timeout", type=int, default=600, help="seconds allowed per notebook cell")
    p.add_argument("--timeout", type=int, default=None, help="seconds allowed per report (default: no limit)")
    p.add_argument("--pdf", action="store_true", help="also print each report to PDF with headless Chromium")
    p.set_defaults(func=_cmd_report)

    p = sub.add_parser("refresh-notebooks", help="re-execute notebooks/ in place (stored outputs for nbval)")
    p.add_argument("notebooks", nargs="*", help="notebooks to refresh (default: all of notebooks/)")
    p.set_defaults(func=_cmd_refresh)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments (default: ``sys.argv[1:]``).
    """
    args = build_parser().parse_args(argv)
    try:
        if getattr(args, "data_dir", ""):  # validate/report: first finish an import killed while committing
            from .io.imports import recover_interrupted_import

            note = recover_interrupted_import(args.data_dir)
            if note:
                _eprint(f"advocacy-eval: {note}")
        return int(args.func(args))
    except (AdvocacyEvalError, FileNotFoundError, KeyError, ValueError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
        _eprint(f"advocacy-eval: {message}")
        return 1
    except KeyboardInterrupt:
        _eprint("advocacy-eval: interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
