"""Pseudonymisation keys: strict decoding, ``advocacy-eval keygen``, a key file inside the data folder."""

from __future__ import annotations

import base64
import secrets
import stat
import warnings

import pytest

from advocacy_eval.cli import main as cli_main
from advocacy_eval.errors import AdvocacyEvalError
from advocacy_eval.io.imports import import_files
from advocacy_eval.privacy.pseudonym import (
    ENV_KEY,
    ENV_KEY_FILE,
    KEY_FORMAT_RULE,
    MIN_KEY_BYTES,
    KeyLocationWarning,
    PseudonymKeyError,
    coerce_key,
    decode_key,
    load_key,
    make_key,
    pseudonymise,
)

from .test_import_files import AS_OF, KEY, KEY_HEX, x

RAW = bytes(range(7, 7 + 32 * 5, 5))  # 32 distinct bytes, no repeated pattern


@pytest.fixture(autouse=True)
def no_key_in_env(monkeypatch):
    monkeypatch.delenv(ENV_KEY, raising=False)
    monkeypatch.delenv(ENV_KEY_FILE, raising=False)


def test_the_committed_test_keys_still_decode():
    assert MIN_KEY_BYTES == 32
    assert decode_key(KEY_HEX) == KEY and len(KEY) == 32  # tests/test_import_files.py
    assert decode_key(base64.b64encode(KEY).decode()) == KEY
    assert coerce_key(KEY) == KEY


@pytest.mark.parametrize(
    "text",
    [
        RAW.hex(),
        RAW.hex().upper(),
        f"  {RAW.hex()}\n",
        base64.b64encode(RAW).decode(),
        base64.b64encode(RAW).decode().rstrip("="),
        base64.urlsafe_b64encode(RAW).decode(),
        base64.urlsafe_b64encode(RAW).decode().rstrip("=") + "\r\n",
        RAW.hex().encode("ascii"),
    ],
)
def test_hex_and_base64_keys_are_accepted(text):
    assert decode_key(text) == RAW


@pytest.mark.parametrize("encoding", ["hex", "base64"])
def test_generated_keys_decode_to_32_random_bytes(encoding):
    keys = {make_key(encoding) for _ in range(20)}
    assert len(keys) == 20 and all(len(decode_key(k)) == 32 for k in keys)
    assert all(len(decode_key(secrets.token_urlsafe(32))) == 32 for _ in range(20))


@pytest.mark.parametrize(
    "text, reason",
    [
        (
            "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n",
            "white space or several lines",
        ),  # /etc/passwd
        ("correct horse battery staple", "white space or several lines"),  # passphrase
        ("ThisIsMyPassphrase!ForTheProgramme2024", "neither hexadecimal nor base64"),
        (
            "averylongpassphrasewithoutanyspacesbutonlylowercase",
            "without both upper- and lower-case",
        ),
        ("0" * 64, "one byte repeated 32 times (0x00)"),  # all-zero key
        (base64.b64encode(bytes(32)).decode(), "without both upper- and lower-case"),
        (base64.b64encode(b"\x5a" * 48).decode(), "one byte repeated 48 times (0x5a)"),
        ("ab" * 32, "one byte repeated"),
        ("0123456789abcdef" * 4, "repeats a pattern of 8 bytes"),
        ("3141592653589793238462643383279502884197169399375105820974944592", "decimal digits only"),
        (
            "00112233445566778899aabbccddeeff",
            "too short (16 bytes; at least 32 needed)",
        ),  # 128 bits
        (base64.b64encode(RAW[:24]).decode(), "too short (24 bytes"),
        (RAW.hex()[:-1], "odd number of hexadecimal digits"),
        (
            base64.b64encode(RAW).decode()[:20] + "*" + base64.b64encode(RAW).decode()[21:],
            "neither hexadecimal",
        ),
        (base64.b64encode(RAW).decode() + "=", "wrong length or padding"),
        (
            "Ab+" + base64.urlsafe_b64encode(RAW).decode()[3:].replace("=", "") + "-_",
            "mixes the standard",
        ),
        (b"\xff\xfe" + RAW, "not ASCII text"),
        ("", "it is empty"),
    ],
)
def test_anything_else_is_refused_naming_the_rule(text, reason):
    with pytest.raises(PseudonymKeyError) as info:
        decode_key(text)
    message = str(info.value)
    assert message.startswith("pseudonymisation key refused: ") and reason in message
    assert KEY_FORMAT_RULE in message and "advocacy-eval keygen" in message
    assert isinstance(info.value, AdvocacyEvalError)


@pytest.mark.parametrize(
    "raw, reason",
    [
        (bytes(32), "one byte repeated"),
        (RAW[:16], "too short"),
        (b"\x01\x02" * 16, "pattern of 2 bytes"),
    ],
)
def test_raw_key_bytes_are_checked_too(raw, reason):
    with pytest.raises(PseudonymKeyError, match=reason):
        pseudonymise("alice@acme.example", raw)


def test_a_system_file_as_key_file_is_refused_by_the_import_command(tmp_path, capsys):
    passwd = tmp_path / "passwd"
    passwd.write_text(
        "root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534::/nonexistent:/usr/sbin/nologin\n"
    )
    code = cli_main(
        [
            "import",
            "roster",
            str(x("roster_fr_2024-03-01.csv")),
            "--into",
            str(tmp_path / "d"),
            "--key-file",
            str(passwd),
        ]
    )
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert err.startswith(
        f"advocacy-eval import refused: key file {passwd}: pseudonymisation key refused: it "
        "holds white space or several lines"
    )
    assert not (tmp_path / "d").exists()
    with pytest.raises(PseudonymKeyError, match="is a folder"):
        load_key(key_file=tmp_path)


def test_keygen_writes_a_0600_key_file_and_never_overwrites_it(tmp_path, capsys):
    path = tmp_path / "programme.key"
    assert cli_main(["keygen", "--out", str(path)]) == 0
    out = capsys.readouterr().out
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    assert len(decode_key(text)) == 32 and len(text.strip()) == 64 and text.endswith("\n")
    assert f"export {ENV_KEY_FILE}={path}" in out and text.strip() not in out
    assert cli_main(["keygen", "--out", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(
        f"advocacy-eval keygen refused: {path} already exists: keygen never overwrites"
    )
    assert path.read_text() == text
    b64 = tmp_path / "b64.key"
    assert cli_main(["keygen", "--out", str(b64), "--format", "base64"]) == 0
    assert len(b64.read_text().strip()) == 44 and len(load_key(key_file=b64)) == 32
    assert cli_main(["keygen", "--out", str(tmp_path / "missing" / "k.key")]) == 1
    assert "cannot create the key file" in capsys.readouterr().err


def test_keygen_prints_a_key_without_out(capsys):
    assert cli_main(["keygen"]) == 0
    captured = capsys.readouterr()
    assert len(decode_key(captured.out)) == 32 and "--out FILE" in captured.err


def test_a_key_file_inside_the_data_folder_gives_a_warning_not_an_error(
    tmp_path, capsys, monkeypatch
):
    data = tmp_path / "data"
    data.mkdir()
    inside = data / "pseudonym.key"
    inside.write_text(KEY_HEX + "\n")
    code = cli_main(
        [
            "import",
            "roster",
            str(x("roster_fr_2024-03-01.csv")),
            "--into",
            str(data),
            "--key-file",
            str(inside),
            "--as-of",
            AS_OF,
        ]
    )
    captured = capsys.readouterr()
    assert code == 0 and "imported 1 roster file(s)" in captured.out
    assert captured.err.startswith(
        f"advocacy-eval import: warning: the pseudonymisation key file {inside} is "
        f"inside the data folder {data}"
    )
    monkeypatch.setenv(ENV_KEY_FILE, str(inside))
    with pytest.warns(KeyLocationWarning, match="inside the data folder"):
        import_files("roster", [x("roster_en_2024-04-30.xlsx")], data, as_of=AS_OF)
    outside = tmp_path / "outside.key"
    outside.write_text(KEY_HEX)
    monkeypatch.setenv(ENV_KEY_FILE, str(outside))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        import_files("roster", [x("roster_en_2024-04-30.xlsx")], data, as_of=AS_OF)
    assert inside.read_text() == KEY_HEX + "\n"  # the import never touches it
