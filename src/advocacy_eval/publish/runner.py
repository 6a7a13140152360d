"""Execute the report notebooks with papermill and export COMEX HTML.

A run executes the notebook into a private temporary folder inside the output
folder, exports standalone HTML (images embedded, no code, no parameter cells,
no warnings), and only then moves the results into place with
:func:`os.replace`: a failed run never touches the previous report. The failed
notebook is kept in ``<out>/_failed/`` for debugging.

The kernel is always the current interpreter (a temporary kernelspec pointing
at :data:`sys.executable`), never whatever ``python3`` kernelspec happens to be
installed.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import sys
import threading
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat

from ..errors import ReportError
from ..paths import notebooks_dir, resolve_data_dir
from ..reports.provenance import SCORECARD_MIME_TYPE, find_record, find_scorecard_csv

KERNEL_NAME = "advocacy-eval-current-python"
"""Name of the temporary kernelspec that runs the current interpreter."""

HIDDEN_TAGS: tuple[str, ...] = ("parameters", "injected-parameters", "remove-cell")
"""Cells with these tags are left out of the COMEX HTML export."""

REPORT_CSS = """
<style>
  body { font-family: "DejaVu Sans", "Segoe UI", Arial, sans-serif; color: #1a1a1a; }
  .jp-Notebook, body > main { max-width: 1100px; margin: 0 auto; }
  h1 { font-size: 1.6em; margin: 0.2em 0 0.1em 0; }
  h2 { font-size: 1.25em; margin-top: 1.2em; border-bottom: 2px solid #0173b2; padding-bottom: 0.15em; }
  table.advocacy-table { border-collapse: collapse; margin: 0.4em 0 0.8em 0; font-size: 0.92em; }
  table.advocacy-table th { background: #eef4fa; text-align: left !important; padding: 4px 8px; }
  table.advocacy-table td { border-top: 1px solid #d0d7de; padding: 4px 8px; vertical-align: top; text-align: left !important; }
  img { max-width: 100%; height: auto; }
  @page { size: A4; margin: 14mm 12mm; }
  @media print {
    table, img, figure, .jp-OutputArea-output, .jp-Cell { break-inside: avoid; page-break-inside: avoid; }
    h1, h2, h3 { break-after: avoid; page-break-after: avoid; }
    body { font-size: 10.5pt; }
  }
</style>
"""
"""Styling of COMEX reports: readable tables, and page breaks that never cut a table or figure."""


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


@contextlib.contextmanager
def current_kernel() -> Iterator[str]:
    """Provide a kernelspec that runs this interpreter, for the duration of a run.

    Yields
    ------
    str
        The kernel name to give papermill.
    """
    with tempfile.TemporaryDirectory(prefix="advocacy-eval-kernel-") as tmp:
        spec_dir = Path(tmp) / "kernels" / KERNEL_NAME
        spec_dir.mkdir(parents=True)
        spec = {
            "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}",
                     "--IPKernelApp.log_level=ERROR"],
            "display_name": f"Python {sys.version_info.major}.{sys.version_info.minor} (advocacy-eval)",
            "language": "python",
            "metadata": {"debugger": False},
        }
        (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
        old = os.environ.get("JUPYTER_PATH")
        os.environ["JUPYTER_PATH"] = tmp + (os.pathsep + old if old else "")
        try:
            yield KERNEL_NAME
        finally:
            if old is None:
                os.environ.pop("JUPYTER_PATH", None)
            else:
                os.environ["JUPYTER_PATH"] = old


def to_html(notebook: nbformat.NotebookNode, title: str) -> str:
    """Render an executed notebook as standalone COMEX HTML.

    Code, prompts, parameter cells and stderr output (warnings) are left out;
    images are embedded as base64.

    Parameters
    ----------
    notebook : nbformat.NotebookNode
        Executed notebook.
    title : str
        HTML page title.
    """
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    nb = nbformat.from_dict(json.loads(json.dumps(notebook)))
    for cell in nb.cells:
        if cell.get("cell_type") == "code":
            cell["outputs"] = [o for o in cell.get("outputs", [])
                               if not (o.get("output_type") == "stream" and o.get("name") == "stderr")
                               and SCORECARD_MIME_TYPE not in o.get("data", {})]  # machine-readable only
    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
                            anchor_link_text="")
    remover = TagRemovePreprocessor(remove_cell_tags=set(HIDDEN_TAGS), enabled=True)
    exporter.register_preprocessor(remover, enabled=True)
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    return body.replace("</head>", REPORT_CSS + "</head>", 1)


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
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
    "--disable-extensions", "--no-pdf-header-footer",
)
"""Flags for an offline, headless Chromium (no network traffic of its own)."""


def html_to_pdf(html: str | os.PathLike, pdf: str | os.PathLike, timeout: int = 180) -> Path:
    """Print an HTML report to PDF (A4) with headless Chromium, offline.

    Parameters
    ----------
    html : path
        Standalone HTML file (images embedded).
    pdf : path
        PDF file to write.
    timeout : int
        Seconds allowed.

    Raises
    ------
    ReportError
        If Chromium is missing or fails.
    """
    import subprocess

    chromium = find_chromium()
    if chromium is None:
        raise ReportError("PDF export needs Chromium: install it (Debian: apt-get install chromium, or "
                          "`make browser`) or set ADVOCACY_EVAL_CHROMIUM to its path")
    pdf = Path(pdf)
    with tempfile.TemporaryDirectory(prefix="advocacy-eval-chromium-") as profile:
        cmd = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={pdf}",
               Path(html).resolve().as_uri()]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise ReportError(f"PDF export timed out after {timeout} s") from None
    if done.returncode != 0 or not pdf.exists() or pdf.stat().st_size == 0:
        tail = (done.stderr or "").strip().splitlines()[-1:] or ["no output"]
        raise ReportError(f"PDF export failed (Chromium exit code {done.returncode}): {tail[0]}")
    return pdf


def pdf_page_count(pdf: str | os.PathLike) -> int:
    """Number of pages of a PDF file (counts its page objects)."""
    data = Path(pdf).read_bytes()
    return len(re.findall(rb"/Type\s*/Page(?!s)", data))


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_PROFILE_URL = re.compile(r"linkedin\.com/in/[\w%-]+", re.IGNORECASE)
_TOKEN = re.compile(r"[\w@.:/%+-]+")


def identifiers(programme) -> set[str]:
    """Values that must never appear in a COMEX report.

    Employee and author ids, post ids, and every value of the non-canonical
    text columns of the employees and posts tables (where names, e-mails or
    profile URLs may hide).

    Parameters
    ----------
    programme : Programme
        Loaded programme.
    """
    from ..schema import COLUMNS

    values: set[str] = set()
    for table, ids in (("employees", ["employee_id"]), ("posts", ["post_id"])):
        frame = getattr(programme, table)
        canonical = {c.name for c in COLUMNS[table]}
        extra = [c for c in frame.columns if c not in canonical and pd_is_string(frame[c])]
        for col in ids + extra:
            values.update(str(v) for v in frame[col].dropna().unique())
    emp_posts = programme.posts.loc[programme.posts["author_type"] == "employee", "author_id"]
    values.update(str(v) for v in emp_posts.dropna().unique())
    return {v for v in values if len(v) >= 3}


def pd_is_string(series) -> bool:
    """Whether a column holds text."""
    import pandas as pd

    return pd.api.types.is_string_dtype(series) or series.dtype == object


def leaks(html_text: str, forbidden: set[str]) -> list[str]:
    """Identifiers, e-mail addresses or profile URLs found in a report's visible text.

    Parameters
    ----------
    html_text : str
        The report's visible text (tags removed).
    forbidden : set of str
        Identifiers from the input (see :func:`identifiers`).
    """
    found = set(_EMAIL.findall(html_text)) | set(_PROFILE_URL.findall(html_text))
    tokens = set(_TOKEN.findall(html_text))
    found |= tokens & forbidden
    found |= {f for f in forbidden if (" " in f or len(f) > 24) and f in html_text}
    return sorted(found)


def visible_text(html: str) -> str:
    """Text a reader sees in an HTML report (scripts and styles removed)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style"]):
        tag.decompose()
    return soup.get_text(" ", strip=True)


@contextlib.contextmanager
def total_timeout(seconds: int | None) -> Iterator[None]:
    """Raise :class:`TimeoutError` in the main thread after ``seconds`` (no limit if None)."""
    if not seconds or threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGALRM"):
        yield
        return

    def _expire(signum, frame):
        raise TimeoutError(f"the report took longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, _expire)
    signal.alarm(int(seconds))
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _failure_message(exc: Exception, notebook: str) -> str:
    cell = getattr(exc, "exec_count", None) or getattr(exc, "cell_index", None)
    ename = getattr(exc, "ename", type(exc).__name__)
    evalue = getattr(exc, "evalue", str(exc))
    where = f"cell [{cell}]" if cell is not None else "a cell"
    return f"{notebook}: {where} failed with {ename}: {evalue}".strip()


def run_notebook(
    notebook: str,
    parameters: dict,
    out_dir: str | os.PathLike,
    stem: str,
    title: str,
    cell_timeout: int | None = 600,
    timeout: int | None = None,
    forbidden: set[str] | None = None,
    pdf: bool = False,
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
        Base name of the output files.
    title : str
        HTML title.
    cell_timeout : int, optional
        Seconds allowed per cell.
    timeout : int, optional
        Seconds allowed for the whole run.
    forbidden : set of str, optional
        Identifiers that must not appear in the HTML (COMEX mode): a report
        showing any of them, an e-mail address or a profile URL is refused.

    Returns
    -------
    ReportResult

    Raises
    ------
    ReportError
        If the output folder cannot be written, a cell fails, the kernel dies,
        the run times out, or the report would expose identifiers. The previous
        report, if any, is left as it was; the failed notebook is saved to
        ``<out>/_failed/<stem>.ipynb``.
    """
    import papermill as pm

    template = notebooks_dir() / notebook
    if not template.is_file():
        raise ReportError(f"report notebook not found: {template}")
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{stem}-", dir=out))
    except OSError as exc:
        raise ReportError(f"cannot write to the output folder {out}: {exc.strerror or exc}") from None
    started = time.perf_counter()
    try:
        executed = tmp / f"{stem}.ipynb"
        with current_kernel() as kernel:
            try:
                with total_timeout(timeout):
                    pm.execute_notebook(
                        str(template), str(executed), parameters=parameters, kernel_name=kernel,
                        language="python", progress_bar=False, log_output=False,
                        execution_timeout=cell_timeout, cwd=str(template.parent), report_mode=False,
                    )
            except Exception as exc:  # papermill raises its own error types and kernel errors
                failed_dir = out / "_failed"
                failed_dir.mkdir(exist_ok=True)
                if executed.exists():
                    os.replace(executed, failed_dir / f"{stem}.ipynb")
                raise ReportError(_failure_message(exc, notebook)
                                  + f" (executed notebook saved to {failed_dir / (stem + '.ipynb')};"
                                  " the previous report was left untouched)") from None
        nb = nbformat.read(executed, as_version=4)
        body = to_html(nb, title)
        if forbidden is not None:
            found = leaks(visible_text(body), forbidden)
            if found:
                failed_dir = out / "_failed"
                failed_dir.mkdir(exist_ok=True)
                os.replace(executed, failed_dir / f"{stem}.ipynb")
                shown = ", ".join(found[:5]) + (" ..." if len(found) > 5 else "")
                raise ReportError(f"{notebook}: report refused in COMEX mode: it would show {len(found)} "
                                  f"identifier(s) of employees or posts ({shown}); the previous report was "
                                  "left untouched")
        (tmp / f"{stem}.html").write_text(body, encoding="utf-8")
        if pdf:
            html_to_pdf(tmp / f"{stem}.html", tmp / f"{stem}.pdf")
        record = find_record(nb)
        run_json = None
        if record is not None:
            record["run"] = {"notebook": notebook, "seconds": round(time.perf_counter() - started, 3),
                             "cell_timeout": cell_timeout, "timeout": timeout}
            (tmp / f"{stem}.run.json").write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n",
                                                  encoding="utf-8")
            run_json = out / f"{stem}.run.json"
        scorecard_csv = find_scorecard_csv(nb)
        scorecard = None
        if scorecard_csv is not None:
            (tmp / f"{stem}.scorecard.csv").write_text(scorecard_csv, encoding="utf-8")
            scorecard = out / f"{stem}.scorecard.csv"
        html, ipynb = out / f"{stem}.html", out / f"{stem}.ipynb"
        os.replace(tmp / f"{stem}.ipynb", ipynb)
        if scorecard is not None:
            os.replace(tmp / f"{stem}.scorecard.csv", scorecard)
        if run_json is not None:
            os.replace(tmp / f"{stem}.run.json", run_json)
        pdf_path = None
        if pdf:
            pdf_path = out / f"{stem}.pdf"
            os.replace(tmp / f"{stem}.pdf", pdf_path)
        os.replace(tmp / f"{stem}.html", html)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return ReportResult(html=html, notebook=ipynb, seconds=time.perf_counter() - started, run_json=run_json,
                        pdf=pdf_path, scorecard=scorecard)


def comex_identifiers(data_dir: str | os.PathLike | None) -> set[str]:
    """Identifiers a COMEX report built on ``data_dir`` must not show.

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


def run_wave_report(
    data_dir: str | os.PathLike | None,
    wave: str,
    out_dir: str | os.PathLike = "reports",
    lang: str = "en",
    cell_timeout: int | None = 600,
    extra: dict | None = None,
    timeout: int | None = None,
    comex: bool = True,
    forbidden: set[str] | None = None,
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
    forbidden : set of str, optional
        Identifiers to refuse (default: computed from the data folder in COMEX mode).
    pdf : bool
        Also write ``<wave>.pdf``.
    """
    params = {"data_dir": str(resolve_data_dir(data_dir)), "wave": wave, "lang": lang}
    params.update(extra or {})
    if comex and forbidden is None:
        forbidden = comex_identifiers(data_dir)
    return run_notebook("wave_report.ipynb", params, out_dir, stem=wave, title=f"advocacy-eval — {wave}",
                        cell_timeout=cell_timeout, timeout=timeout, forbidden=forbidden if comex else None,
                        pdf=pdf)


def run_programme_report(
    data_dir: str | os.PathLike | None,
    out_dir: str | os.PathLike = "reports",
    lang: str = "en",
    cell_timeout: int | None = 600,
    extra: dict | None = None,
    timeout: int | None = None,
    comex: bool = True,
    forbidden: set[str] | None = None,
    pdf: bool = False,
) -> ReportResult:
    """Execute ``programme_report.ipynb`` (all waves together): writes ``programme.html`` and its siblings.

    Parameters
    ----------
    data_dir, out_dir, lang, cell_timeout, timeout, comex, forbidden, pdf
        As in :func:`run_wave_report`.
    extra : dict, optional
        Other notebook parameters (outcome, control group, claimed profiles, k).
    """
    params = {"data_dir": str(resolve_data_dir(data_dir)), "lang": lang}
    params.update(extra or {})
    if comex and forbidden is None:
        forbidden = comex_identifiers(data_dir)
    return run_notebook("programme_report.ipynb", params, out_dir, stem="programme",
                        title="advocacy-eval — programme", cell_timeout=cell_timeout, timeout=timeout,
                        forbidden=forbidden if comex else None, pdf=pdf)


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
) -> tuple[dict[str, ReportResult], dict[str, str]]:
    """Execute the wave report for every wave, going on past failures.

    Parameters
    ----------
    data_dir, out_dir, lang, cell_timeout, extra, timeout, comex, pdf
        As in :func:`run_wave_report`.
    waves : list of str
        Wave ids, in order.
    progress : callable, optional
        Receives one line of progress per event.

    Returns
    -------
    done : dict
        Wave id -> :class:`ReportResult` for the successful waves.
    failed : dict
        Wave id -> error message for the failed waves.
    """
    done: dict[str, ReportResult] = {}
    failed: dict[str, str] = {}
    forbidden = comex_identifiers(data_dir) if comex else None
    for i, wave in enumerate(waves, start=1):
        if progress:
            progress(f"[{i}/{len(waves)}] {wave}: running")
        try:
            done[wave] = run_wave_report(data_dir, wave, out_dir, lang, cell_timeout, extra, timeout=timeout,
                                         comex=comex, forbidden=forbidden, pdf=pdf)
            if progress:
                progress(f"[{i}/{len(waves)}] {wave}: wrote {done[wave].html} ({done[wave].seconds:.1f} s)")
        except ReportError as exc:
            failed[wave] = str(exc)
            if progress:
                progress(f"[{i}/{len(waves)}] {wave}: FAILED: {exc}")
    return done, failed


def refresh_notebooks(paths: list[str | os.PathLike] | None = None, cell_timeout: int | None = 600) -> list[Path]:
    """Re-execute committed notebooks in place with their default parameters.

    Keeps stored outputs in step with the code, so that nbval compares
    something meaningful. Uses the current interpreter's kernel; a notebook is
    rewritten only if it executed without error (atomically).

    Parameters
    ----------
    paths : list of path, optional
        Notebooks to refresh (default: every ``*.ipynb`` of :func:`notebooks_dir`).
    cell_timeout : int, optional
        Seconds allowed per cell.

    Returns
    -------
    list of Path
        The notebooks rewritten.
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    targets = [Path(p) for p in paths] if paths else sorted(notebooks_dir().glob("*.ipynb"))
    done = []
    for path in targets:
        nb = nbformat.read(path, as_version=4)
        with current_kernel() as kernel:
            client = NotebookClient(nb, kernel_name=kernel, timeout=cell_timeout,
                                    resources={"metadata": {"path": str(path.parent)}})
            try:
                client.execute()
            except CellExecutionError as exc:
                raise ReportError(f"{path.name}: {str(exc).strip().splitlines()[-1]}") from None
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        tmp = path.with_suffix(".ipynb.tmp")
        nbformat.write(nb, tmp)
        os.replace(tmp, path)
        done.append(path)
    return done
