"""Imports killed at every step of the commit, permissions of what an import writes, concurrent imports.

The crash tests run ``advocacy-eval import`` in a subprocess with the test-only hook
``ADVOCACY_EVAL_TEST_CRASH_AT=<step>`` (:func:`advocacy_eval.io.imports.store.crash_point`), which ends
the process with ``os._exit(137)`` at that step, like ``kill -9``: no cleanup runs. The next command
must then find the data folder exactly as before the import or exactly as after it (compared byte for
byte with a clean run, the import time in the log aside), with no leftover and no duplicated history.
"""

from __future__ import annotations

import io
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd
import pytest

from advocacy_eval.cli import main as cli_main
from advocacy_eval.errors import AdvocacyEvalError
from advocacy_eval.io.imports import ImportRefused, ImportWriteError, store
from advocacy_eval.privacy.pseudonym import ENV_KEY, ENV_KEY_FILE

from .test_import_files import AS_OF, KEY_HEX, PAGE_OPTS, fx, run, snapshot, x

PLATFORM_FILE = x(fx.PLATFORM_FILES["fr_feb"])
ROSTER_FILE = x("roster_fr_2024-03-01.csv")


@pytest.fixture(autouse=True)
def no_key_in_env(monkeypatch):
    monkeypatch.delenv(ENV_KEY, raising=False)
    monkeypatch.delenv(ENV_KEY_FILE, raising=False)
    monkeypatch.delenv(store.CRASH_ENV, raising=False)


def _without_root_file_powers() -> None:
    """In a child process of root: drop the capabilities that let root ignore file permissions."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2, 3):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP: gone after exec
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def cli(
    *args: str, crash: str | None = None, honour_permissions: bool = False
) -> subprocess.CompletedProcess:
    """``advocacy-eval ARGS`` in a new process (key in the environment), optionally killed at ``crash``.

    ``honour_permissions``: when the tests run as root, the process loses root's power to ignore file
    permissions, so that a read-only folder is read-only for it too.
    """
    env = {k: v for k, v in os.environ.items() if k not in (ENV_KEY_FILE, store.CRASH_ENV)}
    env[ENV_KEY] = KEY_HEX
    if crash:
        env[store.CRASH_ENV] = crash
    restrict = _without_root_file_powers if honour_permissions and os.geteuid() == 0 else None
    return subprocess.run(
        [sys.executable, "-m", "advocacy_eval.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=restrict,
    )


def platform_args(folder: Path) -> list[str]:
    return [
        "import",
        "platform",
        str(PLATFORM_FILE),
        "--mapping",
        "generic-fr",
        "--into",
        str(folder),
        "--as-of",
        AS_OF,
    ]


def normal(folder: Path) -> dict[str, bytes]:
    """Every file of the folder, the import time of the log blanked (the only value two runs differ in)."""
    files = snapshot(folder)
    if "import_log.csv" in files:
        log = pd.read_csv(io.BytesIO(files["import_log.csv"]), dtype=str, keep_default_na=False)
        log["imported_at"] = ""
        files["import_log.csv"] = log.to_csv(index=False).encode()
    return files


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".import"))


@pytest.fixture(scope="module")
def states(tmp_path_factory):
    """A folder holding a roster and a page export ("before"), and the same after a platform import."""
    root = tmp_path_factory.mktemp("crash")
    before = root / "before"
    run("roster", [ROSTER_FILE], before)
    run("linkedin-page", [x(fx.PAGE_FILES["en_xls"])], before, **PAGE_OPTS)
    after = root / "after"
    shutil.copytree(before, after)
    run("platform", [PLATFORM_FILE], after, mapping="generic-fr")
    assert {"raw", "history", "posts.csv", "import_log.csv"} <= {p.name for p in after.iterdir()}
    return before, normal(before), normal(after)


# The platform import replaces four files: its raw copy, history/posts.csv, posts.csv, import_log.csv.
STEPS = [
    ("locked", "before"),
    ("staged", "before"),
    ("validated", "before"),
    ("committed", "after"),
    ("moved-1", "after"),
    ("moved-2", "after"),
    ("moved-3", "after"),
    ("moved-4", "after"),
    ("moved-all", "after"),
    ("journal-removed", "after"),
    ("unlocking", "after"),
]


@pytest.mark.parametrize("step, outcome", STEPS)
def test_an_import_killed_at_any_step_leaves_before_or_after(states, tmp_path, step, outcome):
    base, before, after = states
    folder = tmp_path / "data"
    shutil.copytree(base, folder)
    killed = cli(*platform_args(folder), crash=step)
    assert killed.returncode == 137, killed.stderr
    left = leftovers(folder)
    assert ".import.lock" in left  # the dead process's lock stays behind
    assert (".import-journal.json" in left) == (
        outcome == "after" and step not in ("journal-removed", "unlocking")
    )
    for stage in folder.glob(".import-stage-*"):  # staging is private while it exists
        assert stat.S_IMODE(stage.stat().st_mode) == 0o700
    # the next command (validate) completes or discards the interrupted import first
    assert cli_main(["validate", str(folder), "--as-of", AS_OF]) == 0
    assert normal(folder) == (before if outcome == "before" else after)
    assert leftovers(folder) == []
    # importing again ends exactly as one clean import: no duplicated history, one log row per file
    again = run("platform", [PLATFORM_FILE], folder, mapping="generic-fr")
    assert again.noop == (outcome == "after")
    assert normal(folder) == after and leftovers(folder) == []
    history = pd.read_csv(folder / "history" / "posts.csv", dtype=str)
    assert not history.duplicated().any()


@pytest.mark.parametrize("step", ["staged", "moved-2", "unlocking"])
def test_the_next_import_alone_recovers(states, tmp_path, step):
    base, _, after = states
    folder = tmp_path / "data"
    shutil.copytree(base, folder)
    assert cli(*platform_args(folder), crash=step).returncode == 137
    result = run("platform", [PLATFORM_FILE], folder, mapping="generic-fr")
    assert normal(folder) == after and leftovers(folder) == []
    assert (result.recovered is not None) == (step != "unlocking")
    if step == "moved-2":
        assert "has been completed" in result.recovered and result.noop
        assert result.summary().startswith("recovered: ")


def test_a_kill_while_recovering_is_recovered_too(states, tmp_path):
    base, _, after = states
    folder = tmp_path / "data"
    shutil.copytree(base, folder)
    assert cli(*platform_args(folder), crash="moved-1").returncode == 137
    second = cli(
        "validate", str(folder), "--as-of", AS_OF, crash="recovering-3"
    )  # killed again, mid-recovery
    assert second.returncode == 137
    assert (folder / ".import-journal.json").exists()
    done = cli("validate", str(folder), "--as-of", AS_OF)
    assert (
        done.returncode == 0
        and "has been completed" in done.stderr
        and "Traceback" not in done.stderr
    )
    assert normal(folder) == after and leftovers(folder) == []


@pytest.mark.parametrize("step, outcome", [("staged", "before"), ("moved-1", "after")])
def test_a_killed_import_into_a_new_folder(tmp_path, step, outcome):
    clean = tmp_path / "clean"
    run("roster", [ROSTER_FILE], clean)
    folder = tmp_path / "new" / "data"
    args = ["import", "roster", str(ROSTER_FILE), "--into", str(folder), "--as-of", AS_OF]
    assert cli(*args, crash=step).returncode == 137
    if outcome == "before":
        stage_raw = list(folder.glob(".import-stage-*/new/raw/*"))
        assert len(stage_raw) == 1 and stat.S_IMODE(stage_raw[0].stat().st_mode) == 0o600
    done = cli(*args)
    assert done.returncode == 0, done.stderr
    assert ("already imported" in done.stdout) == (outcome == "after")
    assert normal(folder) == normal(clean) and leftovers(folder) == []


def test_a_failed_undo_is_finished_by_the_next_command(states, tmp_path, monkeypatch):
    """A disk error while moving files, then another while undoing: the next command puts things back."""
    base, before, _ = states
    folder = tmp_path / "data"
    shutil.copytree(base, folder)
    real_replace, real_roll_back, calls = store.os.replace, store._roll_back, []

    def flaky(src, dst):
        calls.append(dst)
        if len(calls) == 3:  # journal published, raw copy moved; history/posts.csv fails
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    def broken_roll_back(*args):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(store.os, "replace", flaky)
    monkeypatch.setattr(store, "_roll_back", broken_roll_back)
    with pytest.raises(
        ImportWriteError, match=r"could not be undone .* next import, validate or report"
    ):
        run("platform", [PLATFORM_FILE], folder, mapping="generic-fr")
    monkeypatch.setattr(store.os, "replace", real_replace)
    monkeypatch.setattr(store, "_roll_back", real_roll_back)
    assert ".import-rollback.json" in leftovers(folder) and (folder / "raw").exists()
    assert cli_main(["validate", str(folder), "--as-of", AS_OF]) == 0
    assert normal(folder) == before and leftovers(folder) == []


def test_a_history_duplicated_by_an_older_version_is_not_duplicated_again(states, tmp_path):
    """Older versions could write history without the log row; re-importing the file stores it once."""
    base, _, after = states
    folder = tmp_path / "data"
    shutil.copytree(base, folder)
    shutil.copyfile(
        base.parent / "after" / "history" / "posts.csv", folder / "history" / "posts.csv"
    )
    run("platform", [PLATFORM_FILE], folder, mapping="generic-fr")
    assert normal(folder) == after


# --------------------------------------------------------------------------- permissions


@pytest.mark.parametrize(
    "source_mode, copy_mode", [(0o600, 0o600), (0o640, 0o600), (0o644, 0o600), (0o400, 0o400)]
)
def test_raw_copies_keep_the_source_permissions_never_wider_than_0600(
    tmp_path, source_mode, copy_mode
):
    source = tmp_path / ROSTER_FILE.name
    shutil.copyfile(ROSTER_FILE, source)
    source.chmod(source_mode)
    folder = tmp_path / "data"
    result = run("roster", [source], folder)
    copy = folder / result.files[0].raw_file
    assert stat.S_IMODE(copy.stat().st_mode) == copy_mode
    assert stat.S_IMODE((folder / "raw").stat().st_mode) == 0o700
    assert copy.read_bytes() == ROSTER_FILE.read_bytes()


def test_rewritten_tables_keep_their_permissions_and_failed_imports_leave_no_stage(
    states, tmp_path
):
    base, _before, _ = states
    folder = tmp_path / "data"
    shutil.copytree(base, folder)
    (folder / "posts.csv").chmod(0o640)
    bad = fx.write_platform_csv(tmp_path / "plateforme_bad_2024-05-01.csv", fx.PLATFORM_MAR)
    bad.write_bytes(
        bad.read_bytes().decode("cp1252").replace("1\u00a0940", "1.9.4").encode("cp1252")
    )
    with pytest.raises(AdvocacyEvalError):
        run("platform", [bad], folder, mapping="generic-fr")
    assert leftovers(folder) == []
    run("platform", [PLATFORM_FILE], folder, mapping="generic-fr")
    assert stat.S_IMODE((folder / "posts.csv").stat().st_mode) == 0o640
    assert leftovers(folder) == []


# --------------------------------------------------------------------------- read-only folder, concurrency


def test_a_read_only_data_folder_gives_one_clear_error(states):
    base, before, _ = states
    root = Path(tempfile.mkdtemp(prefix="advocacy-ro-"))
    try:
        folder = root / "data"
        shutil.copytree(base, folder)
        for path in [folder, *folder.rglob("*")]:
            path.chmod(0o555 if path.is_dir() else 0o444)
        probe = subprocess.run(
            [sys.executable, "-c", f"open({str(folder / 'probe')!r}, 'w')"],
            capture_output=True,
            preexec_fn=_without_root_file_powers if os.geteuid() == 0 else None,
        )
        if probe.returncode == 0:
            # On the project's CI (Linux, root) the capability exists: a skip there would hide a failure.
            (pytest.fail if os.environ.get("CI") else pytest.skip)(
                "this process can write into a read-only folder (root without a way to drop that power)"
            )
        done = cli(*platform_args(folder), honour_permissions=True)
        assert done.returncode == 1 and "Traceback" not in done.stderr
        assert done.stderr.strip().splitlines() == [
            (
                f"advocacy-eval import failed: cannot import into {folder}: the folder is not writable "
                "(Permission denied); nothing was changed. Imports need write access to the data folder "
                "(check its permissions, or import into a copy)"
            )
        ]
        assert (
            cli("validate", str(folder), "--as-of", AS_OF, honour_permissions=True).returncode == 0
        )  # reads
        assert normal(folder) == before
    finally:
        for path in [root, *root.rglob("*")]:
            path.chmod(0o700 if path.is_dir() else 0o600)
        shutil.rmtree(root)


def test_an_import_while_another_holds_the_folder_is_refused_and_removes_nothing(tmp_path):
    folder = tmp_path / "new" / "data"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            (
                "import sys; from pathlib import Path; "
                "from advocacy_eval.io.imports.store import FolderLock\n"
                f"with FolderLock(Path({str(folder)!r})):\n    print('locked', flush=True); sys.stdin.read()"
            ),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(ImportRefused) as info:
            run("roster", [ROSTER_FILE], folder)
        assert str(info.value).startswith(
            f"another import into {folder} is running (process {holder.pid} on "
        )
        assert folder.is_dir()  # created by the other import: not ours to remove
        done = cli("import", "roster", str(ROSTER_FILE), "--into", str(folder), "--as-of", AS_OF)
        assert done.returncode == 1 and "Traceback" not in done.stderr
        assert done.stderr.startswith(
            f"advocacy-eval import refused: another import into {folder} is running "
            f"(process {holder.pid} on "
        )
    finally:
        holder.communicate("", timeout=60)
    assert run("roster", [ROSTER_FILE], folder).files[0].status == "imported"


def test_two_imports_creating_the_same_new_folder_at_once(tmp_path):
    clean = tmp_path / "clean"
    run("roster", [ROSTER_FILE], clean)
    env = {k: v for k, v in os.environ.items() if k not in (ENV_KEY_FILE, store.CRASH_ENV)}
    env[ENV_KEY] = KEY_HEX
    for attempt in range(3):
        folder = tmp_path / f"try{attempt}" / "data"
        args = [
            sys.executable,
            "-m",
            "advocacy_eval.cli",
            "import",
            "roster",
            str(ROSTER_FILE),
            "--into",
            str(folder),
            "--as-of",
            AS_OF,
        ]
        procs = [
            subprocess.Popen(
                args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
            for _ in range(2)
        ]
        outputs = [p.communicate(timeout=300) for p in procs]
        codes = sorted(p.returncode for p in procs)
        assert codes in ([0, 0], [0, 1]), outputs
        for (_out, err), proc in zip(outputs, procs, strict=True):
            assert "Traceback" not in err
            if proc.returncode == 1:  # the loser: one clear message
                assert err.startswith(
                    f"advocacy-eval import refused: another import into {folder} is running"
                )
                assert len(err.strip().splitlines()) == 1
        assert normal(folder) == normal(clean) and leftovers(folder) == []


def test_a_stale_lock_of_a_dead_process_is_taken_over(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    pid = int(dead.stdout)
    (folder / ".import.lock").write_text(
        f'{{"pid": {pid}, "host": "here", "since": "2024-01-01T00:00:00Z"}}'
    )
    run("roster", [ROSTER_FILE], folder)
    assert leftovers(folder) == []


def test_the_pid_check_without_flock(tmp_path, monkeypatch):
    """Where flock is unavailable, a lock naming a live process refuses; one naming a dead process is stale."""
    import json
    import socket

    monkeypatch.setattr(store, "fcntl", None)
    folder = tmp_path / "data"
    folder.mkdir()
    lock = folder / ".import.lock"
    lock.write_text(json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "since": "now"}))
    with pytest.raises(ImportRefused, match=f"process {os.getpid()} on"):
        run("roster", [ROSTER_FILE], folder)
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    lock.write_text(
        json.dumps({"pid": int(dead.stdout), "host": socket.gethostname(), "since": "then"})
    )
    run("roster", [ROSTER_FILE], folder)
    assert leftovers(folder) == []


def test_a_stale_lock_file_this_user_cannot_write_is_replaced(tmp_path, monkeypatch):
    """A lock file left by another user (not writable by us) is removed when nobody holds it."""
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / ".import.lock").write_text('{"pid": 1, "host": "other", "since": "then"}')
    real_open, refused = store.os.open, []

    def foreign_lock(path, flags, *args, **kwargs):
        if str(path).endswith(".import.lock") and flags & os.O_RDWR and not refused:
            refused.append(path)
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(store.os, "open", foreign_lock)
    run("roster", [ROSTER_FILE], folder)
    assert refused and leftovers(folder) == []
