"""Run a batch of reports at once: worker processes, each keeping one warm Jupyter kernel.

Starting a kernel and importing pandas, matplotlib and the package takes
longer than computing a report on a typical programme. A
:class:`ReportPool` therefore starts ``N`` worker processes (each a new
interpreter: no state copied from the command line's process, no re-import
of its ``__main__``). Each worker
starts **one** kernel and pre-imports the report modules in it
(:mod:`advocacy_eval.publish.kernel_state`) while the command line is still
validating the data, then runs the reports the parent gives it one after the
other in that kernel (:class:`KernelSession`): before each notebook the
kernel's namespace and global state are reset to what a fresh kernel has
after the same imports, and after any failure, timeout or interruption the
kernel is killed and the next report gets a fresh one. Each report goes
through :func:`~advocacy_eval.publish.runner.run_notebook` in the worker's
main thread, so everything a single run guarantees holds for every report of
a batch: temporary folder and atomic publication, ``_failed/`` copy, path
scrubbing, active-content and identifier checks, ``--timeout`` (``SIGALRM``),
clean interruption.

The parent process (the command line) stays small: it loads the programme
once, computes the identifiers for the leak guard once
(:func:`~advocacy_eval.publish.runner.identifiers`), releases the programme,
and sends the identifiers once to each worker (a compact pyarrow array), then
only schedules reports (the longest, the programme report, first) and prints
one progress line per event.

Work ahead (``run(..., prefetch=True)``, off by default): once no report is
waiting, a worker that would sit idle while the programme report runs fits
the programme report's onboarding effects in its own kernel, from the last
outcome backwards, into the effect cache
(:func:`advocacy_eval.analyses.programme.prefetch_effects`); the programme
report reads each effect stored by the time it needs it, and the two meet in
the middle. The batch does not wait for this work: when the last report is
written, a worker still fitting is stopped. It pays when the programme
report is much longer than the wave reports; with three waves of 200,000
employees the effect cache already balances the two workers (the gain was
about 1 s), and a second kernel fitting at the same time raises the peak
memory by up to 0.5 GB, so the command line leaves it off.

Interruption: SIGINT, SIGTERM or SIGHUP received by the parent stops the
batch; the parent sends SIGTERM to every worker, which kills its kernel and
removes its temporary folder, waits for them, and kills any that does not
stop. Finished reports stay. Workers and their kernels also die with the
parent if it is killed outright (Linux ``PR_SET_PDEATHSIG``), and a worker
that dies unexpectedly fails its report only; the others go on.
"""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import socket
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable
from multiprocessing.connection import wait as _wait
from pathlib import Path
from typing import Any

from ..errors import ReportError
from ..paths import notebooks_dir
from . import runner
from .kernel_state import frozen_after_imports

__all__ = [
    "PREFETCH_TIMEOUT",
    "RESET_TIMEOUT",
    "STOP_TIMEOUT",
    "WARM_UP_TIMEOUT",
    "KernelSession",
    "ReportPool",
    "worker_main",
]


WARM_UP_TIMEOUT = 300
"""Seconds allowed to a new kernel to start and import the report modules."""

RESET_TIMEOUT = 120
"""Seconds allowed to reset a kernel between two notebooks."""

PREFETCH_TIMEOUT = 3600
"""Seconds allowed to an idle worker's kernel to fit the programme report's effects ahead of it."""

STOP_TIMEOUT = 20
"""Seconds a stopping worker gets to kill its kernel and remove its temporary folder before it is killed."""

_KERNEL_STATE = "advocacy_eval.publish.kernel_state"


# ----------------------------------------------------------------------------- a kernel kept between notebooks


@functools.lru_cache(maxsize=1)
def _kernel_manager_class() -> type:
    """An :class:`~jupyter_client.manager.AsyncKernelManager` that remembers the clients nbclient creates."""
    from jupyter_client.manager import AsyncKernelManager

    class _ReusedKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self._clients: list = []

        def client(
            self, **kwargs: Any
        ):  # nbclient does not close a client of a kernel it does not own
            kc = super().client(**kwargs)
            self._clients.append(kc)
            return kc

        def release_clients(self) -> None:
            while self._clients:
                kc = self._clients.pop()
                with contextlib.suppress(Exception):
                    kc.stop_channels()

    return _ReusedKernelManager


class KernelSession:
    """One Jupyter kernel kept alive to run report notebooks one after the other.

    Use inside :func:`~advocacy_eval.publish.runner.current_kernel` (which
    provides the kernelspec of the current interpreter and kills the kernel at
    the end) and pass it to :func:`~advocacy_eval.publish.runner.run_notebook`
    as ``session=``. The kernel is started by :meth:`start` (or by the first
    :meth:`execute`) and warmed up (:func:`advocacy_eval.publish.kernel_state.prepare`);
    each :meth:`execute` but the first after the warm-up first resets it
    (:func:`advocacy_eval.publish.kernel_state.reset`). :meth:`discard` kills
    it; the next :meth:`execute` starts a new one.

    Parameters
    ----------
    cwd : path, optional
        Working directory of the kernel (default: the notebooks' folder).
    """

    def __init__(self, cwd: str | os.PathLike | None = None) -> None:
        self.cwd = Path(cwd) if cwd is not None else notebooks_dir()
        self._km: Any = None
        self._pid: int | None = None
        self._warming: tuple[Any, str] | None = None
        self._fresh = False  # nothing has run in the kernel since its warm-up: no reset needed
        self.started = 0
        """Kernels started so far (one more after each failure)."""

    @property
    def pid(self) -> int | None:
        """Process id of the running kernel, if any."""
        return self._pid if self._km is not None else None

    def start(self, wait: bool = True) -> None:
        """Start the kernel and ask it to import the report modules.

        Parameters
        ----------
        wait : bool
            Wait for the imports to finish; otherwise call :meth:`wait_ready`
            later (the caller can do its own work meanwhile).

        Raises
        ------
        ReportError
            If the kernel cannot start or the warm-up fails.
        """
        from jupyter_core.utils import run_sync

        self.discard()
        km = _kernel_manager_class()(kernel_name=runner.KERNEL_NAME)
        run_sync(km.start_kernel)(cwd=str(self.cwd))
        self._km, self._pid, self._fresh = km, km.provisioner.pid, True
        self.started += 1
        self._warming = self._send(f"__import__({_KERNEL_STATE!r}, fromlist=['_']).prepare()")
        if wait:
            self.wait_ready()

    def wait_ready(self) -> None:
        """Wait for the warm-up sent by :meth:`start` (nothing to do if it is over).

        Raises
        ------
        ReportError
            If the kernel died or failed to import the report modules.
        """
        if self._warming is not None:
            warming, self._warming = self._warming, None
            self._receive(*warming, WARM_UP_TIMEOUT, "start")

    def execute(
        self, template: Path, executed: Path, parameters: dict, cell_timeout: int | None
    ) -> None:
        """Reset the kernel, then run ``template`` in it with papermill into ``executed``.

        Parameters
        ----------
        template, executed, parameters, cell_timeout
            As in :func:`~advocacy_eval.publish.runner.execute_notebook`.
        """
        if self._km is None:
            self.start(wait=False)
        self.wait_ready()
        if not (
            self._fresh and template.parent == self.cwd
        ):  # a fresh kernel is as the reset would leave it
            try:
                self._reset(template.parent)
            except (
                ReportError
            ):  # a kernel the last notebook left unusable: this one gets a fresh kernel
                self.start()
                if template.parent != self.cwd:
                    self._reset(template.parent)
        self._fresh = False
        try:
            runner.execute_notebook(
                template, executed, parameters, runner.KERNEL_NAME, cell_timeout, km=self._km
            )
        finally:
            self._km.release_clients()

    def prefetch(self, parameters: dict, timeout: float = PREFETCH_TIMEOUT) -> None:
        """Fit the programme report's effects in this kernel, ahead of the report that needs them.

        See :func:`advocacy_eval.publish.kernel_state.prefetch`: the fits go to
        the effect cache beside the programme's snapshot, where the programme
        report, running in another kernel, reads them. The next notebook gets a
        reset kernel.

        Parameters
        ----------
        parameters : dict
            The programme report's parameters (``data_dir``, and
            ``min_group_size`` and ``control`` when given).
        timeout : float
            Seconds allowed.

        Raises
        ------
        ReportError
            If the kernel dies or the fits fail.
        """
        if self._km is None:
            self.start(wait=False)
        self.wait_ready()
        self._fresh = False
        kwargs = {k: parameters[k] for k in ("min_group_size", "control") if k in parameters}
        self._control(
            f"__import__({_KERNEL_STATE!r}, fromlist=['_'])"
            f".prefetch({str(parameters.get('data_dir', ''))!r}, **{kwargs!r})",
            timeout,
            "fit the programme's effects ahead",
        )

    def discard(self) -> None:
        """Kill the kernel (its whole process group) and forget it; the next :meth:`execute` starts another."""
        from jupyter_core.utils import run_sync

        km, pid, warming = self._km, self._pid, self._warming
        self._km = self._pid = self._warming = None
        if warming is not None:
            with contextlib.suppress(Exception):
                warming[0].stop_channels()
        if km is None:
            return
        with contextlib.suppress(Exception):
            km.release_clients()
        if pid is not None:
            runner._kill_child_group(pid)
        with contextlib.suppress(Exception):
            run_sync(km.shutdown_kernel)(now=True)
        with contextlib.suppress(Exception):
            run_sync(km.cleanup_resources)()

    # silent requests: no execution count, no output, nothing in any notebook

    def _send(self, code: str) -> tuple[Any, str]:
        kc = self._km.blocking_client()
        kc.start_channels(shell=True, iopub=False, stdin=False, hb=False, control=False)
        return kc, kc.execute(code, silent=True, store_history=False, allow_stdin=False)

    def _receive(self, kc: Any, msg_id: str, timeout: float, what: str) -> None:
        import queue

        from jupyter_core.utils import run_sync

        deadline = time.monotonic() + timeout
        try:
            while True:
                if time.monotonic() > deadline:
                    raise ReportError(f"the report kernel did not {what} within {timeout} s")
                try:
                    reply = kc.get_shell_msg(timeout=1)
                except queue.Empty:
                    if not run_sync(self._km.is_alive)():
                        raise ReportError(f"the report kernel died during its {what}") from None
                    continue
                if reply.get("parent_header", {}).get("msg_id") == msg_id:
                    break
        finally:
            kc.stop_channels()
        content = reply.get("content", {})
        if content.get("status") != "ok":
            raise ReportError(
                f"the report kernel could not {what}: {content.get('ename')}: {content.get('evalue')}"
            )

    def _control(self, code: str, timeout: float, what: str) -> None:
        self._receive(*self._send(code), timeout, what)

    def _reset(self, cwd: Path) -> None:
        self._control(
            f"__import__({_KERNEL_STATE!r}, fromlist=['_']).reset({str(cwd)!r})",
            RESET_TIMEOUT,
            "reset",
        )


# ----------------------------------------------------------------------------- worker processes


_INTERRUPTS = {getattr(signal, n) for n in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, n)}

_WORKER_CODE = (
    "import sys; from advocacy_eval.publish.parallel import worker_main; worker_main(sys.argv[1:])"
)
"""A worker is a new interpreter running this (no copy of the parent's state, no re-import of its ``__main__``)."""


def _tie_to_parent(parent: int) -> None:
    """Die with the parent (Linux: ``PR_SET_PDEATHSIG``); exit at once if it is already gone."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)


def _warm_up_exporter() -> None:
    """Import papermill and nbconvert, and compile the export template, while the kernel imports its modules."""
    import nbformat
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    runner._papermill_engine()
    nb = nbformat.reads(
        nbformat.writes(nbformat.v4.new_notebook()), as_version=4
    )  # compiles the schema validator
    runner.visible_text(runner.to_html(nb, "warm-up"))
    runner.active_content("<p></p>")
    runner.leaks("warm-up", runner.Identifiers(["warm-up identifier"]))
    with contextlib.suppress(Exception):
        parameterize_notebook(
            load_notebook_node(str(notebooks_dir() / "wave_report.ipynb")),
            {"lang": "en"},
            kernel_name=runner.KERNEL_NAME,
            language="python",
        )


def worker_main(argv: list[str]) -> None:
    """Body of a worker process: one warm kernel; reports run one after the other as the parent sends them.

    Messages from the parent, on the connection whose file descriptor is
    ``argv[0]``: ``("forbidden", identifiers)`` (once),
    ``("task", (task, out_dir, options))``, ``None`` (stop). To the parent:
    ``("ready",)`` after the warm-up, ``("done", key, result)``,
    ``("failed", key, message)``, ``("interrupted", None)``.

    Parameters
    ----------
    argv : list of str
        The connection's file descriptor and the parent's process id.
    """
    from multiprocessing.connection import Connection

    conn, parent = Connection(int(argv[0])), int(argv[1])
    _tie_to_parent(parent)
    # jsonschema (through nbformat) builds an IRI grammar at import when rfc3987-syntax is installed: about
    # 1.5 s of CPU per process, for a draft-7 format that nbformat's draft-4 schemas never use.
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
    code = 0
    try:
        with runner.interruptible():
            if hasattr(signal, "pthread_sigmask"):  # blocked by the parent while it started us
                signal.pthread_sigmask(signal.SIG_UNBLOCK, _INTERRUPTS)
            with runner.current_kernel():
                _serve(conn)
    except KeyboardInterrupt:
        code = 130
        with contextlib.suppress(Exception):
            conn.send(("interrupted", None))
    except (EOFError, OSError):  # the parent is gone
        code = 1
    with contextlib.suppress(Exception):
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(
        code
    )  # kernels killed and temporary folders removed above; skip waiting on zmq's lingering sockets


def _serve(conn: Any) -> None:
    session = KernelSession()
    with contextlib.suppress(Exception):  # a kernel that cannot start: the first report says why
        session.start(wait=False)
    with (
        contextlib.suppress(
            Exception
        ),  # likewise: the first report meets the problem and reports it
        frozen_after_imports(),
    ):
        _warm_up_exporter()
    try:
        session.wait_ready()
    except Exception:
        session.discard()
    conn.send(("ready",))
    forbidden = None
    while True:
        message = conn.recv()
        if message is None:
            session.discard()
            return
        kind, payload = message
        if kind == "forbidden":
            forbidden = payload
            continue
        if (
            kind == "prefetch"
        ):  # best effort: a failure costs the programme report its head start only
            try:
                session.prefetch(payload)
            except Exception:
                session.discard()
            conn.send(("prefetched", None))
            continue
        task, out_dir, options = payload
        try:
            result = runner.run_task(
                task,
                out_dir,
                forbidden=forbidden if options["comex"] else None,
                cell_timeout=options["cell_timeout"],
                timeout=options["timeout"],
                pdf=options["pdf"],
                session=session,
            )
        except ReportError as exc:
            conn.send(("failed", task.key, str(exc)))
        except Exception as exc:  # anything else fails this report only, in one line
            session.discard()
            conn.send(("failed", task.key, f"{task.notebook}: {type(exc).__name__}: {exc}"))
        else:
            conn.send(("done", task.key, result))


class _Worker:
    """The parent's view of one worker process."""

    def __init__(self, process: subprocess.Popen, conn: Any) -> None:
        self.process = process
        self.conn = conn
        self.ready = False
        self.has_forbidden = False
        self.task: runner.ReportTask | None = None
        self.gone = False
        self.prefetching = False  # fitting the programme report's effects ahead of it
        self.prefetched = False


class ReportPool:
    """Worker processes that run reports, each in one kernel kept warm (see the module's description).

    Start workers early with :meth:`start` (they warm up in the background),
    run a batch with :meth:`run` (as many batches as needed), and always
    :meth:`close` (or use the pool as a context manager). POSIX only.

    Parameters
    ----------
    workers : int, optional
        Workers to start at once (default: none until :meth:`start` or :meth:`run`).
    """

    def __init__(self, workers: int = 0) -> None:
        self._workers: list[_Worker] = []
        if workers:
            self.start(workers)

    def __enter__(self) -> ReportPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def size(self) -> int:
        """Workers running."""
        return len(self._live())

    @property
    def pids(self) -> list[int]:
        """Process ids of the workers running."""
        return [w.process.pid for w in self._live()]

    def _live(self) -> list[_Worker]:
        return [w for w in self._workers if not w.gone]

    def start(self, workers: int) -> None:
        """Start workers until ``workers`` are running; they start their kernel and warm up in the background.

        Parameters
        ----------
        workers : int
            Workers wanted.
        """
        while self.size < workers:
            self._workers.append(self._spawn())

    def _spawn(self) -> _Worker:
        from multiprocessing.connection import Connection

        ours, theirs = socket.socketpair()
        blocked = hasattr(signal, "pthread_sigmask")
        if (
            blocked
        ):  # the worker unblocks them once its handlers are in place: no traceback on Ctrl-C
            previous = signal.pthread_sigmask(signal.SIG_BLOCK, _INTERRUPTS)
        try:
            process = subprocess.Popen(
                [sys.executable, "-c", _WORKER_CODE, str(theirs.fileno()), str(os.getpid())],
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
            )
        finally:
            if blocked:
                signal.pthread_sigmask(signal.SIG_SETMASK, previous)
            theirs.close()
        return _Worker(process, Connection(ours.detach()))

    def run(
        self,
        tasks: list[runner.ReportTask],
        out_dir: str | os.PathLike,
        *,
        workers: int,
        cell_timeout: int | None = 600,
        timeout: int | None = None,
        forbidden: runner.Identifiers | set[str] | None = None,
        pdf: bool = False,
        progress: Callable[[str], None] | None = None,
        prefetch: bool = False,
    ) -> tuple[dict, dict]:
        """Run the reports on ``workers`` workers (started if needed), going on past failures.

        Parameters
        ----------
        tasks : list of ReportTask
            The reports; the programme report starts first.
        out_dir : path
            Output folder.
        workers : int
            Workers to use.
        cell_timeout, timeout, forbidden, pdf, progress
            As in :func:`~advocacy_eval.publish.runner.run_reports`.
        prefetch : bool
            Once no report is waiting, let idle workers fit the running
            programme report's effects ahead of it (:meth:`_prefetch`; off by
            default, see the module's description).

        Returns
        -------
        done, failed : dict
            As in :func:`~advocacy_eval.publish.runner.run_reports`, in the order of ``tasks``.

        Raises
        ------
        ReportInterrupted
            On SIGINT, SIGTERM or SIGHUP: every worker is stopped (kernels killed,
            temporary folders removed); finished reports stay.
        """
        if forbidden is not None and not isinstance(forbidden, runner.Identifiers):
            forbidden = runner.Identifiers(forbidden)
        options = {
            "cell_timeout": cell_timeout,
            "timeout": timeout,
            "pdf": pdf,
            "comex": forbidden is not None,
        }
        pending = deque(sorted(tasks, key=lambda t: t.notebook != runner.PROGRAMME_NOTEBOOK))
        done: dict[str, runner.ReportResult] = {}
        failed: dict[str, str] = {}
        respawns = len(tasks)
        say = progress or (lambda line: None)

        def finish(
            worker: _Worker, key: str, message: str | None = None, result: Any = None
        ) -> None:
            worker.task = None
            if result is not None:
                done[key] = result
                say(f"[{key}] wrote {result.html} ({result.seconds:.1f} s)")
            else:
                failed[key] = message or "failed"
                say(f"[{key}] FAILED: {failed[key]}")

        with runner.interruptible():
            try:
                self.start(workers)
                while pending or any(w.task for w in self._live()):
                    for worker in self._live()[:workers]:
                        if (
                            pending
                            and worker.ready
                            and worker.task is None
                            and not worker.prefetching
                        ):
                            task = pending.popleft()
                            try:
                                if forbidden is not None and not worker.has_forbidden:
                                    worker.conn.send(("forbidden", forbidden))
                                    worker.has_forbidden = True
                                worker.conn.send(("task", (task, str(out_dir), options)))
                            except OSError:  # it just died: the report goes to another worker
                                pending.appendleft(task)
                                self._lost(worker, finish)
                                continue
                            worker.task = task
                            say(f"[{task.key}] running")
                    if prefetch and not pending:
                        self._prefetch(workers)
                    if pending and self.size < workers and respawns > 0:
                        respawns -= 1
                        self.start(workers)
                    live = self._live()
                    if not live:
                        for task in pending:
                            failed[task.key] = f"{task.notebook}: no report worker could be started"
                            say(f"[{task.key}] FAILED: {failed[task.key]}")
                        break
                    connections = {w.conn: w for w in live}
                    for conn in _wait(list(connections), timeout=1.0):
                        self._handle(connections[conn], finish)
                    for worker in self._live():
                        if worker.process.poll() is not None and not worker.conn.poll():
                            self._lost(
                                worker, finish
                            )  # ended without a word (its pipe may still be open)
            except KeyboardInterrupt:
                with runner._signals_deferred():
                    self.terminate()
                raise
        order = [t.key for t in tasks]
        return (
            {k: done[k] for k in order if k in done},
            {k: failed[k] for k in order if k in failed},
        )

    def _prefetch(self, workers: int) -> None:
        """Give idle workers the programme report's effects to fit ahead of it, while it runs.

        The programme report is the longest of a batch; once no report is
        waiting, a worker that would sit idle fits its effects from the last
        backwards (:meth:`KernelSession.prefetch`), once per worker and batch.
        """
        running = [
            w.task
            for w in self._live()
            if w.task is not None and w.task.notebook == runner.PROGRAMME_NOTEBOOK
        ]
        if not running:
            return
        for worker in self._live()[:workers]:
            if worker.ready and worker.task is None and not worker.prefetching:
                if worker.prefetched:
                    continue
                try:
                    worker.conn.send(("prefetch", dict(running[0].parameters)))
                except OSError:
                    continue
                worker.prefetching = worker.prefetched = True

    def _handle(self, worker: _Worker, finish: Callable[..., None]) -> None:
        """Read and act on one message of a worker (its end, if the connection is closed)."""
        try:
            message = worker.conn.recv()
        except (EOFError, OSError):
            self._lost(worker, finish)
            return
        if message[0] == "ready":
            worker.ready = True
        elif message[0] == "done":
            finish(worker, message[1], result=message[2])
        elif message[0] == "failed":
            finish(worker, message[1], message=message[2])
        elif message[0] == "prefetched":
            worker.prefetching = False
        elif message[0] == "interrupted":
            self._lost(worker, finish)
            raise runner.ReportInterrupted("a report worker was interrupted")

    def _lost(self, worker: _Worker, finish: Callable[..., None]) -> None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            worker.process.wait(5)
        worker.gone = True
        with contextlib.suppress(OSError):
            worker.conn.close()
        if worker.task is not None:
            task = worker.task
            finish(
                worker,
                task.key,
                message=f"{task.notebook}: the report worker stopped unexpectedly "
                f"(exit code {worker.process.returncode}; out of memory, or killed)",
            )

    def terminate(self) -> None:
        """Stop every worker now: SIGTERM (each kills its kernel and removes its temporary folder), then SIGKILL."""
        live = self._live()
        for worker in live:
            with contextlib.suppress(OSError):
                worker.process.terminate()
        self._reap(live, STOP_TIMEOUT)

    def close(self) -> None:
        """Stop every worker: an idle one when asked, one still warming up at once (SIGTERM); kernels killed."""
        live = self._live()
        for worker in live:
            if worker.ready and worker.task is None and not worker.prefetching:
                with contextlib.suppress(OSError, ValueError):
                    worker.conn.send(None)
            else:
                with contextlib.suppress(OSError):
                    worker.process.terminate()
        self._reap(live, STOP_TIMEOUT)

    def _reap(self, workers: list[_Worker], seconds: float) -> None:
        deadline = time.monotonic() + seconds
        for worker in workers:
            with contextlib.suppress(subprocess.TimeoutExpired):
                worker.process.wait(max(0.0, deadline - time.monotonic()))
        for worker in workers:
            if worker.process.poll() is None:  # its kernel dies with it (PR_SET_PDEATHSIG)
                with contextlib.suppress(OSError):
                    worker.process.kill()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    worker.process.wait(5)
            worker.gone = True
            with contextlib.suppress(OSError):
                worker.conn.close()
