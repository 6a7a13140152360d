"""The ``advocacy-eval`` command.

Sub-commands:

- ``sample --out DIR [--seed N] [--employees N] [--months N] [--end YYYY-MM] [--anticipation-months N]``:
  write a synthetic programme whose last month of data is ``--end`` (default: the last full month, UTC).
- ``import KIND FILE... --into DATA_DIR``: import real exports (LinkedIn page content, page followers and member analytics,
  advocacy platform, HR roster) into a programme folder, pseudonymised, merged without loss.
- ``validate DATA_DIR``: check a programme folder; print every problem; exit 1 on bad data.
- ``status DATA_DIR [--claims FILE]``: the sources a folder holds, their date coverage and gaps, and which
  claims the data can test (and, if not, which export would make them testable).
- ``report DATA_DIR (--wave W | --all-waves | --programme) [--out DIR] [--lang en|fr] [--jobs N]``: executed
  reports; with ``--all-waves``, N at once (default: the number of cores).

Errors meant for users are printed as one message, never as a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .errors import AdvocacyEvalError, DataValidationError

if TYPE_CHECKING:
    from .publish.parallel import ReportPool

__all__ = [
    "build_parser",
    "main",
]


def _eprint(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _cmd_sample(args: argparse.Namespace) -> int:
    """Write a synthetic programme whose last month of data is ``--end`` (default: last full month, UTC).

    Every check runs before anything is written: a bad ``--end`` (not
    ``YYYY-MM``, or not a full month yet), ``--months`` or ``--employees``
    below 1, or waves that do not fit in the months give one line and exit 1.
    """
    from .sample import SampleParameters, resolve_end, write_sample

    for flag, value in (("--months", args.months), ("--employees", args.employees)):
        if value is not None and value < 1:
            _eprint(f"advocacy-eval: {flag} must be >= 1, got {value}")
            return 1
    overrides = {
        "seed": args.seed,
        "n_employees": args.employees,
        "n_months": args.months,
        "anticipation_months": args.anticipation_months,
        "anticipation_multiplier": args.anticipation_multiplier,
    }
    try:
        end = resolve_end(args.end)
    except ValueError as exc:
        _eprint(f"advocacy-eval: --{exc}")  # "--end must be a month YYYY-MM ..."
        return 1
    try:
        params = SampleParameters.ending(
            end, **{k: v for k, v in overrides.items() if v is not None}
        )
    except ValueError as exc:
        _eprint(f"advocacy-eval: {str(exc).removeprefix('SampleParameters: ')}")
        return 1
    sample = write_sample(args.out, params)
    print(
        f"wrote a synthetic programme to {args.out}: {len(sample.waves)} waves, "
        f"{len(sample.employees)} employees, {len(sample.posts)} posts, "
        f"{len(sample.activity)} activity rows, {params.start[:7]} to {params.end} (seed {params.seed})"
    )
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from .io import load_programme

    try:
        programme = load_programme(args.data_dir, as_of=args.as_of, cache=not args.fresh)
    except DataValidationError as exc:
        _eprint(exc.render(max_rows=args.max_rows))
        return 1
    print(f"OK: {args.data_dir} is valid: {programme!r}")
    return 0


def _cmd_status(args: argparse.Namespace) -> int:
    """Print what a data folder holds, its gaps, and the claims it can and cannot test (exit 0)."""
    from .claims import load_claims
    from .status import folder_status

    claims = load_claims(args.claims) if args.claims else None
    print(
        folder_status(
            args.data_dir, claims, min_group_size=args.min_group_size, as_of=args.as_of
        ).render()
    )
    return 0


def _report_default_jobs() -> int:
    """Default of ``--jobs``: the number of cores (:func:`os.cpu_count`)."""
    import os

    return os.cpu_count() or 1


def _report_jobs(value: str) -> int:
    """``--jobs``: a whole number of at least 1."""
    try:
        jobs = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be a whole number of reports run at once, not {value!r}"
        ) from None
    if jobs < 1:
        raise argparse.ArgumentTypeError(
            f"must be at least 1 (1 runs the reports one after the other), not {jobs}"
        )
    return jobs


def _jobs_for(args: argparse.Namespace, programme: object, n_tasks: int) -> int:
    # ``programme``: the programme, or its size in memory (bytes)
    """Reports run at once: ``--jobs`` as given, or by default the cores, fewer if memory would not hold them.

    Each report kernel holds the programme and its panel (:func:`advocacy_eval.memory.kernel_peak_bytes`); by
    default the command runs no more kernels at once than the available memory holds, and says so.
    """
    from .memory import available_bytes, jobs_that_fit, kernel_peak_bytes

    wanted = min(args.jobs or _report_default_jobs(), max(1, n_tasks))
    if args.jobs is not None or wanted == 1:
        return args.jobs or 1
    size = programme if isinstance(programme, int) else programme.memory_bytes()  # type: ignore[attr-defined]
    jobs = jobs_that_fit(size, wanted)
    if jobs < wanted:
        _eprint(
            f"[jobs] {jobs} report(s) at a time, not {wanted}: each needs about "
            f"{kernel_peak_bytes(size) / 2**30:.1f} GB and {(available_bytes() or 0) / 2**30:.1f} GB is "
            "available (--jobs N to choose)"
        )
    return jobs


def _cmd_report(args: argparse.Namespace) -> int:
    """Validate once, compute the leak guard's identifiers once, then run the reports (``--jobs`` at once).

    With ``--all-waves`` and ``--jobs`` above 1 the report workers start (and
    warm up their kernels) first, while the data are loaded and checked; the
    programme is loaded once here and released before any report runs.

    Parameters
    ----------
    args : argparse.Namespace
        The command's arguments.

    Returns
    -------
    int
        Exit code (see :func:`_report`).
    """
    import os

    pool = getattr(args, "early_pool", None)  # started by main() before the parser was built
    if (
        pool is None
        and args.all_waves
        and (args.jobs or _report_default_jobs()) > 1
        and os.name == "posix"
    ):
        from .publish.parallel import ReportPool

        pool = ReportPool(
            min(args.jobs or _report_default_jobs(), 2)
        )  # at least 2 reports (a wave and the programme); more once known
    try:
        return _report(args, pool)
    finally:
        if pool is not None:
            pool.close()


def _early_pool(argv: Sequence[str]) -> ReportPool | None:
    """Report workers started before the parser (and pandas) is imported, for ``report ... --all-waves``.

    A worker needs about 2 s of CPU to start its kernel and import the report
    modules; building the parser imports the data layer (pandas, pandera),
    about 0.6 s more in this process. Starting the workers first gives them
    that head start. Only when the arguments surely ask for a parallel
    all-wave report (``--jobs`` absent or above 1, no ``--help``); anything
    unusual is left to the parser and :func:`_cmd_report`.
    """
    import os

    argv = list(argv)
    if os.name != "posix" or not argv or argv[0] != "report" or "--all-waves" not in argv:
        return None
    if {"-h", "--help"} & set(argv):
        return None
    jobs: int | None = None
    for i, arg in enumerate(argv):
        value = (
            argv[i + 1]
            if arg == "--jobs" and i + 1 < len(argv)
            else arg.partition("=")[2]
            if arg.startswith("--jobs=")
            else None
        )
        if value is not None:
            try:
                jobs = int(value)
            except ValueError:
                return None  # the parser says what is wrong
    if jobs is not None and jobs <= 1:
        return None
    from .publish.parallel import ReportPool

    return ReportPool(min(jobs or _report_default_jobs(), 2))


CHILD_LOAD_BYTES = 64 * 2**20
"""Input size (bytes of the table files) from which the report command loads the data in a child process."""


@dataclass
class _Prepared:
    """What the report command needs from the data folder (see :func:`_prepare`)."""

    note: str | None = None
    invalid: str | None = None  # the validation errors, rendered
    unknown_wave: str | None = None
    error: str | None = None
    wave_ids: tuple[str, ...] = ()
    sizes: dict[str, int] = field(default_factory=dict)
    memory_bytes: int = 0
    identifiers: Any = None  # runner.Identifiers (sealed when they come from a child process)


def _prepare(data_dir: str, requested: list[str], claims: str, sealed: bool = False) -> _Prepared:
    """Load and validate the programme once, check the waves and claims asked for, collect the identifiers.

    Finishes an import killed while committing first (as every command
    reading a data folder does). Errors a user can fix come back as text.
    """
    from .io import load_programme
    from .io.imports import recover_interrupted_import
    from .publish.runner import identifiers

    try:
        note = recover_interrupted_import(data_dir)
        if claims:
            from .claims import load_claims

            load_claims(claims)  # one clear error before any notebook runs
        try:
            programme = load_programme(data_dir)
        except DataValidationError as exc:
            return _Prepared(note=note, invalid=exc.render())
        for wave in requested:
            try:
                programme.check_wave(wave)
            except KeyError as exc:
                return _Prepared(note=note, unknown_wave=str(exc.args[0]))
        ids = identifiers(programme)
        return _Prepared(
            note=note,
            wave_ids=tuple(programme.wave_ids),
            sizes=programme.wave_sizes(),
            memory_bytes=programme.memory_bytes(),
            identifiers=ids.to_ipc() if sealed else ids,
        )
    except (AdvocacyEvalError, FileNotFoundError, ValueError) as exc:  # ConfigError is one
        return _Prepared(error=str(exc))


def _prepare_child(data_dir: str, requested: list[str], claims: str, conn: Any) -> None:
    """Body of the child process of :func:`_prepare_data`: send :func:`_prepare`'s answer, identifiers as bytes."""
    try:
        conn.send(_prepare(data_dir, requested, claims, sealed=True))
    except (
        KeyboardInterrupt
    ):  # the command was interrupted too (same process group): it says so, not us
        pass
    finally:
        conn.close()


def _prepare_data(data_dir: Path, requested: list[str], claims: str) -> _Prepared:
    """:func:`_prepare`, in a child process when the tables are large, so that this process stays small.

    The command runs for as long as its reports; loading a 200,000-employee
    programme here would leave about 0.25 GB of imports and freed-but-kept
    memory in it while the reports' kernels run (``docs/scaling.md``). A
    child process loads, validates (and writes the snapshot the kernels
    read), collects the identifiers, and exits; the identifiers come back as
    Arrow bytes that this process passes to the report workers undecoded.
    """
    size = 0  # the table files' bytes (what find_table_files would find), without importing the data layer
    for table in ("waves", "employees", "posts", "activity"):
        for suffix in (".csv", ".parquet"):
            with contextlib.suppress(OSError):
                size += (data_dir / f"{table}{suffix}").stat().st_size
    if size < CHILD_LOAD_BYTES:
        return _prepare(str(data_dir), requested, claims)
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_prepare_child, args=(str(data_dir), requested, claims, send))
    child.start()
    send.close()
    try:
        prepared: _Prepared = receive.recv()
    except EOFError:
        child.join()
        raise AdvocacyEvalError(
            f"loading {data_dir} stopped (exit code {child.exitcode}) before it could answer"
        ) from None
    except BaseException:  # interrupted: the child stops too
        if child.is_alive():
            child.terminate()
        child.join()
        raise
    finally:
        receive.close()
    child.join()
    if prepared.identifiers is not None:
        from .publish.runner import Identifiers

        prepared.identifiers = Identifiers.from_ipc(prepared.identifiers)
    return prepared


def _report(args: argparse.Namespace, pool: ReportPool | None) -> int:
    """The report command once its workers (a :class:`~advocacy_eval.publish.parallel.ReportPool`, or None) started.

    Parameters
    ----------
    args : argparse.Namespace
        The command's arguments.
    pool : ReportPool or None
        Workers started early (``--all-waves`` with ``--jobs`` above 1), else None.

    Returns
    -------
    int
        Exit code: 0, 1 (invalid data, a failed report) or 2 (unknown wave).
    """
    from .memory import cell_timeout_for
    from .paths import resolve_data_dir
    from .publish.runner import check_vocabulary, programme_task, run_reports, wave_task

    data_dir = resolve_data_dir(args.data_dir)
    requested = [] if args.all_waves or not args.wave else [args.wave]
    prepared = _prepare_data(data_dir, requested, args.claims or "")
    if prepared.note:
        _eprint(f"advocacy-eval: {prepared.note}")
    if prepared.invalid is not None:
        _eprint("the data folder is not valid; fix it before reporting:\n" + prepared.invalid)
        return 1
    if prepared.unknown_wave is not None:
        _eprint(prepared.unknown_wave)
        return 2
    if prepared.error is not None:
        _eprint(f"advocacy-eval: {prepared.error}")
        return 1
    waves = list(prepared.wave_ids) if args.all_waves else requested
    if (
        args.all_waves
    ):  # waves below k are left out of the whole release (privacy.release), not failures
        left_out = [w for w in waves if prepared.sizes[w] < args.min_group_size]
        for w in left_out:
            _eprint(
                f"[{w}] left out of every report of this run: fewer than {args.min_group_size} volunteers"
            )
        waves = [w for w in waves if w not in left_out]
    claims_file = str(Path(args.claims).resolve()) if args.claims else ""
    vocabulary = {
        "programme_name": args.programme_name or "",
        "participants": args.participants or "",
        "participant": args.participant or "",
    }
    claim_params = {
        "claims_file": claims_file,
        "claimed_ratio": args.claimed_ratio,
        "target_corporate_share": args.target_share,
        "share_tolerance": args.share_tolerance,
        "claimed_participation": args.claimed_participation,
        "claimed_staff_reached": args.claimed_staff_reached,
    }
    extra = {**claim_params, "min_group_size": args.min_group_size, **vocabulary}
    check_vocabulary(data_dir, args.lang, extra)
    tasks = [wave_task(data_dir, w, args.lang, extra) for w in waves]
    if args.programme or args.all_waves:
        tasks.append(
            programme_task(
                data_dir,
                args.lang,
                {
                    **claim_params,
                    "min_group_size": args.min_group_size,
                    "claimed_profiles": args.claimed_profiles,
                    **vocabulary,
                },
            )
        )
    forbidden = prepared.identifiers  # the leak guard of every report, from this one load
    size = prepared.memory_bytes
    jobs = _jobs_for(args, size, len(tasks))
    cell_timeout = args.cell_timeout if args.cell_timeout is not None else cell_timeout_for(size)
    if pool is not None:
        pool.start(min(jobs, len(tasks)))
    done, failed = run_reports(
        tasks,
        args.out,
        cell_timeout=cell_timeout,
        timeout=args.timeout,
        forbidden=forbidden,
        pdf=args.pdf,
        jobs=jobs,
        progress=_eprint,
        pool=pool,
    )
    if failed:
        _eprint(f"summary: {len(done)} report(s) written, {len(failed)} failed:")
        for wave, message in failed.items():
            _eprint(f"  {wave}: {message}")
        return 1
    print(
        f"{len(done)} report(s) written to {args.out}: "
        + ", ".join(str(r.html) + (f" (+ {r.pdf.name})" if r.pdf else "") for r in done.values())
    )
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
    from .cli_import import add_import_command

    add_import_command(sub)

    p = sub.add_parser("sample", help="write a synthetic programme with known ground truth")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--seed", type=int, help="random seed (default: the committed sample's)")
    p.add_argument("--employees", type=int, help="eligible employees (default 2000)")
    p.add_argument("--months", type=int, help="months of data, ending with --end (default 24)")
    p.add_argument(
        "--end",
        metavar="YYYY-MM",
        help="last month of data, inclusive (default: the last full month before today, UTC; "
        "the committed sample: --end 2025-12)",
    )
    p.add_argument(
        "--anticipation-months",
        type=int,
        metavar="N",
        help="months before enrolment in which volunteers already post more (default 0: none)",
    )
    p.add_argument(
        "--anticipation-multiplier",
        type=float,
        metavar="X",
        help="their posting rate multiplier in those months (default 1.5)",
    )
    p.set_defaults(func=_cmd_sample)

    p = sub.add_parser("validate", help="check a programme folder and list every problem")
    p.add_argument("data_dir", help="programme folder (waves, employees, posts[, activity])")
    p.add_argument("--as-of", help="date after which dates are in the future (default today)")
    p.add_argument("--max-rows", type=int, default=200, help="problems to list (default 200)")
    p.add_argument(
        "--fresh",
        action="store_true",
        help="validate again even if unchanged inputs were validated before (ignore the snapshot)",
    )
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser(
        "status",
        help="sources, date coverage, gaps, and the claims the data can test",
        description="List the sources a data folder holds (roster, page content and followers "
        "exports, platform export, member exports), their date coverage and gaps (months "
        "without a page export, volunteers without member exports, unclassified posts), "
        "and for each claim whether the data can test it, and if not which export would "
        "make it testable. Nothing is written.",
    )
    p.add_argument("data_dir", help="programme folder")
    p.add_argument(
        "--claims", metavar="FILE.toml", help="claims to check instead of the default ones"
    )
    p.add_argument(
        "--min-group-size", type=int, default=5, help="smallest wave reported (default 5)"
    )
    p.add_argument("--as-of", help="date after which dates are in the future (default today)")
    p.set_defaults(func=_cmd_status)

    p = sub.add_parser("report", help="execute the wave report(s) into HTML")
    p.add_argument(
        "data_dir",
        nargs="?",
        default="",
        help="programme folder (default in a clone: data/sample/; `advocacy-eval sample` writes one)",
    )
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--wave", help="wave id, e.g. W1")
    which.add_argument(
        "--all-waves",
        action="store_true",
        help="one report per wave, then the programme report (all waves together)",
    )
    which.add_argument(
        "--programme", action="store_true", help="only the programme report (all waves together)"
    )
    p.add_argument("--out", default="reports", help="output folder (default reports/)")
    p.add_argument("--lang", choices=("en", "fr"), default="en", help="report language")
    p.add_argument(
        "--claimed-ratio", type=float, default=4.0, help="claimed amplification (default 4)"
    )
    p.add_argument(
        "--target-share", type=float, default=0.20, help="target corporate share (default 0.20)"
    )
    p.add_argument(
        "--share-tolerance",
        type=float,
        default=0.05,
        help="accepted distance from the target share (default 0.05)",
    )
    p.add_argument(
        "--claimed-participation",
        type=float,
        default=0.5,
        help="claimed share of volunteers posting in a month (default 0.5)",
    )
    p.add_argument(
        "--claimed-profiles",
        type=float,
        default=500,
        help="claimed number of LinkedIn profiles created thanks to the programme (default 500)",
    )
    p.add_argument(
        "--claimed-staff-reached",
        type=float,
        default=0.80,
        help="claimed share of staff the programme reaches (default 0.80)",
    )
    p.add_argument(
        "--claims",
        metavar="FILE.toml",
        help="claims to test instead of the default ones (TOML, see docs/claims.md)",
    )
    p.add_argument(
        "--programme-name",
        help="the programme's name in the report language (default: "
        "programme.toml in the data folder, else a generic name)",
    )
    p.add_argument(
        "--participants",
        help="what participants are called, plural, in the report language "
        "(default: programme.toml, else volunteers / collaborateurs volontaires)",
    )
    p.add_argument("--participant", help="one participant (singular), in the report language")
    p.add_argument(
        "--min-group-size", type=int, default=5, help="smallest group shown (default 5, >= 3)"
    )
    p.add_argument(
        "--cell-timeout",
        type=int,
        default=None,
        help="seconds allowed per notebook cell (default: 600, more for programmes above 1 GB in memory)",
    )
    p.add_argument(
        "--timeout", type=int, default=None, help="seconds allowed per report (default: no limit)"
    )
    p.add_argument(
        "--pdf", action="store_true", help="also print each report to PDF with headless Chromium"
    )
    p.add_argument(
        "--jobs",
        type=_report_jobs,
        default=None,
        metavar="N",
        help="reports run at once with --all-waves, each worker keeping one warm kernel "
        "(default: the number of cores, fewer if the available memory would not hold them; "
        "1: one after the other, in this process)",
    )
    p.set_defaults(func=_cmd_report)

    p = sub.add_parser(
        "refresh-notebooks", help="re-execute notebooks/ in place (stored outputs for nbval)"
    )
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
    if argv is None:
        argv = sys.argv[1:]
    pool = _early_pool(argv)
    try:
        args = build_parser().parse_args(argv)
    except BaseException:  # --help, or arguments the parser refuses: no report will run
        if pool is not None:
            pool.close()
        raise
    if pool is not None:
        args.early_pool = pool
    try:
        if (
            getattr(args, "data_dir", "") and args.command != "report"
        ):  # validate: first finish an import killed while committing (report does it where it loads the data)
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
