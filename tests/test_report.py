"""Report execution: papermill path with parameters, HTML without code, failures leave old reports intact."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup

from advocacy_eval.errors import ReportError
from advocacy_eval.publish.runner import run_all_waves, run_wave_report, to_html


def _failing_notebook(folder: Path, fail_on: str = "W2") -> Path:
    """A stand-in wave_report.ipynb that fails for one wave and succeeds for the others."""
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell(
        'data_dir: str = ""  # data\nwave: str = "W1"  # wave\nlang: str = "en"  # lang'
    )
    params.metadata["tags"] = ["parameters"]
    nb.cells = [
        params,
        nbformat.v4.new_code_cell(
            f'if wave == "{fail_on}":\n    raise RuntimeError("boom in " + wave)\nprint("report for", wave)'
        ),
    ]
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / "wave_report.ipynb")
    return folder


def test_papermill_path_with_parameters_writes_standalone_html(tmp_path, sample_dir):
    result = run_wave_report(
        sample_dir,
        "W2",
        tmp_path / "out",
        lang="fr",
        extra={"claimed_ratio": 3.0, "target_corporate_share": 0.25, "min_group_size": 6},
    )
    assert result.html == tmp_path / "out" / "W2.html" and result.notebook.exists()
    soup = BeautifulSoup(result.html.read_text(encoding="utf-8"), "html.parser")
    text = soup.get_text(" ", strip=True)
    assert "Programme collaborateurs influenceurs" in text and "Synthèse" in text
    assert "au moins 3x celui de la page" in text  # the injected claim drove the scorecard
    assert "font 25\u202f% des publications" in text
    card = result.scorecard.read_text(encoding="utf-8").splitlines()
    assert card[0] == (
        "claim,metric,population,op,target,tolerance,estimate,ci_low,ci_high,unit,verdict,n,flag,"
        "sensitivity_estimate,sensitivity_ci_low,sensitivity_ci_high,sensitivity_verdict"
    )
    assert any(line.startswith("amplification >= 3,amplification,W2,>=,3,") for line in card)
    assert not soup.select(".jp-InputArea"), "code cells must not be exported"
    assert "min_group_size" not in text.split("Paramètre")[0]  # the parameters cell is not shown
    images = soup.find_all("img")
    assert len(images) >= 3 and all(
        i["src"].startswith("data:image/svg+xml;base64,") for i in images
    )
    assert soup.html["lang"] == "fr" and soup.title.get_text() == soup.find("h1").get_text()
    assert all(
        i["alt"] and i["alt"] != "No description has been provided for this image" for i in images
    )
    assert "Traceback" not in text and "Warning" not in text
    executed = nbformat.read(result.notebook, as_version=4)
    injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and "claimed_ratio = 3.0" in injected[0].source
    assert not any(p.name.startswith(".W2-") for p in (tmp_path / "out").iterdir()), (
        "temporary folder left behind"
    )


def test_failed_cell_keeps_previous_report_and_names_the_cell(tmp_path, monkeypatch):
    monkeypatch.setenv("ADVOCACY_EVAL_NOTEBOOKS", str(_failing_notebook(tmp_path / "nb")))
    out = tmp_path / "out"
    out.mkdir()
    (out / "W2.html").write_text("previous good report", encoding="utf-8")
    with pytest.raises(ReportError) as info:
        run_wave_report(tmp_path, "W2", out, comex=False)
    message = str(info.value)
    assert "RuntimeError" in message and "boom in W2" in message and "cell" in message
    assert (out / "W2.html").read_text(encoding="utf-8") == "previous good report"
    assert (out / "_failed" / "W2.ipynb").exists()


def test_all_waves_goes_on_past_a_failure(tmp_path, monkeypatch):
    monkeypatch.setenv("ADVOCACY_EVAL_NOTEBOOKS", str(_failing_notebook(tmp_path / "nb")))
    lines: list[str] = []
    done, failed = run_all_waves(
        tmp_path, ["W1", "W2", "W3"], tmp_path / "out", progress=lines.append, comex=False
    )
    assert sorted(done) == ["W1", "W3"] and list(failed) == ["W2"]
    assert any("W2: FAILED" in line for line in lines)
    assert "report for W3" in (tmp_path / "out" / "W3.html").read_text(encoding="utf-8")


def test_output_path_that_is_a_file_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ReportError, match="cannot write to the output folder"):
        run_wave_report(tmp_path, "W1", blocker / "out", comex=False)


def test_html_export_hides_parameters_and_stderr():
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("secret_param = 1")
    params.metadata["tags"] = ["parameters"]
    params.outputs = [nbformat.v4.new_output("stream", name="stdout", text="PARAM-OUTPUT")]
    shown = nbformat.v4.new_code_cell("x")
    shown.outputs = [
        nbformat.v4.new_output("stream", name="stderr", text="SomeWarning: noisy"),
        nbformat.v4.new_output("stream", name="stdout", text="VISIBLE"),
    ]
    nb.cells = [params, shown]
    html = to_html(nb, "t")
    assert "VISIBLE" in html
    assert "PARAM-OUTPUT" not in html and "secret_param" not in html and "noisy" not in html


def _notebook_with(folder: Path, code: str) -> Path:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell(
        'data_dir: str = ""  # data\nwave: str = "W1"  # wave\nlang: str = "en"  # lang'
    )
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(code)]
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / "wave_report.ipynb")
    return folder


@pytest.mark.parametrize(
    "code, options, expected",
    [
        (
            "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)",
            {},
            r"the Python kernel died while running cell \[3\]",
        ),
        (
            "import time\ntime.sleep(60)",
            {"cell_timeout": 2},
            r"cell \[3\] did not finish within the per-cell time limit of 2 s \(--cell-timeout\)",
        ),
        ("import time\ntime.sleep(60)", {"timeout": 3}, r"took longer than 3 s \(--timeout\)"),
    ],
)
def test_killed_kernel_and_timeouts_keep_previous_report(
    tmp_path, monkeypatch, code, options, expected
):
    monkeypatch.setenv("ADVOCACY_EVAL_NOTEBOOKS", str(_notebook_with(tmp_path / "nb", code)))
    out = tmp_path / "out"
    out.mkdir()
    (out / "W1.html").write_text("previous good report", encoding="utf-8")
    with pytest.raises(ReportError, match=expected) as info:
        run_wave_report(tmp_path, "W1", out, comex=False, **options)
    assert "\n" not in str(info.value), "one line, no traceback or cell preview"
    assert (out / "W1.html").read_text(encoding="utf-8") == "previous good report"
    assert sorted(p.name for p in out.iterdir()) == ["W1.html", "_failed"]


def test_same_inputs_give_the_same_report(tmp_path, sample_dir):
    import json
    import re

    first = run_wave_report(sample_dir, "W3", tmp_path / "a")
    second = run_wave_report(sample_dir, "W3", tmp_path / "b")

    def strip(text: str) -> str:
        return re.sub(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?Z?( UTC)?", "TIME", text)

    def numbers(html: str) -> list[str]:
        return re.findall(r"\d+[.,]\d+", BeautifulSoup(html, "html.parser").get_text(" "))

    def tables(html: str) -> list[str]:
        return [t.get_text("|") for t in BeautifulSoup(html, "html.parser").find_all("table")]

    html_a, html_b = (strip(r.html.read_text(encoding="utf-8")) for r in (first, second))
    assert numbers(html_a) == numbers(html_b) and len(numbers(html_a)) > 50
    assert tables(html_a) == tables(html_b)
    run_a, run_b = (json.loads(r.run_json.read_text()) for r in (first, second))
    for run in (run_a, run_b):
        run.pop("generated_at"), run.pop("run")
    assert run_a == run_b
    assert {i["file"] for i in run_a["inputs"]} == {
        "waves.csv",
        "employees.csv",
        "posts.csv",
        "activity.csv",
    }
    assert run_a["parameters"]["wave"] == "W3" and run_a["min_group_size"] == 5


def test_run_json_holds_provenance_without_secrets(tmp_path, sample_dir, monkeypatch):
    import json

    monkeypatch.setenv("ADVOCACY_EVAL_KEY", "super-secret-key-value-0123456789")
    result = run_wave_report(sample_dir, "W1", tmp_path, lang="fr")
    record = json.loads(result.run_json.read_text(encoding="utf-8"))
    for key in (
        "package",
        "dependencies",
        "python",
        "git",
        "parameters",
        "inputs",
        "min_group_size",
        "generated_at",
    ):
        assert key in record
    assert record["dependencies"]["pandas"] and record["inputs"][0]["sha256"]
    everything = result.run_json.read_text() + result.html.read_text(encoding="utf-8")
    assert (
        "super-secret-key-value" not in everything
        and str(Path.home()) not in record["parameters"]["data_dir"]
    )
    html = result.html.read_text(encoding="utf-8")
    assert "Provenance" in html and record["inputs"][0]["sha256"] in html
