"""Keyed pseudonyms (HMAC-SHA256) for employees' personal identifiers.

Names, e-mail addresses, staff numbers and LinkedIn profile URLs never enter a
programme folder: at import they are replaced by ``E-`` followed by the first
:data:`ID_HEX_CHARS` hexadecimal digits of ``HMAC-SHA256(key, identifier)``.

Why a keyed hash and not a plain SHA-256: anybody can hash a list of guessed
e-mail addresses (``firstname.lastname@company.com``) and compare; without the
key, an HMAC cannot be recomputed, so the pseudonyms cannot be reversed by
guessing.

The key is read from the environment (:data:`ENV_KEY`, hexadecimal or base64)
or from a key file (:data:`ENV_KEY_FILE`), and decoded strictly (see
:func:`decode_key`): at least :data:`MIN_KEY_BYTES` random bytes written in
hexadecimal or base64, nothing else. ``advocacy-eval keygen`` (:func:`write_key_file`)
makes one. It must live outside the data folder and the repository (a key
file inside the data folder gets a warning, :func:`key_location_warning`);
the same key must be used for every import of one programme, otherwise the
same person gets two identifiers. The package never writes the key anywhere
but in the key file ``keygen`` is asked to create.

Collision risk: a pseudonym keeps 64 bits of the HMAC. Two different people
get the same pseudonym with probability about ``n**2 / 2**65``: 3e-10 for
100,000 employees. The roster importer refuses a file where that happens
(two identifiers, one pseudonym).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import secrets
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pandas as pd

from ..errors import AdvocacyEvalError

__all__ = [
    "ENV_KEY",
    "ENV_KEY_FILE",
    "ID_HEX_CHARS",
    "KEY_FILE_MODE",
    "KEY_FORMAT_RULE",
    "KEY_HINT",
    "MIN_KEY_BYTES",
    "KeyLocationWarning",
    "PseudonymKeyError",
    "coerce_key",
    "decode_key",
    "is_pseudonym",
    "key_file_in_use",
    "key_location_warning",
    "load_key",
    "make_key",
    "normalise_identifier",
    "pseudonym",
    "pseudonymise",
    "write_key_file",
]

ENV_KEY = "ADVOCACY_EVAL_KEY"
"""Environment variable holding the key itself (hexadecimal or base64)."""
ENV_KEY_FILE = "ADVOCACY_EVAL_KEY_FILE"
"""Environment variable holding the path of a file that contains the key."""
MIN_KEY_BYTES = 32
"""Shortest key accepted (256 bits, what :func:`make_key` makes)."""
KEY_FILE_MODE = 0o600
"""Permissions of a key file written by :func:`write_key_file` (owner read/write only)."""
ID_HEX_CHARS = 16
"""Hexadecimal digits kept in a pseudonym (64 bits)."""

_DOMAIN = b"advocacy-eval/pseudonym/v1\x00"

KEY_HINT = (
    "create one once, keep it outside the data folder and the repository, and use it for every import:\n"
    "  advocacy-eval keygen --out ~/.advocacy-eval.key\n"
    "  export ADVOCACY_EVAL_KEY_FILE=~/.advocacy-eval.key\n"
    "(without the command: python -c 'import secrets; print(secrets.token_hex(32))' > ~/.advocacy-eval.key; "
    f"chmod 600 ~/.advocacy-eval.key; or put the hexadecimal key itself in {ENV_KEY})"
)
"""How to create a key, shown whenever one is missing or unusable."""


class PseudonymKeyError(AdvocacyEvalError):
    """No usable pseudonymisation key (missing, unreadable, badly written, too short or not random)."""


class KeyLocationWarning(UserWarning):
    """The key file sits inside the data folder (see :func:`key_location_warning`)."""


def make_key(encoding: str = "hex") -> str:
    """Return a new random 256-bit key (:data:`MIN_KEY_BYTES` bytes from :mod:`secrets`).

    Parameters
    ----------
    encoding : {"hex", "base64"}
        How the key is written: 64 hexadecimal digits, or 44 characters of
        standard base64 (with its ``=`` padding).

    Returns
    -------
    str
        The key, suitable for :data:`ENV_KEY` or a key file.
    """
    raw = secrets.token_bytes(MIN_KEY_BYTES)
    if encoding == "hex":
        return raw.hex()
    if encoding == "base64":
        return base64.b64encode(raw).decode("ascii")
    raise ValueError(f"key encoding must be hex or base64, not {encoding!r}")


_HEX = re.compile(r"[0-9a-fA-F]+")
_B64_STANDARD = re.compile(r"[A-Za-z0-9+/]+={0,2}")
_B64_URLSAFE = re.compile(r"[A-Za-z0-9_-]+={0,2}")

KEY_FORMAT_RULE = (
    f"a key is at least {MIN_KEY_BYTES} random bytes written on one line as hexadecimal "
    f"({2 * MIN_KEY_BYTES}+ digits 0-9a-f) or base64 (standard A-Z a-z 0-9 + / or URL-safe A-Z a-z 0-9 - _, "
    "'=' padding optional), nothing else"
)
"""The rule :func:`decode_key` enforces, quoted in its errors."""


def _refuse(reason: str) -> PseudonymKeyError:
    return PseudonymKeyError(
        f"pseudonymisation key refused: {reason}; {KEY_FORMAT_RULE}; " + KEY_HINT
    )


def _check_key_bytes(key: bytes) -> bytes:
    """Length and randomness checks shared by text and raw keys."""
    if len(key) < MIN_KEY_BYTES:
        raise _refuse(f"too short ({len(key)} bytes; at least {MIN_KEY_BYTES} needed)")
    if len(set(key)) == 1:
        raise _refuse(
            f"it is one byte repeated {len(key)} times (0x{key[0]:02x}), not a random key"
        )
    for period in range(2, 9):
        if key == (key[:period] * (len(key) // period + 1))[: len(key)]:
            raise _refuse(f"it repeats a pattern of {period} bytes, not a random key")
    return key


def decode_key(text: str | bytes) -> bytes:
    """Decode a key written in hexadecimal or base64, strictly.

    Accepted: surrounding white space (a key file's final newline) around one
    run of either hexadecimal digits (even count) or base64 in the standard
    (``+/``) or URL-safe (``-_``) alphabet, ``=`` padding optional but
    correct when present. Decoding uses :func:`binascii.unhexlify` and
    :func:`base64.b64decode` with ``validate=True``: no character is ever
    skipped, unlike a lenient base64 decoder that turns any text (a
    passphrase, ``/etc/passwd``) into bytes. The decoded key must have at
    least :data:`MIN_KEY_BYTES` bytes and must not be one byte repeated (the
    all-zero key) or a pattern of up to 8 bytes repeated. Two cheap signs of
    text typed by a person are refused as well: hexadecimal made of decimal
    digits only, and base64 without both upper- and lower-case letters
    (random keys show them except with a probability below one in a
    billion). A passphrase that happens to be valid mixed-case base64 cannot
    be told from a key: generate keys with ``advocacy-eval keygen``.

    Parameters
    ----------
    text : str or bytes
        The key as stored in the environment or the key file.

    Returns
    -------
    bytes
        The key bytes.

    Raises
    ------
    PseudonymKeyError
        Naming the rule broken (the key itself is never quoted).
    """
    if isinstance(text, bytes):
        try:
            text = text.decode("ascii")
        except UnicodeDecodeError:
            raise _refuse(
                "it holds bytes that are not ASCII text (a binary file, or not a key file)"
            ) from None
    clean = text.strip()
    if not clean:
        raise _refuse("it is empty")
    if any(c.isspace() for c in clean):
        raise _refuse(
            "it holds white space or several lines (a key file holds the key alone, on one line)"
        )
    if _HEX.fullmatch(clean):
        if len(clean) % 2:
            raise _refuse(f"it has an odd number of hexadecimal digits ({len(clean)})")
        key = _check_key_bytes(binascii.unhexlify(clean))
        if clean.isdigit():  # 64+ random hex digits without a letter a-f: chance about 1e-13
            raise _refuse("it is made of decimal digits only (a number, not random hexadecimal)")
        return key
    standard, urlsafe = _B64_STANDARD.fullmatch(clean), _B64_URLSAFE.fullmatch(clean)
    if not (standard or urlsafe):
        raise _refuse(
            "it holds characters that are neither hexadecimal nor base64 "
            "(or mixes the standard and URL-safe base64 alphabets)"
        )
    if (
        clean == clean.lower() or clean == clean.upper()
    ):  # random base64: both cases, but for 1 in 1e9
        raise _refuse(
            "it is base64 without both upper- and lower-case letters: a word or passphrase, "
            "not random bytes"
        )
    body = clean.rstrip("=")
    if len(body) % 4 == 1 or (clean != body and len(clean) % 4):
        raise _refuse("it is not valid base64 (wrong length or padding)")
    padded = body + "=" * (-len(body) % 4)
    try:
        key = base64.b64decode(padded, altchars=None if standard else b"-_", validate=True)
    except (binascii.Error, ValueError):
        raise _refuse("it is not valid base64") from None
    return _check_key_bytes(key)


def load_key(
    environ: Mapping[str, str] | None = None, key_file: str | os.PathLike | None = None
) -> bytes:
    """Read the pseudonymisation key.

    Looks, in order, at ``key_file`` (when given), the environment variable
    :data:`ENV_KEY` (the key itself) and :data:`ENV_KEY_FILE` (path of a file
    holding the key).

    Parameters
    ----------
    environ : mapping, optional
        Environment to read (default ``os.environ``).
    key_file : str or path, optional
        Key file to read first.

    Returns
    -------
    bytes
        The key.

    Raises
    ------
    PseudonymKeyError
        With instructions to create a key when none is found or usable.
    """
    env = os.environ if environ is None else environ
    if key_file is not None:
        return _read_key_file(Path(key_file))
    if env.get(ENV_KEY, "").strip():
        return decode_key(env[ENV_KEY])
    if env.get(ENV_KEY_FILE, "").strip():
        return _read_key_file(Path(env[ENV_KEY_FILE]).expanduser())
    raise PseudonymKeyError(
        f"no pseudonymisation key: neither {ENV_KEY} nor {ENV_KEY_FILE} is set; " + KEY_HINT
    )


def _read_key_file(path: Path) -> bytes:
    try:
        if path.is_dir():
            raise PseudonymKeyError(f"the key file {path} is a folder; " + KEY_HINT)
        data = path.read_bytes()
    except OSError as exc:
        raise PseudonymKeyError(
            f"cannot read the key file {path}: {exc.strerror or exc}; " + KEY_HINT
        ) from None
    try:
        return decode_key(data)
    except PseudonymKeyError as exc:
        raise PseudonymKeyError(f"key file {path}: {exc}") from None


def key_file_in_use(
    environ: Mapping[str, str] | None = None, key_file: str | os.PathLike | None = None
) -> Path | None:
    """The key file :func:`load_key` would read, or None when the key comes from :data:`ENV_KEY`.

    Parameters
    ----------
    environ : mapping, optional
        Environment to read (default ``os.environ``).
    key_file : str or path, optional
        Key file given explicitly (``--key-file``).
    """
    env = os.environ if environ is None else environ
    if key_file is not None:
        return Path(key_file).expanduser()
    if env.get(ENV_KEY, "").strip():
        return None
    if env.get(ENV_KEY_FILE, "").strip():
        return Path(env[ENV_KEY_FILE]).expanduser()
    return None


def key_location_warning(
    key_file: str | os.PathLike | None, data_dir: str | os.PathLike
) -> str | None:
    """A warning when the key file sits inside the data folder, else None.

    The data folder is shared, copied and backed up with the pseudonymised
    tables; a key stored with them lets anybody who gets the folder
    recompute the pseudonyms of guessed e-mail addresses.

    Parameters
    ----------
    key_file : str, path or None
        The key file in use (see :func:`key_file_in_use`).
    data_dir : str or path
        The data folder.
    """
    if key_file is None:
        return None
    key_path = Path(key_file).expanduser().resolve()
    folder = Path(data_dir).expanduser().resolve()
    if key_path == folder or folder in key_path.parents:
        return (
            f"the pseudonymisation key file {key_path} is inside the data folder {folder}: anybody given a "
            "copy of the folder could re-identify employees by pseudonymising guessed e-mail addresses; "
            "move the key outside the data folder and the repository (e.g. ~/.advocacy-eval.key) and "
            f"point {ENV_KEY_FILE} or --key-file at it"
        )
    return None


def write_key_file(path: str | os.PathLike, encoding: str = "hex") -> Path:
    """Create a key file holding a new random key (:func:`make_key`), mode 0600.

    The file is created exclusively: an existing file (or link) is never
    overwritten, since losing a programme's key means re-importing
    everything.

    Parameters
    ----------
    path : str or path
        File to create; its folder must exist.
    encoding : {"hex", "base64"}
        How the key is written.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    PseudonymKeyError
        If the file exists or cannot be created.
    """
    target = Path(path).expanduser()
    key = make_key(encoding)
    try:
        fd = os.open(
            target,
            os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0),
            KEY_FILE_MODE,
        )
    except FileExistsError:
        raise PseudonymKeyError(
            f"{target} already exists: keygen never overwrites a key file (another key "
            "would give every employee other pseudonyms); choose another path, or delete "
            "the old file yourself if it is really unused"
        ) from None
    except OSError as exc:
        raise PseudonymKeyError(
            f"cannot create the key file {target}: {exc.strerror or exc}"
        ) from None
    try:
        os.fchmod(fd, KEY_FILE_MODE)  # whatever the umask
        os.write(fd, (key + "\n").encode("ascii"))
        os.fsync(fd)
    except OSError as exc:
        os.close(fd)
        target.unlink(missing_ok=True)
        raise PseudonymKeyError(
            f"cannot write the key file {target}: {exc.strerror or exc}"
        ) from None
    os.close(fd)
    return target


def coerce_key(key: bytes | str | None) -> bytes:
    """Return a usable key: given bytes or text, or :func:`load_key` when None.

    Parameters
    ----------
    key : bytes, str or None
        Raw key bytes, a hexadecimal/base64 key, or None to read the environment.
    """
    if key is None:
        return load_key()
    if isinstance(key, bytes):
        return _check_key_bytes(key)
    return decode_key(key)


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PROFILE = re.compile(
    r"^(?:https?://)?(?:[a-z]{2,3}\.|www\.)?linkedin\.com/(in|pub)/([^/?#]+)", re.IGNORECASE
)


def normalise_identifier(value: str) -> str:
    """Canonical form of a personal identifier before hashing.

    E-mail addresses are stripped and lower-cased; LinkedIn profile URLs
    become ``linkedin.com/in/<slug>`` (scheme, ``www.``/country sub-domain,
    query, fragment and trailing slash removed, slug percent-decoded and
    lower-cased); anything else (staff numbers, names) is stripped,
    Unicode-normalised (NFC), case-folded, with inner white space collapsed.

    Parameters
    ----------
    value : str
        Identifier as found in a file.
    """
    text = unicodedata.normalize("NFC", str(value)).strip()
    if _EMAIL.match(text):
        return text.lower()
    match = _PROFILE.match(text)
    if match:
        slug = unquote(match.group(2)).strip().lower()
        return f"linkedin.com/{match.group(1).lower()}/{slug}"
    if text.lower().startswith(("http://", "https://")):
        parts = urlsplit(text)
        return (parts.netloc.lower().removeprefix("www.") + parts.path.rstrip("/")).casefold()
    return " ".join(text.split()).casefold()


def is_pseudonym(value: object, prefix: str = "E") -> bool:
    """Whether a value already is a pseudonym made by :func:`pseudonymise`.

    Parameters
    ----------
    value : object
        Value to test.
    prefix : str
        Expected prefix.
    """
    pattern = rf"{re.escape(prefix)}-[0-9a-f]{{{ID_HEX_CHARS}}}"
    return isinstance(value, str) and re.fullmatch(pattern, value) is not None


def pseudonym(value: str, key: bytes, prefix: str = "E") -> str:
    """Pseudonym of one identifier (see :func:`pseudonymise`)."""
    message = _DOMAIN + normalise_identifier(value).encode("utf-8")
    digest = hmac.new(key, message, hashlib.sha256).hexdigest()
    return f"{prefix}-{digest[:ID_HEX_CHARS]}"


def pseudonymise(
    values: Iterable[object] | pd.Series | str, key: bytes, prefix: str = "E"
) -> pd.Series | str:
    """Replace personal identifiers by stable keyed pseudonyms.

    Parameters
    ----------
    values : str, iterable or pandas.Series
        Identifiers (e-mail addresses, profile URLs, staff numbers...).
        Missing or empty values stay missing.
    key : bytes
        Secret key (see :func:`load_key`), at least :data:`MIN_KEY_BYTES` bytes.
    prefix : str
        Prefix of the pseudonyms (``E`` for employees).

    Returns
    -------
    str or pandas.Series
        ``"E-3f2a9c..."`` (prefix, dash, :data:`ID_HEX_CHARS` hex digits) for a
        single value; otherwise a string Series aligned with the input. The same
        identifier and key always give the same pseudonym; another key gives
        another one.
    """
    key = coerce_key(key)
    if isinstance(values, str):
        return pseudonym(values, key, prefix)
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    text = series.astype("string").str.strip()
    text = text.mask(text == "")
    unique = text.dropna().unique()
    table = {v: pseudonym(v, key, prefix) for v in unique}
    return text.map(table).astype("string")
