"""Execute the report notebooks with papermill and export COMEX HTML (and PDF).

A run executes the notebook into a private temporary folder inside the output
folder, exports standalone HTML (images embedded, no code, no parameter cells,
no warnings), and only then moves the results into place with
:func:`os.replace`: a failed or interrupted run never touches the previous
report. The failed notebook is kept in ``<out>/_failed/`` for debugging.

Safety properties of a published report (``docs/privacy-and-provenance.md``):

- **No active content.** The HTML is exported with a template that loads no
  script at all (no require.js, MathJax, mermaid or widget manager), carries a
  strict Content-Security-Policy (:data:`CONTENT_SECURITY_POLICY`), and is
  checked by :func:`active_content` before it is published: a ``<script>``,
  an event-handler attribute, an embedded frame or object, or a link or
  resource pointing outside the page gets the report refused.
- **Calls nobody.** No ``http(s)`` reference in any ``src``, ``href``,
  ``@import`` or ``url()``: images are ``data:`` URIs, styles are inline.
- **No full paths.** The executed notebook (and its ``_failed`` copy) holds
  the data folder and other file parameters by name only
  (:func:`scrub_paths`).
- **Clean interruption.** SIGINT, SIGTERM and SIGHUP raise
  :class:`ReportInterrupted` (a :class:`KeyboardInterrupt`): the kernel's
  process group is killed and the temporary folder removed. On Linux the
  kernel also dies with the runner if the runner itself is killed
  (``PR_SET_PDEATHSIG``), and a later run removes the temporary folder that a
  killed run left behind.
- **One clear error.** A full disk, a cell timeout, a dead kernel or a total
  timeout give one :class:`~advocacy_eval.errors.ReportError` message; the
  kernel's own log goes to a file, not to the terminal.

The kernel is always the current interpreter (a temporary kernelspec pointing
at :data:`sys.executable`), never whatever ``python3`` kernelspec happens to be
installed.

Batches (:func:`run_reports`, :func:`run_all_waves`): with ``jobs=1`` the
reports run one after the other in this process, each in a fresh kernel;
with ``jobs > 1`` they run at once in worker processes that each keep one
kernel warm between reports (:mod:`advocacy_eval.publish.parallel`), every
report still going through :func:`run_notebook`. The leak guard's
identifiers are computed once per run (:func:`identifiers`, a compact
:class:`Identifiers` set searched with vectorised look-ups) and passed to
every report.
"""

from __future__ import annotations

import collections.abc
import contextlib
import errno
import functools
import importlib.util
import json
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ReportError
from ..memory import release_memory  # noqa: F401  (re-exported: the command line calls it)
from ..paths import NOTEBOOKS_ENV, notebooks_dir, resolve_data_dir, source_checkout

if (
    TYPE_CHECKING
):  # imported where used: a batch's parent process never loads nbformat, IPython or papermill
    import nbformat
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    from .parallel import KernelSession, ReportPool

__all__ = [
    "CHROMIUM_FLAGS",
    "CONTENT_SECURITY_POLICY",
    "HIDDEN_TAGS",
    "KERNEL_NAME",
    "PRINT_FLAGS",
    "PROGRAMME_NOTEBOOK",
    "REPORT_CSS",
    "SANDBOX_SETTING",
    "Identifiers",
    "ReportInterrupted",
    "ReportResult",
    "ReportTask",
    "active_content",
    "check_vocabulary",
    "chromium_flags",
    "chromium_sandbox_available",
    "comex_identifiers",
    "current_kernel",
    "execute_notebook",
    "find_chromium",
    "html_to_pdf",
    "identifiers",
    "interruptible",
    "is_identifier_column",
    "kill_kernels",
    "leaks",
    "pd_is_string",
    "pdf_page_count",
    "print_footer_css",
    "programme_task",
    "refresh_notebooks",
    "report_title",
    "run_all_waves",
    "run_notebook",
    "run_programme_report",
    "run_reports",
    "run_task",
    "run_wave_report",
    "scrub_paths",
    "to_html",
    "total_timeout",
    "visible_text",
    "wave_task",
]


KERNEL_NAME = "advocacy-eval-current-python"
"""Name of the temporary kernelspec that runs the current interpreter."""

HIDDEN_TAGS: tuple[str, ...] = ("parameters", "injected-parameters", "remove-cell")
"""Cells with these tags are left out of the COMEX HTML export."""

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'none'; "
    "object-src 'none'; base-uri 'none'; form-action 'none'"
)
"""Content-Security-Policy of every exported report: no script, nothing loaded but inline styles and data: images."""

REPORT_CSS = """
<style>
  :root {
    --advocacy-blue: #0173b2;
    --verdict-supported: #005a8c; --verdict-supported-bg: #e1eef7;
    --verdict-contradicted: #a33a00; --verdict-contradicted-bg: #fbe6da;
    --verdict-inconclusive: #5f4b00; --verdict-inconclusive-bg: #f8efcc;
  }
  html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
  body { font-family: "DejaVu Sans", "Segoe UI", Arial, sans-serif; color: #1a1a1a; margin: 0;
         overflow-wrap: break-word; line-height: 1.45; }
  body > main { max-width: 1100px; margin: 0 auto; padding: 0 16px 24px 16px; box-sizing: border-box; }
  .jp-Cell { padding: 0 !important; }
  .jp-OutputArea-output { overflow: visible; }
  .jp-RenderedHTMLCommon { padding-right: 0 !important; }
  .jp-RenderedHTMLCommon h1 { font-size: 1.55em; margin: 0.35em 0 0.15em 0; line-height: 1.2; }
  .jp-RenderedHTMLCommon h2 { font-size: 1.25em; margin: 0.9em 0 0.4em 0; border-bottom: 2px solid var(--advocacy-blue);
                              padding-bottom: 0.15em; }
  .jp-RenderedHTMLCommon p { margin-bottom: 0.6em; }
  code { white-space: normal; overflow-wrap: anywhere; }
  .advocacy-table-wrap { overflow-x: auto; max-width: 100%; margin: 0.4em 0 0.8em 0; }
  .advocacy-table-wrap:focus { outline: 2px solid var(--advocacy-blue); }
  .jp-RenderedHTMLCommon table.advocacy-table { border-collapse: separate; border-spacing: 0; margin: 0;
                                                font-size: 0.92em; table-layout: auto; }
  .jp-RenderedHTMLCommon table.advocacy-table th { background: #eef4fa; text-align: left !important; padding: 4px 8px;
                                                   vertical-align: bottom; font-weight: 700; }
  .jp-RenderedHTMLCommon table.advocacy-table td { border-top: 1px solid #d0d7de; padding: 4px 8px; vertical-align: top;
                                                   text-align: left !important; background: #fff; }
  .jp-RenderedHTMLCommon table.advocacy-table tr > :first-child { position: sticky; left: 0; z-index: 1;
                                                                  box-shadow: inset -1px 0 0 #d0d7de; min-width: 14em; }
  .jp-RenderedHTMLCommon table.advocacy-table td.verdict-cell { font-weight: 700; white-space: nowrap; }
  td.verdict-supported { color: var(--verdict-supported) !important; background: var(--verdict-supported-bg) !important; }
  td.verdict-contradicted { color: var(--verdict-contradicted) !important; background: var(--verdict-contradicted-bg) !important; }
  td.verdict-inconclusive { color: var(--verdict-inconclusive) !important; background: var(--verdict-inconclusive-bg) !important; }
  .verdict-symbol { font-weight: 700; }
  span.verdict-supported, .verdict-item.verdict-supported .verdict-symbol { color: var(--verdict-supported); }
  span.verdict-contradicted, .verdict-item.verdict-contradicted .verdict-symbol { color: var(--verdict-contradicted); }
  span.verdict-inconclusive, .verdict-item.verdict-inconclusive .verdict-symbol { color: var(--verdict-inconclusive); }
  .advocacy-box { border: 1px solid #b9c8d6; border-left: 6px solid var(--advocacy-blue); background: #f6f9fc;
                  padding: 0.4em 0.9em 0.3em 0.9em; margin: 0.2em 0 0.4em 0; font-size: 0.95em; line-height: 1.38; }
  .jp-RenderedHTMLCommon .advocacy-box h3.advocacy-box-title { margin: 0.1em 0 0.15em 0; font-size: 1.1em; font-weight: 700; }
  .advocacy-box p { margin: 0.2em 0; }
  .jp-RenderedHTMLCommon ul.advocacy-verdicts { list-style: none; padding: 0; margin: 0.3em 0; }
  .jp-RenderedHTMLCommon ul.advocacy-verdicts li.verdict-item { margin: 0.2em 0; padding: 0; }
  .verdict-badge { display: inline-block; min-width: 8.2em; padding: 0 0.3em; margin-right: 0.25em; border: 1px solid;
                   border-radius: 3px; font-weight: 700; font-size: 0.9em; line-height: 1.3; white-space: nowrap; }
  .verdict-item.verdict-supported .verdict-badge { color: var(--verdict-supported); background: var(--verdict-supported-bg); border-style: solid; }
  .verdict-item.verdict-contradicted .verdict-badge { color: var(--verdict-contradicted); background: var(--verdict-contradicted-bg); border-style: double; border-width: 3px; }
  .verdict-item.verdict-inconclusive .verdict-badge { color: var(--verdict-inconclusive); background: var(--verdict-inconclusive-bg); border-style: dashed; }
  .verdict-statement { font-weight: 600; }
  .verdict-claimed, .verdict-settle { color: #333; }
  .verdict-claimed { font-size: 0.92em; }
  .verdict-settle { font-style: italic; }
  .advocacy-box-note { font-size: 0.85em; color: #4a4a4a; }
  figure.advocacy-figure { margin: 0.6em 0 1.1em 0; max-width: 760px; }
  figure.advocacy-figure img { display: block; width: 100%; height: auto; }
  .jp-RenderedHTMLCommon .advocacy-figure-title { font-weight: 700; margin: 0 0 0.3em 0; }
  figure.advocacy-figure figcaption { font-size: 0.9em; color: #333; margin-top: 0.3em; }
  img { max-width: 100%; height: auto; }
  @media (max-width: 640px) {
    body { font-size: 15px; }
    body > main { padding: 0 10px 16px 10px; }
    .jp-RenderedHTMLCommon h1 { font-size: 1.35em; }
    .jp-RenderedHTMLCommon h2 { font-size: 1.12em; }
    .jp-RenderedHTMLCommon table.advocacy-table { font-size: 0.84em; }
    .jp-RenderedHTMLCommon table.advocacy-table td, .jp-RenderedHTMLCommon table.advocacy-table th { min-width: 6.5em; }
    .jp-RenderedHTMLCommon table.advocacy-table tr > :first-child { min-width: 8.5em; max-width: 44vw; }
    .jp-RenderedHTMLCommon table.advocacy-table td.verdict-cell { white-space: normal; }
    .verdict-badge { min-width: 0; }
  }
  @page { size: A4; margin: 11mm 12mm 15mm 12mm; }
  @media print {
    :root { --jp-content-font-size1: 8.8pt; --jp-ui-font-size1: 8.3pt; --jp-content-line-height: 1.33;
            --jp-content-font-size5: 15pt; --jp-content-font-size4: 12pt; --jp-content-font-size3: 10.5pt; }
    body { font-size: 8.8pt; line-height: 1.33; }
    body > main { max-width: none; padding: 0; }
    .jp-RenderedHTMLCommon h1 { font-size: 1.5em; margin-top: 0; }
    .jp-RenderedHTMLCommon h2 { font-size: 1.2em; margin-top: 0.9em; }
    .advocacy-table-wrap { overflow: visible; }
    .jp-RenderedHTMLCommon table.advocacy-table { font-size: 7.8pt; }
    .jp-RenderedHTMLCommon table.advocacy-table td, .jp-RenderedHTMLCommon table.advocacy-table th { padding: 2.5px 5px; }
    .advocacy-box { font-size: 8.4pt; line-height: 1.3; padding: 0.3em 0.8em 0.2em 0.8em; }
    .advocacy-box-note { font-size: 7.4pt; }
    .jp-RenderedHTMLCommon p { margin-bottom: 0.6em; }
    .jp-RenderedHTMLCommon table.advocacy-table tr > :first-child { position: static; width: 32%; }
    table, figure, img, .advocacy-table-wrap, .advocacy-box li, .jp-Cell, .jp-OutputArea-output {
      break-inside: avoid; page-break-inside: avoid; }
    h1, h2, h3, .advocacy-figure-title, .celltag_keep-with-next { break-after: avoid; page-break-after: avoid; }
    figcaption { break-before: avoid; }
    .celltag_page-break-before { break-before: page; page-break-before: always; }
    figure.advocacy-figure { max-width: 150mm; }
  }
</style>
"""
"""Styling of COMEX reports, for every screen and for A4 print.

Screen: readable tables in their own scrolling box with the first column
fixed (no page-wide horizontal scrolling on a phone), figures that scale,
verdicts in colour-blind-safe colours (blue, vermillion, dark yellow) that
also differ by symbol and border style, so they read in black and white.
Print: A4, headings and figure titles kept with what follows, captions with
their figure, no table, figure or list item split across pages, a page break
wherever a cell is tagged ``page-break-before``; the running footer comes
from :func:`print_footer_css`."""

_TEMPLATE_NAME = "advocacy_comex.html.j2"
_TEMPLATE = """{%- extends 'index.html.j2' -%}
{#- nbconvert's lab template, minus every script: require.js, MathJax, mermaid, widgets -#}
{%- block html_head -%}
<meta http-equiv="Content-Security-Policy" content="{{ resources.advocacy_csp }}">
{{ super() }}
{%- endblock html_head -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block html_head_css -%}{{ resources.advocacy_css }}{%- endblock html_head_css -%}
{%- block footer_js -%}{%- endblock footer_js -%}
"""
"""Export template: nbconvert's ``lab`` template without any script, with the CSP and :data:`REPORT_CSS`."""


class ReportInterrupted(KeyboardInterrupt):
    """A report run was interrupted (Ctrl-C, SIGTERM or SIGHUP); its kernel and temporary folder are gone."""


@dataclass(frozen=True)
class ReportResult:
    """Files written by one successful report run.

    Attributes
    ----------
    html, notebook : Path
        The standalone HTML report and the executed notebook.
    seconds : float
        Wall time of the run.
    run_json : Path or None
        Provenance sidecar.
    pdf : Path or None
        PDF print, when asked for.
    scorecard : Path or None
        ``<stem>.scorecard.csv``: the claims, estimates, intervals and verdicts (language-free).
    """

    html: Path
    notebook: Path
    seconds: float
    run_json: Path | None = None
    pdf: Path | None = None
    scorecard: Path | None = None


# ----------------------------------------------------------------------------- signals


_INTERRUPT_SIGNALS: tuple[signal.Signals, ...] = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def interruptible() -> Iterator[None]:
    """Turn SIGINT, SIGTERM and SIGHUP into :class:`ReportInterrupted` for the duration of a block.

    Before raising, the handler kills every kernel this process started
    (:func:`kill_kernels`), so that the ``finally`` blocks that follow do not
    wait for a graceful kernel shutdown. Outside the main thread (where
    handlers cannot be installed) this does nothing.

    Yields
    ------
    None
    """
    if not _in_main_thread():
        yield
        return

    def _raise(signum: int, frame: object) -> None:
        kill_kernels()
        raise ReportInterrupted(f"interrupted by {signal.Signals(signum).name}")

    previous = {sig: signal.signal(sig, _raise) for sig in _INTERRUPT_SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """Let clean-up finish: interruption signals received in the block are raised as one interruption after it."""
    if not _in_main_thread():
        yield
        return
    received: list[int] = []
    previous = {
        sig: signal.signal(sig, lambda signum, frame: received.append(signum))
        for sig in _INTERRUPT_SIGNALS
    }
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if received:
        raise ReportInterrupted(f"interrupted by {signal.Signals(received[0]).name}")


# ----------------------------------------------------------------------------- kernel


_KERNEL_GUARD = r"""
import os, sys
registry, log_path = sys.argv[1], sys.argv[2]
parent = int(os.environ.get("JPY_PARENT_PID") or 0)
if sys.platform.startswith("linux"):
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, 9)  # PR_SET_PDEATHSIG, SIGKILL: die with the runner
    except Exception:
        pass
if parent and os.getppid() != parent:
    sys.exit(1)  # the runner is already gone
with open(os.path.join(registry, "%d.pid" % os.getpid()), "w") as f:
    f.write(str(parent))
fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
os.dup2(fd, 1)
os.dup2(fd, 2)
os.close(fd)
os.execv(sys.executable, [sys.executable, "-m", "ipykernel_launcher", *sys.argv[3:]])
"""
"""Kernel launcher (POSIX): records the kernel's pid, sends its log to a file, ties its life to the runner's."""

_KERNEL_REGISTRIES: set[Path] = set()
"""Folders where the kernels started by :func:`current_kernel` record their pid (one per active kernelspec)."""


@contextlib.contextmanager
def current_kernel() -> Iterator[str]:
    """Provide a kernelspec that runs this interpreter, for the duration of a run.

    On POSIX the kernel is started through a small launcher that records its
    process id, writes the kernel's own log (``[IPKernelApp] ERROR ...``) to
    a file instead of the terminal, and, on Linux, asks the system to kill the
    kernel if the runner dies. Every kernel still alive when the block ends
    (after an interruption, say) is killed with its process group.

    Yields
    ------
    str
        The kernel name to give papermill.
    """
    with tempfile.TemporaryDirectory(prefix="advocacy-eval-kernel-") as tmp:
        spec_dir = Path(tmp) / "kernels" / KERNEL_NAME
        spec_dir.mkdir(parents=True)
        registry = Path(tmp) / "running"
        registry.mkdir()
        tail = ["-f", "{connection_file}", "--IPKernelApp.log_level=ERROR"]
        if os.name == "posix":
            argv = [
                sys.executable,
                "-c",
                _KERNEL_GUARD,
                str(registry),
                str(Path(tmp) / "kernel.log"),
                *tail,
            ]
        else:
            argv = [sys.executable, "-m", "ipykernel_launcher", *tail]
        spec = {
            "argv": argv,
            "display_name": f"Python {sys.version_info.major}.{sys.version_info.minor} (advocacy-eval)",
            "language": "python",
            "metadata": {"debugger": False},
        }
        (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
        old = os.environ.get("JUPYTER_PATH")
        os.environ["JUPYTER_PATH"] = tmp + (os.pathsep + old if old else "")
        _KERNEL_REGISTRIES.add(registry)
        try:
            yield KERNEL_NAME
        finally:
            with _signals_deferred():
                _kill_registered(registry)
                _KERNEL_REGISTRIES.discard(registry)
                if old is None:
                    os.environ.pop("JUPYTER_PATH", None)
                else:
                    os.environ["JUPYTER_PATH"] = old


def kill_kernels() -> list[int]:
    """Kill (SIGKILL, whole process group) every kernel that :func:`current_kernel` started and is still running.

    Only processes that are still this process's children are signalled, so a
    recycled process id is never touched.

    Returns
    -------
    list of int
        Process ids of the kernels killed.
    """
    killed: list[int] = []
    for registry in list(_KERNEL_REGISTRIES):
        killed += _kill_registered(registry)
    return killed


def _kill_registered(registry: Path) -> list[int]:
    killed = []
    for pid_file in sorted(registry.glob("*.pid")):
        try:
            pid = int(pid_file.stem)
        except ValueError:
            continue
        if _kill_child_group(pid):
            killed.append(pid)
        with contextlib.suppress(OSError):
            pid_file.unlink()
    return killed


def _kill_child_group(pid: int) -> bool:
    """Kill the process group led by ``pid`` if ``pid`` is (still) this process's unreaped child; reap it."""
    if os.name != "posix":
        return False
    try:
        if hasattr(
            os, "waitid"
        ):  # look without reaping: an unreaped child keeps its pid and group id reserved
            os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        elif os.getpgid(pid) != pid:
            return False
    except (ChildProcessError, ProcessLookupError):
        return False  # not our child, or already reaped by jupyter_client: nothing to do
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            break
        if done:
            break
        time.sleep(0.02)
    return True


@contextlib.contextmanager
def _quiet_papermill() -> Iterator[None]:
    """Keep papermill's and nbclient's log lines (``Timeout waiting for execute reply``...) off the terminal."""
    logger = logging.getLogger("papermill")
    saved = (logger.handlers[:], logger.propagate)
    logger.handlers, logger.propagate = [logging.NullHandler()], False
    try:
        yield
    finally:
        logger.handlers, logger.propagate = saved


# ----------------------------------------------------------------------------- HTML


def _css_string(text: str) -> str:
    """A CSS string literal showing ``text``: every ASCII character but letters, digits and spaces escaped.

    Line breaks and runs of white space become one space (a trailing space is kept).
    """
    out = []
    for ch in re.sub(r"\s+", " ", text):
        if ch.isascii() and not (ch.isalnum() or ch == " "):
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def print_footer_css(title: str, date: str, lang: str) -> str:
    """The running footer of the printed report: title, date, confidentiality, and page X / Y.

    Page margin boxes of the CSS ``@page`` rule (printed by Chromium, and by
    any browser that supports them), in the report's language and
    typography: ``Programme — Wave 2 · 30 Nov 2026 · Confidential — internal
    use`` on the left, ``page 3 / 12`` on the right.

    Parameters
    ----------
    title : str
        The report's title (its first heading).
    date : str
        The report's date, formatted (empty: none).
    lang : str
        Report language.

    Returns
    -------
    str
        A ``<style>`` element.
    """
    from ..reports.i18n import t
    from ..reports.typography import typeset

    left = typeset(" · ".join(x for x in (title, date, t("footer_confidential", lang)) if x), lang)
    page = typeset(t("footer_page", lang), lang)
    box = 'font-family: "DejaVu Sans", Arial, sans-serif; font-size: 7.5pt; color: #555;'
    return (
        "<style>\n  @page {\n"
        f"    @bottom-left {{ content: {_css_string(left)}; {box} vertical-align: top; }}\n"
        f'    @bottom-right {{ content: {_css_string(page + " ")} counter(page) " / " counter(pages); {box} '
        "vertical-align: top; white-space: nowrap; }\n  }\n</style>\n"
    )


_H1 = re.compile(r"<h1\b[^>]*>(.*?)</h1>", re.IGNORECASE | re.DOTALL)
_HTML_TAG = re.compile(r"<html\b[^>]*>", re.IGNORECASE)
_TITLE = re.compile(r"<title>.*?</title>", re.IGNORECASE | re.DOTALL)


def report_title(html: str, default: str = "") -> str:
    """The report's title: the text of its first heading (``default`` when it has none)."""
    import html as _html

    found = _H1.search(html)
    if not found:
        return default
    text = _html.unescape(re.sub(r"<[^>]+>", "", found.group(1)))
    return " ".join(text.split()) or default


def _report_date(notebook: nbformat.NotebookNode, lang: str) -> str:
    """The report's date in ``lang`` (its provenance record's generation date), or ``""``."""
    from ..reports.i18n import fmt_date
    from ..reports.provenance import find_record

    record = find_record(notebook)
    when = (record or {}).get("generated_at")
    return fmt_date(when[:10], lang) if isinstance(when, str) and len(when) >= 10 else ""


def to_html(notebook: nbformat.NotebookNode, title: str, lang: str = "en") -> str:
    """Render an executed notebook as standalone COMEX HTML in the report's language.

    Code, prompts, parameter cells and stderr output (warnings) are left out;
    images are embedded as base64. The page loads nothing and runs nothing:
    no script element (nbconvert's require.js, MathJax, mermaid and widget
    loaders are left out of the template), a strict
    :data:`CONTENT_SECURITY_POLICY` in a ``<meta http-equiv>``, styles inline
    (their comments, which cite web pages, removed), and no link (nbconvert's
    hidden heading permalinks are removed; headings keep their ``id``).

    The page declares its language (``<html lang>``), is titled with the
    report's first heading (the PDF's title), carries the print stylesheet
    with its running footer (:data:`REPORT_CSS`, :func:`print_footer_css`),
    and every text a reader sees is typeset in its language
    (:func:`advocacy_eval.reports.typography.typeset_html`).

    Parameters
    ----------
    notebook : nbformat.NotebookNode
        Executed notebook.
    title : str
        HTML page title when the report has no heading.
    lang : str
        The report's language (``en`` or ``fr``).

    Returns
    -------
    str
        The HTML document.
    """
    import html as _html

    import nbformat

    from ..reports.provenance import SCORECARD_MIME_TYPE
    from ..reports.typography import typeset, typeset_html

    lang = lang if lang in ("en", "fr") else "en"

    nb = nbformat.from_dict(json.loads(json.dumps(notebook)))
    for cell in nb.cells:
        if cell.get("cell_type") == "code":
            cell["outputs"] = [
                o
                for o in cell.get("outputs", [])
                if not (o.get("output_type") == "stream" and o.get("name") == "stderr")
                and SCORECARD_MIME_TYPE not in o.get("data", {})
            ]  # machine-readable only
    resources = {
        "metadata": {"name": title},
        "advocacy_csp": CONTENT_SECURITY_POLICY,
        "advocacy_css": REPORT_CSS,
    }
    body, _ = _html_exporter().from_notebook_node(nb, resources=resources)
    body = _ANCHOR_LINK.sub("", body)  # hidden heading permalinks: the report has no link at all
    body = _STYLE_BLOCK.sub(
        lambda m: m.group(1) + _CSS_COMMENT.sub("", m.group(2)) + m.group(3), body
    )
    heading = report_title(body, title)
    body = _HTML_TAG.sub(f'<html lang="{lang}">', body, count=1)
    body = _TITLE.sub(
        lambda _m: f"<title>{_html.escape(typeset(heading, lang), quote=False)}</title>",
        body,
        count=1,
    )
    footer = print_footer_css(heading, _report_date(nb, lang), lang)
    body = body.replace("</head>", footer + "</head>", 1)
    return typeset_html(body, lang)


@functools.lru_cache(maxsize=1)
def _html_exporter():
    """The HTML exporter of :func:`to_html`, built once per process (its template is compiled once).

    It holds no state from one notebook to the next: the notebook's filters and
    resources are set up by every conversion.
    """
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    exporter = HTMLExporter(
        template_name="lab",
        template_file=_TEMPLATE_NAME,
        extra_loaders=[DictLoader({_TEMPLATE_NAME: _TEMPLATE})],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        anchor_link_text="",
        mathjax_url="",
        require_js_url="",
    )
    remover = TagRemovePreprocessor(remove_cell_tags=set(HIDDEN_TAGS), enabled=True)
    exporter.register_preprocessor(remover, enabled=True)
    return exporter


_ANCHOR_LINK = re.compile(r'<a class="anchor-link" href="#[^"]*">[^<]*</a>')
_STYLE_BLOCK = re.compile(r"(<style\b[^>]*>)(.*?)(</style>)", re.IGNORECASE | re.DOTALL)
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)


_URL_ATTRIBUTES: frozenset[str] = frozenset(
    {
        "href",
        "src",
        "srcset",
        "action",
        "formaction",
        "xlink:href",
        "poster",
        "data",
        "background",
        "cite",
        "ping",
        "longdesc",
        "manifest",
        "codebase",
        "archive",
        "lowsrc",
        "dynsrc",
        "icon",
        "imagesrcset",
    }
)
"""Attributes whose value the browser may load or follow."""

_ACTIVE_TAGS: frozenset[str] = frozenset(
    {
        "script",
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "applet",
        "base",
        "form",
        "link",
        "portal",
        "audio",
        "video",
        "source",
        "track",
    }
)
"""Elements a COMEX report never contains: they run code, load something, or send something."""

_CSS_URL = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)""", re.IGNORECASE | re.DOTALL)
_CSS_IMPORT = re.compile(r"@import\b", re.IGNORECASE)
_CSS_EXPRESSION = re.compile(
    r"(?<![\w-])(?:expression\s*\(|behavior\s*:|-moz-binding)", re.IGNORECASE
)


def _normalised_url(value: str) -> str:
    """A URL as a browser reads its scheme: no white space or control characters, lower case."""
    return re.sub(r"[\x00-\x20\x7f]+", "", value).lower()


def _css_problems(css: str, where: str) -> list[str]:
    found = [f"@import in {where}" for _ in _CSS_IMPORT.findall(css)][:1]
    found += [f"CSS expression or binding in {where}" for _ in _CSS_EXPRESSION.findall(css)][:1]
    for _, target in _CSS_URL.findall(css):
        url = _normalised_url(target)
        if not (url.startswith(("data:", "#"))):
            found.append(f"url({target.strip()[:60]}) in {where}")
    return found


def active_content(html: str) -> list[str]:
    """What in an HTML report could run code, load something or lead outside the page.

    A COMEX report is text, tables and ``data:`` images. Anything else is
    listed: ``<script>`` (of any type), frames, objects, forms, ``<link>``,
    ``<base>``, media, a ``<meta http-equiv>`` other than the
    Content-Security-Policy and the content type, event-handler attributes
    (``onerror=``...), ``href`` values other than in-page anchors (``#...``),
    ``src`` values other than ``data:`` images, ``@import``, CSS expressions,
    and ``url()`` other than ``data:`` or ``#...``.

    Parameters
    ----------
    html : str
        The HTML document.

    Returns
    -------
    list of str
        One description per problem (empty for a clean report).
    """
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    found: list[str] = []
    for tag in soup.find_all(True):
        name = tag.name.lower()
        if name in _ACTIVE_TAGS:
            found.append(f"<{name}> element")
        if name == "meta" and tag.get("http-equiv"):
            equiv = str(tag.get("http-equiv")).strip().lower()
            if equiv not in ("content-security-policy", "content-type"):
                found.append(f'<meta http-equiv="{equiv}">')
        if name == "style":
            found += _css_problems(tag.get_text(), "<style>")
        for attribute, value in tag.attrs.items():
            key = attribute.lower()
            text = " ".join(value) if isinstance(value, list) else str(value)
            if key.startswith("on"):
                found.append(f"{key}= attribute on <{name}>")
            elif key == "style":
                found += _css_problems(text, f"style attribute of <{name}>")
            elif key in _URL_ATTRIBUTES:
                url = _normalised_url(text)
                if url.startswith("#") or (
                    key == "src" and name == "img" and url.startswith("data:image/")
                ):
                    continue
                found.append(f"{key}={text.strip()[:60]!r} on <{name}>")
    return found


# ----------------------------------------------------------------------------- Chromium and PDF


def find_chromium() -> str | None:
    """Path of a Chromium executable (``ADVOCACY_EVAL_CHROMIUM``, else ``chromium`` on the PATH)."""
    explicit = os.environ.get("ADVOCACY_EVAL_CHROMIUM")
    if explicit:
        return explicit if Path(explicit).exists() else None
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


CHROMIUM_FLAGS: tuple[str, ...] = (
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-extensions",
    "--disable-default-apps",
    "--no-default-browser-check",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--metrics-recording-only",
)
"""Flags for an offline, headless Chromium (no network traffic of its own); see :func:`chromium_flags` for the sandbox."""

PRINT_FLAGS: tuple[str, ...] = ("--blink-settings=scriptEnabled=false",)
"""Extra flags when printing a report: JavaScript off in every page (the print also disables it over DevTools)."""

SANDBOX_SETTING = "ADVOCACY_EVAL_CHROMIUM_SANDBOX"
"""Environment variable: ``0`` runs Chromium without its sandbox where detection is wrong (say, a seccomp filter)."""


def _user_namespaces_work() -> bool:
    """Whether this (non-root) user can create the user and network namespaces Chromium's sandbox needs."""
    probe = shutil.which("unshare")
    if probe:
        try:
            done = subprocess.run(
                [probe, "--user", "--map-root-user", "--net", "true"],
                capture_output=True,
                timeout=10,
            )
            return done.returncode == 0
        except (OSError, subprocess.SubprocessError):
            pass
    for knob, closed in (
        ("/proc/sys/user/max_user_namespaces", "0"),
        ("/proc/sys/kernel/unprivileged_userns_clone", "0"),
        ("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", "1"),
    ):
        with contextlib.suppress(OSError):
            if Path(knob).read_text().strip() == closed:
                return False
    return True


def chromium_sandbox_available() -> bool:
    """Whether Chromium can run with its sandbox here.

    Not as root (Chromium refuses to), nor on Linux when unprivileged user
    namespaces are unavailable (checked with ``unshare``, else the kernel's
    settings). ``ADVOCACY_EVAL_CHROMIUM_SANDBOX=0`` turns the sandbox off
    where this detection is wrong.

    Returns
    -------
    bool
    """
    setting = os.environ.get(SANDBOX_SETTING, "").strip().lower()
    if setting in ("0", "off", "no", "false"):
        return False
    if os.name != "posix" or not sys.platform.startswith("linux"):
        return True
    if os.geteuid() == 0:
        return False
    return setting in ("1", "on", "yes", "true") or _user_namespaces_work()


def chromium_flags(printing: bool = True) -> list[str]:
    """Command-line flags for headless Chromium: offline, sandboxed where possible, JavaScript off when printing.

    Parameters
    ----------
    printing : bool
        Add :data:`PRINT_FLAGS`.

    Returns
    -------
    list of str
        :data:`CHROMIUM_FLAGS`, ``--no-sandbox`` only when
        :func:`chromium_sandbox_available` says the sandbox cannot work, and
        :data:`PRINT_FLAGS`.
    """
    flags = list(CHROMIUM_FLAGS)
    if not chromium_sandbox_available():
        flags.append("--no-sandbox")
    if printing:
        flags += PRINT_FLAGS
    return flags


_PIPE_SHIM = (
    "import fcntl, os, sys\n"
    "r = fcntl.fcntl(int(sys.argv[1]), fcntl.F_DUPFD, 10)\n"
    "w = fcntl.fcntl(int(sys.argv[2]), fcntl.F_DUPFD, 10)\n"
    "os.dup2(r, 3); os.dup2(w, 4); os.close(r); os.close(w)\n"
    "os.execv(sys.argv[3], sys.argv[3:])\n"
)
"""Puts the DevTools pipe on file descriptors 3 and 4 (``--remote-debugging-pipe``), then runs Chromium."""


class _DevTools:
    """A minimal Chrome DevTools Protocol client over ``--remote-debugging-pipe`` (no network port)."""

    def __init__(
        self, to_browser: int, from_browser: int, deadline: float, allowed_url: str
    ) -> None:
        self.to_browser, self.from_browser, self.deadline = to_browser, from_browser, deadline
        self.allowed_url = allowed_url
        self.buffer = b""
        self.next_id = 0
        self.events: list[dict] = []
        self.blocked: list[str] = []

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> int:
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        data = json.dumps(message).encode() + b"\0"
        while data:
            data = data[os.write(self.to_browser, data) :]
        return self.next_id

    def receive(self) -> dict:
        import select

        while b"\0" not in self.buffer:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            ready, _, _ = select.select([self.from_browser], [], [], left)
            if not ready:
                raise TimeoutError
            chunk = os.read(self.from_browser, 1 << 20)
            if not chunk:
                raise EOFError("Chromium closed the DevTools pipe")
            self.buffer += chunk
        raw, self.buffer = self.buffer.split(b"\0", 1)
        message = json.loads(raw)
        if message.get("method") == "Fetch.requestPaused":  # only the report itself may load
            params = message["params"]
            url = params["request"]["url"]
            if url == self.allowed_url:
                self.send(
                    "Fetch.continueRequest",
                    {"requestId": params["requestId"]},
                    message.get("sessionId"),
                )
            else:
                self.blocked.append(url)
                self.send(
                    "Fetch.failRequest",
                    {"requestId": params["requestId"], "errorReason": "BlockedByClient"},
                    message.get("sessionId"),
                )
        return message

    def call(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        wanted = self.send(method, params, session)
        while True:
            message = self.receive()
            if message.get("id") == wanted:
                if "error" in message:
                    raise RuntimeError(
                        f"{method}: {message['error'].get('message', message['error'])}"
                    )
                return message.get("result", {})
            if "method" in message:
                self.events.append(message)

    def wait_for(self, method: str, session: str) -> dict:
        while True:
            for event in self.events:
                if event.get("method") == method and event.get("sessionId") == session:
                    return event
            message = self.receive()
            if "method" in message:
                self.events.append(message)


def _kill_process_group(process: subprocess.Popen) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError, PermissionError, OSError):
            if os.name == "posix":
                os.killpg(process.pid, signal.SIGKILL)
            else:
                process.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=10)


def _chromium_failure(returncode: int | None, log: str) -> str:
    lines = [line for line in log.splitlines() if line.strip() and "dbus" not in line.lower()]
    tail = lines[-1] if lines else "no output"
    message = f"PDF export failed (Chromium exit code {returncode}): {tail}"
    if "sandbox" in log.lower():
        message += (
            f"; Chromium's sandbox may be unavailable here: set {SANDBOX_SETTING}=0 to run it without "
            "(docs/privacy-and-provenance.md)"
        )
    return message


def html_to_pdf(html: str | os.PathLike, pdf: str | os.PathLike, timeout: int = 180) -> Path:
    """Print an HTML report to PDF (A4) with headless Chromium: offline, JavaScript off, sandboxed where possible.

    Chromium is driven over a DevTools pipe (no network port): JavaScript is
    disabled for the page (``Emulation.setScriptExecutionDisabled`` and
    :data:`PRINT_FLAGS`), every request other than the report file itself is
    blocked, and the page is printed with ``Page.printToPDF``. The sandbox is
    turned off only when :func:`chromium_sandbox_available` says it cannot
    work (as root, or without user namespaces). On systems without
    ``fcntl`` (Windows) Chromium's ``--print-to-pdf`` is used instead, with
    the same flags.

    Parameters
    ----------
    html : path
        Standalone HTML file (images embedded).
    pdf : path
        PDF file to write.
    timeout : int
        Seconds allowed.

    Returns
    -------
    Path
        ``pdf``.

    Raises
    ------
    ReportError
        If Chromium is missing, fails or times out, or the PDF cannot be written.
    """
    chromium = find_chromium()
    if chromium is None:
        raise ReportError(
            "PDF export needs Chromium: install it (Debian: apt-get install chromium, or "
            "`make browser`) or set ADVOCACY_EVAL_CHROMIUM to its path"
        )
    pdf = Path(pdf)
    url = Path(html).resolve().as_uri()
    with tempfile.TemporaryDirectory(prefix="advocacy-eval-chromium-") as profile:
        log_path = Path(profile) / "chromium.log"
        flags = [*chromium_flags(printing=True), f"--user-data-dir={Path(profile) / 'profile'}"]
        if importlib.util.find_spec("fcntl") is None:  # no DevTools pipe (Windows)
            return _print_with_flag(chromium, flags, url, pdf, timeout, log_path)
        to_browser_r, to_browser_w = os.pipe()
        from_browser_r, from_browser_w = os.pipe()
        cmd = [
            sys.executable,
            "-c",
            _PIPE_SHIM,
            str(to_browser_r),
            str(from_browser_w),
            chromium,
            *flags,
            "--remote-debugging-pipe",
            "about:blank",
        ]
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                cmd,
                pass_fds=(to_browser_r, from_browser_w),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        os.close(to_browser_r)
        os.close(from_browser_w)
        devtools = _DevTools(to_browser_w, from_browser_r, time.monotonic() + timeout, url)
        try:
            target = devtools.call("Target.createTarget", {"url": "about:blank"})["targetId"]
            session = devtools.call("Target.attachToTarget", {"targetId": target, "flatten": True})[
                "sessionId"
            ]
            devtools.call("Emulation.setScriptExecutionDisabled", {"value": True}, session)
            devtools.call("Fetch.enable", {"patterns": [{"urlPattern": "*"}]}, session)
            devtools.call("Page.enable", {}, session)
            devtools.call("Page.navigate", {"url": url}, session)
            devtools.wait_for("Page.loadEventFired", session)
            printed = devtools.call(
                "Page.printToPDF",
                {"printBackground": True, "preferCSSPageSize": True, "displayHeaderFooter": False},
                session,
            )
            import base64

            data = base64.b64decode(printed["data"])
            with contextlib.suppress(Exception):
                devtools.send("Browser.close")
        except TimeoutError:
            raise ReportError(f"PDF export timed out after {timeout} s") from None
        except (EOFError, RuntimeError, KeyError, ValueError) as exc:
            _kill_process_group(process)
            log_text = (
                log_path.read_text(encoding="utf-8", errors="replace") if log_path.exists() else ""
            )
            raise ReportError(_chromium_failure(process.returncode, log_text or str(exc))) from None
        finally:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)
            _kill_process_group(process)
            for fd in (to_browser_w, from_browser_r):
                with contextlib.suppress(OSError):
                    os.close(fd)
    try:
        pdf.write_bytes(data)
    except OSError as exc:
        pdf.unlink(missing_ok=True)
        raise ReportError(f"PDF export: {_cannot_write(pdf.parent, exc)}") from None
    return pdf


def _print_with_flag(
    chromium: str, flags: list[str], url: str, pdf: Path, timeout: int, log_path: Path
) -> Path:
    """``--print-to-pdf`` fallback where the DevTools pipe is not available (Windows)."""
    cmd = [
        chromium,
        *[f for f in flags if f not in PRINT_FLAGS],
        "--no-pdf-header-footer",
        f"--print-to-pdf={pdf}",
        url,
    ]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise ReportError(f"PDF export timed out after {timeout} s") from None
    if done.returncode != 0 or not pdf.exists() or pdf.stat().st_size == 0:
        raise ReportError(_chromium_failure(done.returncode, done.stderr or ""))
    return pdf


def pdf_page_count(pdf: str | os.PathLike) -> int:
    """Number of pages of a PDF file (counts its page objects)."""
    data = Path(pdf).read_bytes()
    return len(re.findall(rb"/Type\s*/Page(?!s)", data))


# ----------------------------------------------------------------------------- leak guard


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_PROFILE_URL = re.compile(r"linkedin\.com/in/[\w%-]+", re.IGNORECASE)
_TOKEN = re.compile(r"[\w@.:/%+-]+")
_IDENTIFIER_VALUE = re.compile(
    r"^\s*(?:[\w.+-]+@[\w-]+\.[\w.-]+|(?:https?|ftp)://\S+|www\.\S+|urn:\S+|mailto:\S+)\s*$"
    r"|linkedin\.com/in/",
    re.IGNORECASE,
)
"""A value that identifies by itself: an e-mail address, a URL or URN, a LinkedIn profile link."""

_IDENTIFIER_COLUMN = re.compile(
    r"(?:^|_)(?:id|ids|uid|guid|urn|e_?mail|mail|courriel|url|uri|link|profile|login|username|user_name|handle"
    r"|pseudonym|pseudo|phone|telephone|matricule|prenom|surname"
    r"|(?:full|first|last|given|family|display|author|manager|employee|person|member|user)_?name)(?:$|_)"
    r"|^name$",
    re.IGNORECASE,
)
"""Column names that say the column holds identifiers (ids, URNs, e-mails, links, people's names)."""


def pd_is_string(series) -> bool:
    """Whether a column holds text."""
    import pandas as pd

    # a categorical of text counts as text (pandas says so of its dtype): the low-cardinality columns are held so
    return pd.api.types.is_string_dtype(series) or series.dtype == object


def _distinct_text(values, distinct: bool = True) -> pa.Array:
    """The non-missing values of a column as a pyarrow ``large_string`` array: ``str(v)`` of each.

    Parameters
    ----------
    values : pandas.Series
        The column.
    distinct : bool
        Each value once (otherwise as many times as it occurs, when the
        caller removes duplicates later: an id column, unique anyway).
    """
    import pandas as pd
    import pyarrow as pa

    series = values if isinstance(values, pd.Series) else pd.Series(values)
    if isinstance(series.dtype, pd.CategoricalDtype):
        series = _used_categories(series)  # its values, each once, with the categories' type
    series = series.dropna()
    if isinstance(series.dtype, pd.StringDtype):
        arr = pa.array(series.unique() if distinct else series.array, type=pa.large_string())
    else:
        unique = series.unique()
        if pd.api.types.infer_dtype(unique, skipna=False) == "string":
            arr = pa.array(unique, type=pa.large_string())
        else:  # not all text (an object column of numbers, say): str() of each distinct value
            arr = pa.array([str(v) for v in unique], type=pa.large_string())
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return arr.drop_null()


def _used_categories(series: pd.Series) -> pd.Series:
    """The categories a categorical series uses, in the categories' order (``remove_unused_categories``).

    Counted by ``numpy.bincount`` over the codes, one pass with no sort:
    pandas' own method sorts the codes (``numpy.unique``), about 0.1 s for
    each of the posts' 2 M-row columns of a 200,000-employee programme.
    """
    import numpy as np
    import pandas as pd

    categories = series.cat.categories
    codes = series.cat.codes.to_numpy()
    used = np.bincount(codes[codes >= 0], minlength=len(categories)) > 0
    return pd.Series(categories[used])


def _identifier_values(values: pa.Array) -> np.ndarray:
    """Boolean mask: which of ``values`` match :data:`_IDENTIFIER_VALUE` (an e-mail, a URL or URN, a profile link).

    Every alternative of the pattern holds a ``.`` or a ``:`` (whatever the
    case): a vectorised test keeps only the values holding one, and only
    those go through the regular expression, so the answer is exactly
    Python's.
    """
    import numpy as np
    import pyarrow.compute as pc

    mask = np.zeros(len(values), dtype=bool)
    if len(values) == 0:
        return mask
    maybe = pc.fill_null(
        pc.or_(pc.match_substring(values, "."), pc.match_substring(values, ":")), False
    )
    where = pc.indices_nonzero(maybe).to_numpy()
    if len(where):
        mask[where] = [bool(_IDENTIFIER_VALUE.search(v)) for v in values.take(where).to_pylist()]
    return mask


def _stripped(values: pa.Array) -> pa.Array:
    """``v.strip()`` of each value, keeping those of at least 3 characters, each once.

    White space is neither a letter nor a digit: a value that starts and
    ends with one needs no stripping (a vectorised test); only the others go
    through :meth:`str.strip`.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    clean = pc.fill_null(
        pc.match_substring_regex(values, r"^[\p{L}\p{N}](?s:.*[\p{L}\p{N}])?$"), False
    )
    fixed = pa.array(
        [v.strip() for v in values.filter(pc.invert(clean)).to_pylist()], type=pa.large_string()
    )
    values = pa.concat_arrays([values.filter(clean), fixed])
    return pc.unique(values.filter(pc.greater_equal(pc.utf8_length(values), 3)))


_GRAM = 8
"""Characters of a long identifier's head and tail looked up among the text's substrings (:meth:`Identifiers.found_in`)."""


def _utf8_strings(sizes: Any, data: Any) -> pa.Array:
    """A pyarrow ``large_string`` array from its values' byte sizes and their UTF-8 bytes, end to end.

    Built from Arrow's buffers: ``pyarrow.array`` (or ``pyarrow.scalar``, or a
    Python value given to a compute function) imports pandas on first use
    (pyarrow's pandas shim: about 40 MB), which a report worker, the only
    process that checks reports for leaks, never needs otherwise.
    """
    import numpy as np
    import pyarrow as pa

    offsets = np.zeros(len(sizes) + 1, dtype=np.int64)
    np.cumsum(sizes, out=offsets[1:])
    return pa.Array.from_buffers(
        pa.large_string(), len(sizes), [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    )


def _large_strings(values: Sequence[str]) -> pa.Array:
    """A pyarrow ``large_string`` array of Python strings (:func:`_utf8_strings`: no pandas import)."""
    import numpy as np

    encoded = [value.encode("utf-8") for value in values]
    sizes = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
    return _utf8_strings(sizes, b"".join(encoded))


def _substrings(text: str, lengths: set[int]) -> pa.Array:
    """Every distinct substring of ``text`` of the given lengths (in characters), as a pyarrow array.

    The substrings are gathered from the text's UTF-8 bytes, vectorised: a
    substring of ``n`` characters runs from the first byte of character ``i``
    to that of character ``i + n``. A character UTF-8 cannot encode (a lone
    surrogate) counts as ``?``; the caller confirms every match on the text
    itself.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    raw = np.frombuffer(text.encode("utf-8", "replace"), dtype=np.uint8)
    # each character's first byte (UTF-8 continuation bytes are 10xxxxxx)
    starts = np.append(np.flatnonzero((raw & 0xC0) != 0x80), len(raw))
    n_chars = len(starts) - 1
    parts = []
    for n in sorted(n for n in lengths if 0 < n <= n_chars):
        begin = starts[: n_chars - n + 1]
        sizes = starts[n:] - begin
        ends = np.cumsum(sizes)  # where each substring ends among the gathered bytes
        gather = np.arange(ends[-1], dtype=np.int64) + np.repeat(begin - (ends - sizes), sizes)
        parts.append(_utf8_strings(sizes, raw[gather]))
    if not parts:
        return _large_strings([])
    return pc.unique(pa.concat_arrays(parts))


class Identifiers(collections.abc.Set):
    """The identifiers a COMEX report must not show: a read-only set of strings, compact and searched vectorised.

    The values are held once, as a pyarrow string array (a few bytes each,
    no Python object per value: about 40 MB for 2.3 million identifiers),
    and a report's text is checked against them with vectorised look-ups
    (:meth:`found_in`). It behaves as a :class:`collections.abc.Set` of
    ``str`` (``in``, ``len``, iteration, ``&``, ``<=``...), pickles
    compactly, and can be built from any iterable of strings.

    Parameters
    ----------
    values : iterable of str or pyarrow.Array
        The identifiers (duplicates and missing values dropped; no other
        cleaning: :func:`identifiers` strips them and leaves out the short ones).
    """

    def __init__(self, values: Iterable[str] | pa.Array | pa.ChunkedArray = ()) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc

        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()
        if not isinstance(values, pa.Array):
            values = _large_strings([value for value in values if value is not None])
        self._values = pc.unique(values.cast(pa.large_string()).drop_null())
        self._long: tuple | None = None

    @classmethod
    def _from_iterable(cls, it: Iterable[Any]) -> Identifiers:
        return cls(it)

    def __reduce__(self) -> tuple:
        sealed = self.__dict__.get("_sealed")
        if sealed is not None:  # still as received: passed on as it came, never decoded here
            return (Identifiers.from_ipc, (sealed,))
        return (_identifiers_from_unique, (self._values,))

    def __getattr__(self, name: str) -> Any:
        # only for attributes not set: the values of identifiers made by from_ipc, decoded on first use
        sealed = self.__dict__.get("_sealed")
        if name != "_values" or sealed is None:
            raise AttributeError(name)
        import pyarrow as pa

        table = pa.ipc.open_stream(sealed).read_all()
        values = table.column(0).combine_chunks() if table.num_rows else _large_strings([])
        self._values = values
        del self.__dict__["_sealed"]
        return values

    def to_ipc(self) -> bytes:
        """The identifiers as an Arrow IPC stream: what :meth:`from_ipc` reads back."""
        import pyarrow as pa

        sealed = self.__dict__.get("_sealed")
        if sealed is not None:
            return bytes(sealed)
        sink = pa.BufferOutputStream()
        batch = pa.record_batch([self._values], names=["identifier"])
        with pa.ipc.new_stream(sink, batch.schema) as writer:
            writer.write_batch(batch)
        return sink.getvalue().to_pybytes()

    @classmethod
    def from_ipc(cls, blob: bytes) -> Identifiers:
        """Identifiers from :meth:`to_ipc`'s bytes, decoded on first use.

        A process that only passes them on (the report command to its
        workers) never decodes them, so it needs neither pyarrow nor the
        memory of the decoded values.
        """
        ids = cls.__new__(cls)
        ids.__dict__["_sealed"] = bytes(blob)
        ids._long = None
        return ids

    @property
    def values(self) -> pa.Array:
        """The identifiers, each once (pyarrow ``large_string`` array)."""
        return self._values

    def __len__(self) -> int:
        return len(self._values)

    def __iter__(self) -> Iterator[str]:
        step = 1 << 16
        for start in range(0, len(self._values), step):
            yield from self._values.slice(start, step).to_pylist()

    def __contains__(self, value: object) -> bool:
        import pyarrow.compute as pc

        if not isinstance(value, str) or not len(self._values):
            return False
        return bool(pc.any(pc.equal(self._values, _large_strings([value])[0])).as_py())

    def __repr__(self) -> str:
        return f"<Identifiers: {len(self)} values>"

    def _long_values(self) -> tuple:
        """The values checked as substrings (with a space, or longer than 24 characters), their heads and tails."""
        import pyarrow.compute as pc

        if self._long is None:
            values = self._values
            long = values.filter(  # a pattern, not a number to compare with: no pandas import
                pc.or_(
                    pc.match_substring(values, " "),
                    pc.match_substring_regex(values, "(?s)^.{25}"),  # more than 24 characters
                )
            )
            heads = pc.utf8_slice_codeunits(long, 0, _GRAM)
            tails = pc.utf8_slice_codeunits(long, -_GRAM)
            lengths = set(pc.unique(pc.utf8_length(heads)).to_pylist())
            self._long = (long, heads, tails, lengths)
        return self._long

    def found_in(self, text: str, tokens: Iterable[str] | None = None) -> set[str]:
        """The identifiers that a text shows.

        An identifier is shown when it is one of the text's tokens (runs of
        letters, digits and ``@.:/%+-``), or, for one holding a space or
        longer than 24 characters, when it appears anywhere in the text. The
        tokens (a few thousand) are looked up among the identifiers in one
        vectorised pass; a long identifier is compared with the text only if
        its first and last 8 characters are both among the text's
        substrings (an exact pre-test, also vectorised), so the answer is
        that of ``f in text`` for every long ``f``.

        Parameters
        ----------
        text : str
            The report's visible text.
        tokens : iterable of str, optional
            The text's tokens, when already extracted.

        Returns
        -------
        set of str
        """
        import pyarrow.compute as pc

        found: set[str] = set()
        if not len(self._values):
            return found
        words = list(set(_TOKEN.findall(text)) if tokens is None else set(tokens))
        if words:
            shown = pc.is_in(self._values, value_set=_large_strings(words))
            found.update(self._values.filter(shown).to_pylist())
        long, heads, tails, lengths = self._long_values()
        if len(long):
            pieces = _substrings(text, lengths | {_GRAM})
            maybe = pc.and_(pc.is_in(heads, value_set=pieces), pc.is_in(tails, value_set=pieces))
            found.update(value for value in long.filter(maybe).to_pylist() if value in text)
        return found


def _identifiers_from_unique(values: pa.Array) -> Identifiers:
    """Rebuild pickled :class:`Identifiers` (the values are already unique)."""
    ids = Identifiers.__new__(Identifiers)
    ids._values, ids._long = values, None
    return ids


def is_identifier_column(frame, column: str, entity: str) -> bool:
    """Whether an extra (non-canonical) text column holds identifiers rather than group labels.

    A column holds identifiers when its name says so (``*_id``, ``urn``,
    ``email``, ``*_url``, ``login``, ``full_name``...; see
    :data:`_IDENTIFIER_COLUMN`), when most of its values are e-mail
    addresses, URLs or URNs, or when it singles out people or posts: at
    least half as many distinct values as distinct ``entity`` values among
    its rows (a name, a pseudonym, a post title). A repeated label such as a
    business unit or a site, with far fewer values than people, is a group
    label: reports may show it (with the minimum group size), the leak guard
    does not refuse it.

    Parameters
    ----------
    frame : pandas.DataFrame
        The employees or posts table.
    column : str
        The column to classify.
    entity : str
        The column naming who a row is about (``employee_id``; ``author_id`` for posts).

    Returns
    -------
    bool
    """
    import pyarrow as pa

    if _IDENTIFIER_COLUMN.search(column):
        return True
    rows = frame.loc[frame[column].notna(), [column, entity]]
    if rows.empty:
        return False
    counts = (
        rows[column].astype(str).value_counts(sort=False)
    )  # each distinct value once, with its rows
    distinct = pa.array(counts.index.to_numpy(dtype=object), type=pa.large_string())
    if counts.to_numpy()[_identifier_values(distinct)].sum() / len(rows) >= 0.5:
        return True
    return len(counts) >= 0.5 * rows[entity].nunique() and len(counts) > 1


def identifiers(programme) -> Identifiers:
    """Values that must never appear in a COMEX report.

    The identifiers of the input: employee ids, post ids and the author ids
    of employee posts; every value of the extra (non-canonical) text columns
    that hold identifiers (see :func:`is_identifier_column`: pseudonyms,
    URNs, e-mails, profile URLs, people's names); and any value of any other
    text column that is by itself an e-mail address, a URL or a URN. Group
    labels (a department, or an extra ``business_unit`` column repeating it)
    are not identifiers. Values are stripped of surrounding white space;
    those shorter than 3 characters are left out.

    Computed column by column on distinct values with vectorised operations
    (no Python loop over the millions of post ids of a large programme):
    compute it once per run and pass it to every report.

    Parameters
    ----------
    programme : Programme
        Loaded programme.

    Returns
    -------
    Identifiers
        A read-only set of ``str``, stored compactly.
    """
    import pyarrow as pa

    from ..schema import COLUMNS

    parts: list[pa.Array] = []
    for table, ids, entity in (
        ("employees", ["employee_id"], "employee_id"),
        ("posts", ["post_id"], "author_id"),
    ):
        frame = getattr(programme, table)
        canonical = {c.name for c in COLUMNS[table]}
        for col in ids:
            parts.append(_distinct_text(frame[col], distinct=False))  # made unique once, at the end
        for col in frame.columns:
            if col in ids or not pd_is_string(frame[col]):
                continue
            distinct = _distinct_text(frame[col])
            if col not in canonical and is_identifier_column(frame, col, entity):
                parts.append(distinct)
            else:
                parts.append(distinct.filter(pa.array(_identifier_values(distinct))))
    emp_posts = programme.posts.loc[programme.posts["author_type"] == "employee", "author_id"]
    parts.append(_distinct_text(emp_posts))
    return _identifiers_from_unique(_stripped(pa.concat_arrays(parts)))


def leaks(html_text: str, forbidden: Identifiers | set[str]) -> list[str]:
    """Identifiers, e-mail addresses or profile URLs found in a report's visible text.

    Parameters
    ----------
    html_text : str
        The report's visible text (tags removed).
    forbidden : Identifiers or set of str
        Identifiers from the input (see :func:`identifiers`).

    Returns
    -------
    list of str
        The identifiers found, sorted.
    """
    found = set(_EMAIL.findall(html_text)) | set(_PROFILE_URL.findall(html_text))
    tokens = set(_TOKEN.findall(html_text))
    ids = forbidden if isinstance(forbidden, Identifiers) else Identifiers(forbidden)
    found |= ids.found_in(html_text, tokens)
    return sorted(found)


def visible_text(html: str) -> str:
    """Text a reader sees in an HTML report (scripts and styles removed)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style"]):
        tag.decompose()
    return soup.get_text(" ", strip=True)


# ----------------------------------------------------------------------------- paths in shared files


def _path_replacements(parameters: dict) -> dict[str, str]:
    """Absolute paths among the parameters (and the home folder) -> what a shared file may show instead."""
    replacements: dict[str, str] = {}
    for value in parameters.values():
        if isinstance(value, (str, os.PathLike)) and str(value) and os.path.isabs(str(value)):
            path = str(value).rstrip("/\\") or str(value)
            if len(Path(path).parts) < 2:
                continue
            for form in {path, os.path.realpath(path), os.path.abspath(path)}:
                replacements[form] = Path(path).name
    home = str(Path.home()).rstrip("/\\")
    if len(Path(home).parts) >= 2:
        replacements[home + os.sep] = "~" + os.sep
    for full, short in list(
        replacements.items()
    ):  # as written inside JSON strings (escaped backslashes, \\u)
        replacements.setdefault(json.dumps(full)[1:-1], json.dumps(short)[1:-1])
    return replacements


def _constant(text: str) -> Callable[[re.Match[str]], str]:
    """A ``re.sub`` replacement that inserts ``text`` literally (no group references)."""
    return lambda _match: text


def scrub_paths(
    notebook: nbformat.NotebookNode, parameters: dict, template: str, stem: str
) -> nbformat.NotebookNode:
    """A copy of an executed notebook without the run's full paths.

    Every absolute path given as a parameter (the data folder, a claims
    file) becomes its last component (the folder's or file's name) wherever
    it appears: papermill's metadata (``parameters``), the injected
    parameters cell, outputs, tracebacks. ``metadata.papermill.input_path``
    becomes the template's name and ``output_path`` ``<stem>.ipynb``; the
    home folder becomes ``~``.

    Parameters
    ----------
    notebook : nbformat.NotebookNode
        Executed notebook.
    parameters : dict
        The parameters given to papermill.
    template : str
        File name of the template notebook.
    stem : str
        Base name of the output files.

    Returns
    -------
    nbformat.NotebookNode
    """
    import nbformat

    replacements = _path_replacements(parameters)
    patterns = [
        (re.compile(re.escape(full) + r"(?![\w-]|\.\w)"), short)
        for full, short in sorted(replacements.items(), key=lambda kv: -len(kv[0]))
    ]

    def clean(value):
        if isinstance(value, str):
            for pattern, short in patterns:
                value = pattern.sub(_constant(short), value)
            return value
        if isinstance(value, list):
            return [clean(v) for v in value]
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        return value

    nb = nbformat.from_dict(clean(json.loads(json.dumps(notebook))))
    papermill_meta = nb.metadata.get("papermill")
    if isinstance(papermill_meta, dict):
        papermill_meta["input_path"] = template
        papermill_meta["output_path"] = f"{stem}.ipynb"
    return nb


# ----------------------------------------------------------------------------- running a report


class _TotalTimeout(TimeoutError):
    """The whole run took longer than ``--timeout``."""


@contextlib.contextmanager
def total_timeout(seconds: int | None) -> Iterator[None]:
    """Raise :class:`TimeoutError` in the main thread after ``seconds`` (no limit if None)."""
    if not seconds or not _in_main_thread() or not hasattr(signal, "SIGALRM"):
        yield
        return

    def _expire(signum, frame):
        raise _TotalTimeout(f"the report took longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, _expire)
    signal.alarm(int(seconds))
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


_DISK_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EFBIG}


def _cannot_write(folder: Path, exc: OSError) -> str:
    """One sentence for a failed write into ``folder``."""
    if exc.errno in _DISK_FULL:
        return (
            f"cannot write to the output folder {folder}: no space left on its disk ({exc.strerror or exc}); "
            "free some space and run again"
        )
    return f"cannot write to the output folder {folder}: {exc.strerror or exc}"


def _os_error(exc: BaseException | None) -> OSError | None:
    """The file-system error behind an exception (itself, its cause or context), if any."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, OSError) and not isinstance(exc, TimeoutError) and exc.errno is not None:
            return exc
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return None


def _running_cell(nb: nbformat.NotebookNode | None) -> str:
    """``cell [n]`` for the cell papermill was running last.

    ``n`` is the cell's execution count, or, when the kernel never answered
    (killed, timed out), the count it would have had: papermill runs the code
    cells in order, so the n-th cell started is ``[n]``.
    """
    if nb is None:
        return "a cell"
    started = [
        c
        for c in nb.cells
        if c.get("cell_type") == "code"
        and (c.get("metadata", {}).get("papermill") or {}).get("start_time")
    ]
    if not started:
        return "a cell"
    return f"cell [{started[-1].get('execution_count') or len(started)}]"


def _failure_message(
    exc: BaseException,
    notebook: str,
    nb: nbformat.NotebookNode | None = None,
    cell_timeout: int | None = None,
    out: Path | None = None,
) -> str:
    """One clear sentence for a failed run (no traceback, no multi-line preview of the cell)."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    if isinstance(exc, CellTimeoutError):
        return (
            f"{notebook}: {_running_cell(nb)} did not finish within the per-cell time limit of "
            f"{cell_timeout} s (--cell-timeout)"
        )
    if isinstance(exc, _TotalTimeout):
        return f"{notebook}: {exc} (--timeout)"
    if isinstance(exc, DeadKernelError):
        return f"{notebook}: the Python kernel died while running {_running_cell(nb)} (out of memory, or killed)"
    problem = _os_error(exc)
    if problem is not None and out is not None:
        return f"{notebook}: {_cannot_write(out, problem)}"
    cell = getattr(exc, "exec_count", None) or getattr(exc, "cell_index", None)
    ename = getattr(exc, "ename", type(exc).__name__)
    evalue = getattr(exc, "evalue", None)
    if evalue is None:
        lines = str(exc).strip().splitlines()
        evalue = lines[0] if lines else ""
    where = f"cell [{cell}]" if cell is not None else _running_cell(nb)
    return f"{notebook}: {where} failed with {ename}: {evalue}".strip()


def _read_notebook(path: Path) -> nbformat.NotebookNode | None:
    import nbformat

    try:
        return nbformat.read(path, as_version=4)
    except (OSError, ValueError, nbformat.reader.NotJSONError):
        return None


def _write_text(path: Path, text: str) -> None:
    """Write a file completely or not at all (a partial file is removed)."""
    try:
        path.write_text(text, encoding="utf-8")
    except BaseException:
        with contextlib.suppress(OSError):
            path.unlink()
        raise


def _save_failed(
    nb: nbformat.NotebookNode | None, out: Path, stem: str, parameters: dict, notebook: str
) -> str:
    """Keep the failed notebook (paths scrubbed) in ``<out>/_failed/``; say where, or why it could not be kept."""
    if nb is None:
        return "no executed notebook to keep"
    import nbformat

    target = out / "_failed" / f"{stem}.ipynb"
    partial = target.with_name(f".{stem}.ipynb.partial")
    try:
        target.parent.mkdir(exist_ok=True)
        _write_text(partial, nbformat.writes(scrub_paths(nb, parameters, notebook, stem)))
        os.replace(partial, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            partial.unlink()
        return f"the executed notebook could not be kept: {_cannot_write(target.parent, exc)}"
    return f"executed notebook saved to {target}"


_OWNER_FILE = ".owner"
"""File in a run's temporary folder: ``<host> <pid>`` of the process running it."""


def _remove_stale_temporaries(out: Path, stem: str) -> None:
    """Remove the temporary folders of runs of ``stem`` that were killed (their process is gone) on this host."""
    host = socket.gethostname()
    for folder in out.glob(f".{stem}-*"):
        try:
            owner_host, owner_pid = (folder / _OWNER_FILE).read_text(encoding="utf-8").split()
            if owner_host != host or int(owner_pid) == os.getpid():
                continue
            os.kill(int(owner_pid), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except (OSError, ValueError):
            continue


def _forget_interrupted_cells() -> None:
    """Keep quiet about the nbclient tasks an interruption left behind (no "Task exception was never retrieved")."""
    try:
        from jupyter_core.utils import ensure_event_loop

        loop = ensure_event_loop()
    except Exception:  # no event loop to look after
        return
    previous = loop.get_exception_handler()
    if getattr(previous, "advocacy_eval_filter", False):
        return

    def handler(loop: Any, context: dict) -> None:
        task: Any = context.get("future") or context.get("task")
        coro = task.get_coro() if hasattr(task, "get_coro") else None
        if "never retrieved" in context.get("message", "") and getattr(
            coro, "__qualname__", ""
        ).startswith("NotebookClient."):
            return
        if previous is not None:
            previous(loop, context)
        else:
            loop.default_exception_handler(context)

    handler.advocacy_eval_filter = True  # type: ignore[attr-defined]
    loop.set_exception_handler(handler)


_SAFE_STEM = re.compile(r"[^/\\\x00-\x1f.][^/\\\x00-\x1f]{0,199}")


def run_notebook(
    notebook: str,
    parameters: dict,
    out_dir: str | os.PathLike,
    stem: str,
    title: str,
    cell_timeout: int | None = 600,
    timeout: int | None = None,
    forbidden: Identifiers | set[str] | None = None,
    pdf: bool = False,
    *,
    session: KernelSession | None = None,
) -> ReportResult:
    """Execute one notebook with parameters and write ``<stem>.ipynb``, ``<stem>.html`` and ``<stem>.run.json``.

    Parameters
    ----------
    notebook : str
        File name of the template in :func:`~advocacy_eval.paths.notebooks_dir`.
    parameters : dict
        Values injected by papermill.
    out_dir : path
        Output folder (created if needed).
    stem : str
        Base name of the output files (a file name: no ``/``, no leading dot).
    title : str
        HTML title.
    cell_timeout : int, optional
        Seconds allowed per cell.
    timeout : int, optional
        Seconds allowed for the whole run.
    forbidden : Identifiers or set of str, optional
        Identifiers that must not appear in the HTML (COMEX mode): a report
        showing any of them, an e-mail address or a profile URL is refused.
    pdf : bool
        Also print ``<stem>.pdf`` (:func:`html_to_pdf`).
    session : KernelSession, optional
        A kernel kept alive between reports
        (:class:`~advocacy_eval.publish.parallel.KernelSession`): the notebook
        runs in it after its namespace and global state are reset, and the
        kernel is replaced after any failure. Default: a fresh kernel, killed
        at the end.

    Returns
    -------
    ReportResult

    Raises
    ------
    ReportError
        If the output folder cannot be written (full disk included), a cell
        fails or times out, the kernel dies, the run times out, the HTML would
        contain active content (:func:`active_content`) or the report would
        expose identifiers. The previous report, if any, is left as it was;
        the failed notebook is saved to ``<out>/_failed/<stem>.ipynb`` (paths
        scrubbed).
    ReportInterrupted
        On SIGINT, SIGTERM or SIGHUP: the kernel is killed, the temporary
        folder removed, the previous report left as it was.
    """
    if not _SAFE_STEM.fullmatch(stem):
        raise ReportError(
            f"{stem!r} cannot name a report file: use letters, digits, '_', '.' or '-', "
            "without '/' or a leading '.'"
        )
    template = notebooks_dir() / notebook
    if not template.is_file():
        raise ReportError(f"report notebook not found: {template}")
    out = Path(out_dir)
    started = time.perf_counter()
    with interruptible():
        try:
            out.mkdir(parents=True, exist_ok=True)
            _remove_stale_temporaries(out, stem)
            tmp = Path(tempfile.mkdtemp(prefix=f".{stem}-", dir=out))
        except OSError as exc:
            raise ReportError(_cannot_write(out, exc)) from None
        ok = False
        try:
            try:
                (tmp / _OWNER_FILE).write_text(
                    f"{socket.gethostname()} {os.getpid()}\n", encoding="utf-8"
                )
            except OSError as exc:
                raise ReportError(_cannot_write(out, exc)) from None
            result = _run_in(
                tmp,
                template,
                notebook,
                parameters,
                out,
                stem,
                title,
                cell_timeout,
                timeout,
                forbidden,
                pdf,
                started,
                session,
            )
            ok = True
        except KeyboardInterrupt:
            _forget_interrupted_cells()
            raise
        finally:
            with _signals_deferred():
                if session is None:
                    kill_kernels()
                elif not ok:
                    session.discard()  # a failed, timed-out or interrupted kernel is never reused
                shutil.rmtree(tmp, ignore_errors=True)
    return result


_ENGINE = "advocacy-eval"
"""Papermill engine of report runs (:func:`_papermill_engine`)."""


def _papermill_engine() -> str:
    """Register (once per process) and name the papermill engine that writes the executed notebook once.

    Papermill's own engine rewrites the whole notebook (and validates it)
    before and after every cell: about a second of CPU per report for
    nothing, since a run works in a private temporary folder that nobody
    reads while it runs. This engine is nbclient's, writing the executed
    notebook once: at the end, or when the run fails, times out or is
    interrupted (with the cells run so far, for ``_failed/`` and the failure
    message), exactly as papermill's final save does.
    """
    from papermill.engines import (
        NBClientEngine,
        NotebookExecutionManager,
        PapermillException,
        papermill_engines,
    )
    from papermill.iorw import write_ipynb

    try:
        papermill_engines.get_engine(_ENGINE)
        return _ENGINE
    except PapermillException:
        pass

    class _WriteOnceEngine(NBClientEngine):
        @classmethod
        def execute_notebook(
            cls,
            nb,
            kernel_name,
            output_path=None,
            progress_bar=True,
            log_output=False,
            autosave_cell_every=30,
            failure_path=None,
            **kwargs,
        ):
            nb_man = NotebookExecutionManager(
                nb,
                output_path=output_path,
                progress_bar=progress_bar,
                log_output=log_output,
                autosave_cell_every=autosave_cell_every,
            )
            nb_man.notebook_start()
            try:
                cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
            except BaseException:
                nb_man.cleanup_pbar()
                nb_man.notebook_complete()
                if failure_path:
                    write_ipynb(nb_man.nb, failure_path)
                raise
            nb_man.cleanup_pbar()
            nb_man.notebook_complete()
            return nb_man.nb

    papermill_engines.register(_ENGINE, _WriteOnceEngine)
    return _ENGINE


def execute_notebook(
    template: Path,
    executed: Path,
    parameters: dict,
    kernel_name: str,
    cell_timeout: int | None,
    **engine: object,
) -> None:
    """Run papermill on ``template`` into ``executed``: the one call shared by fresh and reused kernels.

    The executed notebook is written once, at the end, or with the cells run
    so far when the run fails (:func:`_papermill_engine`).

    Parameters
    ----------
    template, executed : Path
        Notebook template and executed notebook.
    parameters : dict
        Values injected by papermill.
    kernel_name : str
        Kernelspec name.
    cell_timeout : int, optional
        Seconds allowed per cell.
    **engine
        Passed to nbclient, e.g. ``km``: the kernel manager of a running kernel (not shut down).
    """
    import papermill as pm

    pm.execute_notebook(
        str(template),
        str(executed),
        parameters=parameters,
        kernel_name=kernel_name,
        language="python",
        progress_bar=False,
        log_output=False,
        execution_timeout=cell_timeout,
        cwd=str(template.parent),
        report_mode=False,
        engine_name=_papermill_engine(),
        request_save_on_cell_execute=False,
        failure_path=str(executed),
        **engine,
    )


def _run_in(
    tmp: Path,
    template: Path,
    notebook: str,
    parameters: dict,
    out: Path,
    stem: str,
    title: str,
    cell_timeout: int | None,
    timeout: int | None,
    forbidden: Identifiers | set[str] | None,
    pdf: bool,
    started: float,
    session: KernelSession | None = None,
) -> ReportResult:
    """Execute, check and export into ``tmp``, then publish into ``out``."""
    import nbformat

    from ..reports.provenance import find_record, find_scorecard_csv

    executed = tmp / f"{stem}.ipynb"
    untouched = "the previous report was left untouched"
    try:
        if session is None:
            with current_kernel() as kernel, _quiet_papermill(), total_timeout(timeout):
                execute_notebook(template, executed, parameters, kernel, cell_timeout)
        else:
            with _quiet_papermill(), total_timeout(timeout):
                session.execute(template, executed, parameters, cell_timeout)
    except (
        Exception
    ) as exc:  # papermill raises its own error types, nbclient's and the file system's
        nb = _read_notebook(executed)
        message = _failure_message(exc, notebook, nb, cell_timeout, out)
        raise ReportError(
            f"{message} ({_save_failed(nb, out, stem, parameters, notebook)}; {untouched})"
        ) from None

    nb = _read_notebook(executed)
    if nb is None:
        raise ReportError(f"{notebook}: the executed notebook could not be read back ({untouched})")
    nb = scrub_paths(nb, parameters, notebook, stem)
    lang = str(parameters["lang"]) if parameters.get("lang") in ("en", "fr") else "en"
    body = to_html(nb, title, lang)
    active = active_content(body)
    if active:
        shown = "; ".join(active[:5]) + (" ..." if len(active) > 5 else "")
        raise ReportError(
            f"{notebook}: report refused: its HTML would contain active content or load something "
            f"from outside the page ({shown}); a data value was probably shown as markup "
            f"({_save_failed(nb, out, stem, parameters, notebook)}; {untouched})"
        )
    if forbidden is not None:
        from ..reports.typography import fold

        text = visible_text(body)
        found = sorted(
            set(leaks(text, forbidden)) | set(leaks(fold(text), forbidden))
        )  # typography hides nothing
        if found:
            shown = ", ".join(found[:5]) + (" ..." if len(found) > 5 else "")
            raise ReportError(
                f"{notebook}: report refused in COMEX mode: it would show {len(found)} "
                f"identifier(s) of employees or posts ({shown}); "
                f"{_save_failed(nb, out, stem, parameters, notebook)}; {untouched}"
            )
    record = find_record(nb)
    scorecard_csv = find_scorecard_csv(nb)
    names = {"html": f"{stem}.html", "ipynb": f"{stem}.ipynb"}
    try:
        _write_text(tmp / names["ipynb"], nbformat.writes(nb))
        _write_text(tmp / names["html"], body)
        if record is not None:
            record["run"] = {
                "notebook": notebook,
                "seconds": round(time.perf_counter() - started, 3),
                "cell_timeout": cell_timeout,
                "timeout": timeout,
            }
            names["run_json"] = f"{stem}.run.json"
            _write_text(
                tmp / names["run_json"], json.dumps(record, indent=2, ensure_ascii=False) + "\n"
            )
        if scorecard_csv is not None:
            names["scorecard"] = f"{stem}.scorecard.csv"
            _write_text(tmp / names["scorecard"], scorecard_csv)
    except OSError as exc:
        raise ReportError(f"{notebook}: {_cannot_write(out, exc)} ({untouched})") from None
    if pdf:
        try:
            html_to_pdf(tmp / names["html"], tmp / f"{stem}.pdf")
        except ReportError as exc:
            raise ReportError(f"{notebook}: {exc} ({untouched})") from None
        names["pdf"] = f"{stem}.pdf"
    try:  # the HTML last: it is what readers open
        for key in ("ipynb", "scorecard", "run_json", "pdf", "html"):
            if key in names:
                os.replace(tmp / names[key], out / names[key])
    except OSError as exc:
        raise ReportError(f"{notebook}: {_cannot_write(out, exc)}") from None
    path = {key: out / name for key, name in names.items()}
    return ReportResult(
        html=path["html"],
        notebook=path["ipynb"],
        seconds=time.perf_counter() - started,
        run_json=path.get("run_json"),
        pdf=path.get("pdf"),
        scorecard=path.get("scorecard"),
    )


def comex_identifiers(data_dir: str | os.PathLike | None) -> Identifiers:
    """Identifiers a COMEX report built on ``data_dir`` must not show (loads the programme: compute once per run).

    Raises
    ------
    ReportError
        If the data folder cannot be loaded.
    """
    from ..errors import DataValidationError
    from ..io import load_programme

    try:
        return identifiers(load_programme(resolve_data_dir(data_dir)))
    except (DataValidationError, FileNotFoundError) as exc:
        raise ReportError(f"cannot prepare a COMEX report: {exc}") from None


def check_vocabulary(data_dir: str | os.PathLike | None, lang: str, extra: dict | None) -> None:
    """Check the programme's vocabulary (``programme.toml`` and overrides) before any notebook runs.

    Parameters
    ----------
    data_dir : path or None
        Programme folder (None or empty: the committed sample).
    lang : str
        Report language.
    extra : dict, optional
        Notebook parameters; ``programme_name``, ``participants`` and
        ``participant`` override the file in ``lang``.

    Raises
    ------
    ConfigError
        One message listing every problem, e.g. a value with a markup
        character (see :data:`advocacy_eval.reports.vocabulary.MARKUP_CHARACTERS`).
    """
    from ..reports.vocabulary import load_vocabulary

    if lang not in ("en", "fr"):
        return  # the notebook reports the unsupported language itself
    extra = extra or {}
    folder = resolve_data_dir(data_dir)
    load_vocabulary(
        folder if folder.is_dir() else None,
        **{
            f"name_{lang}": extra.get("programme_name"),
            f"participants_{lang}": extra.get("participants"),
            f"participant_{lang}": extra.get("participant"),
        },
    )


# ----------------------------------------------------------------------------- reports and batches


@dataclass(frozen=True)
class ReportTask:
    """One report to run: a notebook template, its parameters and the name of the files it writes.

    Attributes
    ----------
    key : str
        Name of the report in a batch's results and progress lines (the wave id, or ``"programme"``).
    notebook : str
        File name of the template in :func:`~advocacy_eval.paths.notebooks_dir`.
    parameters : dict
        Values injected by papermill.
    stem : str
        Base name of the output files.
    title : str
        HTML title.
    """

    key: str
    notebook: str
    parameters: dict
    stem: str
    title: str


PROGRAMME_NOTEBOOK = "programme_report.ipynb"
"""Template of the programme report (all waves together): the longest report of a batch, started first."""


def wave_task(
    data_dir: str | os.PathLike | None, wave: str, lang: str = "en", extra: dict | None = None
) -> ReportTask:
    """The wave report of ``wave`` (``wave_report.ipynb``), written as ``<wave>.html`` and its siblings.

    Parameters
    ----------
    data_dir : path or None
        Programme folder (None or empty: the committed sample).
    wave : str
        Wave id.
    lang : str
        Report language.
    extra : dict, optional
        Other notebook parameters (claims, targets, minimum group size, vocabulary).

    Returns
    -------
    ReportTask
    """
    params = {"data_dir": str(resolve_data_dir(data_dir)), "wave": wave, "lang": lang}
    params.update(extra or {})
    return ReportTask(wave, "wave_report.ipynb", params, stem=wave, title=f"advocacy-eval — {wave}")


def programme_task(
    data_dir: str | os.PathLike | None, lang: str = "en", extra: dict | None = None
) -> ReportTask:
    """The programme report (``programme_report.ipynb``, all waves together), written as ``programme.html``...

    Parameters
    ----------
    data_dir, lang
        As in :func:`wave_task`.
    extra : dict, optional
        Other notebook parameters (outcome, control group, claimed profiles, k, vocabulary).

    Returns
    -------
    ReportTask
    """
    params = {"data_dir": str(resolve_data_dir(data_dir)), "lang": lang}
    params.update(extra or {})
    return ReportTask(
        "programme", PROGRAMME_NOTEBOOK, params, stem="programme", title="advocacy-eval — programme"
    )


def run_task(
    task: ReportTask,
    out_dir: str | os.PathLike = "reports",
    *,
    cell_timeout: int | None = 600,
    timeout: int | None = None,
    forbidden: Identifiers | set[str] | None = None,
    pdf: bool = False,
    session: KernelSession | None = None,
) -> ReportResult:
    """Run one :class:`ReportTask` with :func:`run_notebook`.

    Parameters
    ----------
    task : ReportTask
        The report.
    out_dir, cell_timeout, timeout, forbidden, pdf, session
        As in :func:`run_notebook`.

    Returns
    -------
    ReportResult
    """
    return run_notebook(
        task.notebook,
        task.parameters,
        out_dir,
        stem=task.stem,
        title=task.title,
        cell_timeout=cell_timeout,
        timeout=timeout,
        forbidden=forbidden,
        pdf=pdf,
        session=session,
    )


def run_wave_report(
    data_dir: str | os.PathLike | None,
    wave: str,
    out_dir: str | os.PathLike = "reports",
    lang: str = "en",
    cell_timeout: int | None = 600,
    extra: dict | None = None,
    timeout: int | None = None,
    comex: bool = True,
    forbidden: Identifiers | set[str] | None = None,
    pdf: bool = False,
) -> ReportResult:
    """Execute ``wave_report.ipynb`` for one wave.

    Parameters
    ----------
    data_dir : path or None
        Programme folder (None or empty: the committed sample).
    wave : str
        Wave id.
    out_dir : path
        Output folder; writes ``<wave>.html``, ``<wave>.ipynb`` and ``<wave>.run.json``.
    lang : str
        Report language, ``"en"`` or ``"fr"``.
    cell_timeout : int, optional
        Seconds allowed per cell.
    extra : dict, optional
        Other notebook parameters (claims, targets, minimum group size).
    timeout : int, optional
        Seconds allowed for the whole run.
    comex : bool
        COMEX mode: refuse to write a report that shows an identifier.
    forbidden : Identifiers or set of str, optional
        Identifiers to refuse (default: computed from the data folder in COMEX mode).
    pdf : bool
        Also write ``<wave>.pdf``.

    Returns
    -------
    ReportResult

    Raises
    ------
    ReportError
        See :func:`run_notebook`.
    ConfigError
        If the programme's vocabulary is invalid (:func:`check_vocabulary`).
    ReportInterrupted
        On SIGINT, SIGTERM or SIGHUP.
    """
    check_vocabulary(data_dir, lang, extra)
    task = wave_task(data_dir, wave, lang, extra)
    if comex and forbidden is None:
        forbidden = comex_identifiers(data_dir)
    return run_task(
        task,
        out_dir,
        cell_timeout=cell_timeout,
        timeout=timeout,
        forbidden=forbidden if comex else None,
        pdf=pdf,
    )


def run_programme_report(
    data_dir: str | os.PathLike | None,
    out_dir: str | os.PathLike = "reports",
    lang: str = "en",
    cell_timeout: int | None = 600,
    extra: dict | None = None,
    timeout: int | None = None,
    comex: bool = True,
    forbidden: Identifiers | set[str] | None = None,
    pdf: bool = False,
) -> ReportResult:
    """Execute ``programme_report.ipynb`` (all waves together): writes ``programme.html`` and its siblings.

    Parameters
    ----------
    data_dir, out_dir, lang, cell_timeout, timeout, comex, forbidden, pdf
        As in :func:`run_wave_report`.
    extra : dict, optional
        Other notebook parameters (outcome, control group, claimed profiles, k).

    Returns
    -------
    ReportResult

    Raises
    ------
    ReportError, ConfigError, ReportInterrupted
        As in :func:`run_wave_report`.
    """
    check_vocabulary(data_dir, lang, extra)
    task = programme_task(data_dir, lang, extra)
    if comex and forbidden is None:
        forbidden = comex_identifiers(data_dir)
    return run_task(
        task,
        out_dir,
        cell_timeout=cell_timeout,
        timeout=timeout,
        forbidden=forbidden if comex else None,
        pdf=pdf,
    )


def run_reports(
    tasks: Iterable[ReportTask],
    out_dir: str | os.PathLike = "reports",
    *,
    cell_timeout: int | None = 600,
    timeout: int | None = None,
    forbidden: Identifiers | set[str] | None = None,
    pdf: bool = False,
    jobs: int = 1,
    progress: Callable[[str], None] | None = None,
    pool: ReportPool | None = None,
) -> tuple[dict[str, ReportResult], dict[str, str]]:
    """Run a batch of reports, going on past failures; several at once when ``jobs > 1``.

    With ``jobs=1`` (or a single report) the reports run one after the other
    in this process, each in a fresh kernel, exactly as :func:`run_notebook`.
    With ``jobs > 1`` they run in ``min(jobs, len(tasks))`` worker processes
    (:class:`~advocacy_eval.publish.parallel.ReportPool`), each keeping one
    warm kernel for its queue of reports (reset between reports, replaced
    after a failure); the programme report, the longest, starts first. Every
    report is written, checked (active content, identifiers) and published
    exactly as by :func:`run_notebook`, whichever process runs it.

    Parameters
    ----------
    tasks : iterable of ReportTask
        The reports (keys unique).
    out_dir : path
        Output folder.
    cell_timeout, timeout, pdf
        As in :func:`run_notebook` (per report).
    forbidden : Identifiers or set of str, optional
        Identifiers no report may show (COMEX mode); None: no identifier check.
        Computed once by the caller (:func:`identifiers`) and sent once to each worker.
    jobs : int
        Reports run at once (at least 1).
    progress : callable, optional
        Receives one line per event: with ``jobs=1`` ``[1/3] W1: running``,
        ``[programme] wrote ...``; with workers ``[programme] running``,
        ``[W2] wrote reports/W2.html (4.1 s)``, ``[W3] FAILED: ...``.
    pool : ReportPool, optional
        Workers already started (and warming up) by the caller; used even
        with ``jobs=1``. Left running: the caller closes it.

    Returns
    -------
    done : dict
        Key -> :class:`ReportResult` of the reports written, in the order of ``tasks``.
    failed : dict
        Key -> one-line error message of the reports that failed, in the order of ``tasks``.

    Raises
    ------
    ValueError
        If ``jobs`` is less than 1.
    ReportInterrupted
        On SIGINT, SIGTERM or SIGHUP: the batch stops, every kernel is
        killed, finished reports stay.
    """
    tasks = list(tasks)
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"jobs must be a whole number of at least 1, not {jobs!r}")
    if len({t.key for t in tasks}) != len(tasks):
        raise ValueError("report keys must be unique within a batch")
    if pool is None and (jobs == 1 or len(tasks) < 2 or os.name != "posix"):  # workers: POSIX only
        return _run_one_by_one(tasks, out_dir, cell_timeout, timeout, forbidden, pdf, progress)
    from .parallel import ReportPool

    own = pool is None
    pool = ReportPool() if pool is None else pool
    try:
        return pool.run(
            tasks,
            out_dir,
            workers=min(jobs, len(tasks)),
            cell_timeout=cell_timeout,
            timeout=timeout,
            forbidden=forbidden,
            pdf=pdf,
            progress=progress,
        )
    finally:
        if own:
            pool.close()


def _run_one_by_one(
    tasks: list[ReportTask],
    out_dir: str | os.PathLike,
    cell_timeout: int | None,
    timeout: int | None,
    forbidden: Identifiers | set[str] | None,
    pdf: bool,
    progress: Callable[[str], None] | None,
) -> tuple[dict[str, ReportResult], dict[str, str]]:
    """The reports one after the other in this process, each in a fresh kernel (``--jobs 1``)."""
    done: dict[str, ReportResult] = {}
    failed: dict[str, str] = {}
    waves = [t for t in tasks if t.notebook != PROGRAMME_NOTEBOOK]
    for task in tasks:
        if task.notebook == PROGRAMME_NOTEBOOK:
            head, running = f"[{task.key}]", "all waves together: running"
        else:
            head, running = f"[{waves.index(task) + 1}/{len(waves)}] {task.key}:", "running"
        if progress:
            progress(f"{head} {running}")
        try:
            done[task.key] = run_task(
                task,
                out_dir,
                cell_timeout=cell_timeout,
                timeout=timeout,
                forbidden=forbidden,
                pdf=pdf,
            )
            if progress:
                progress(f"{head} wrote {done[task.key].html} ({done[task.key].seconds:.1f} s)")
        except ReportError as exc:
            failed[task.key] = str(exc)
            if progress:
                progress(f"{head} FAILED: {exc}")
    return done, failed


def run_all_waves(
    data_dir: str | os.PathLike | None,
    waves: list[str],
    out_dir: str | os.PathLike = "reports",
    lang: str = "en",
    cell_timeout: int | None = 600,
    extra: dict | None = None,
    progress: Callable[[str], None] | None = None,
    timeout: int | None = None,
    comex: bool = True,
    pdf: bool = False,
    *,
    jobs: int = 1,
    programme: bool = False,
    programme_extra: dict | None = None,
    forbidden: Identifiers | set[str] | None = None,
) -> tuple[dict[str, ReportResult], dict[str, str]]:
    """Execute the wave report for every wave (and the programme report), going on past failures.

    Parameters
    ----------
    data_dir, out_dir, lang, cell_timeout, extra, timeout, comex, pdf
        As in :func:`run_wave_report`.
    waves : list of str
        Wave ids, in order.
    progress : callable, optional
        Receives one line of progress per event.
    jobs : int
        Reports run at once (:func:`run_reports`); 1: one after the other, in this process.
    programme : bool
        Also run the programme report (all waves together), in the same batch.
    programme_extra : dict, optional
        Notebook parameters of the programme report (default: ``extra``).
    forbidden : Identifiers or set of str, optional
        Identifiers to refuse in COMEX mode (default: computed once from the data folder).

    Returns
    -------
    done : dict
        Wave id (or ``"programme"``) -> :class:`ReportResult` for the reports written.
    failed : dict
        Wave id (or ``"programme"``) -> error message for the reports that failed.

    Raises
    ------
    ConfigError
        If the programme's vocabulary is invalid (before any report runs).
    ValueError
        If ``jobs`` is less than 1.
    ReportInterrupted
        On SIGINT, SIGTERM or SIGHUP: the batch stops; finished reports stay.
    """
    check_vocabulary(data_dir, lang, extra)
    tasks = [wave_task(data_dir, wave, lang, extra) for wave in waves]
    if programme:
        tasks.append(
            programme_task(data_dir, lang, extra if programme_extra is None else programme_extra)
        )
    if comex and forbidden is None:
        forbidden = comex_identifiers(data_dir)
    return run_reports(
        tasks,
        out_dir,
        cell_timeout=cell_timeout,
        timeout=timeout,
        forbidden=forbidden if comex else None,
        pdf=pdf,
        jobs=jobs,
        progress=progress,
    )


def refresh_notebooks(
    paths: list[str | os.PathLike] | None = None, cell_timeout: int | None = 600
) -> list[Path]:
    """Re-execute committed notebooks in place with their default parameters.

    Keeps stored outputs in step with the code, so that nbval compares
    something meaningful. Uses the current interpreter's kernel; a notebook is
    rewritten only if it executed without error (atomically).

    Parameters
    ----------
    paths : list of path, optional
        Notebooks to refresh (default: every ``*.ipynb`` of :func:`notebooks_dir`, in a clone
        only: an installed package's files are never rewritten).
    cell_timeout : int, optional
        Seconds allowed per cell.

    Returns
    -------
    list of Path
        The notebooks rewritten.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    if not paths and source_checkout() is None and not os.environ.get(NOTEBOOKS_ENV, "").strip():
        raise ReportError(  # never rewrite an installed package's files
            "refresh-notebooks rewrites the committed notebooks of a clone of advocacy-eval; "
            "this one is installed: name the notebooks to refresh"
        )
    targets = [Path(p) for p in paths] if paths else sorted(notebooks_dir().glob("*.ipynb"))
    done = []
    for path in targets:
        nb = nbformat.read(path, as_version=4)
        with current_kernel() as kernel:
            client = NotebookClient(
                nb,
                kernel_name=kernel,
                timeout=cell_timeout,
                resources={"metadata": {"path": str(path.parent)}},
            )
            try:
                client.execute()
            except CellExecutionError as exc:
                raise ReportError(f"{path.name}: {str(exc).strip().splitlines()[-1]}") from None
        nb.metadata["kernelspec"] = {
            "name": "python3",
            "display_name": "Python 3",
            "language": "python",
        }
        tmp = path.with_suffix(".ipynb.tmp")
        nbformat.write(nb, tmp)
        os.replace(tmp, path)
        done.append(path)
    return done
