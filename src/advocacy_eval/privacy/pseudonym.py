"""Keyed pseudonyms (HMAC-SHA256) for employees' personal identifiers.

Names, e-mail addresses, staff numbers and LinkedIn profile URLs never enter a
programme folder: at import they are replaced by ``E-`` followed by the first
:data:`ID_HEX_CHARS` hexadecimal digits of ``HMAC-SHA256(key, identifier)``.

Why a keyed hash and not a plain SHA-256: anybody can hash a list of guessed
e-mail addresses (``firstname.lastname@company.com``) and compare; without the
key, an HMAC cannot be recomputed, so the pseudonyms cannot be reversed by
guessing.

The key is read from the environment (:data:`ENV_KEY`, hexadecimal or base64)
or from a key file (:data:`ENV_KEY_FILE`). It must live outside the data
folder and the repository; the same key must be used for every import of one
programme, otherwise the same person gets two identifiers. The package never
writes the key anywhere.

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

ENV_KEY = "ADVOCACY_EVAL_KEY"
"""Environment variable holding the key itself (hexadecimal or base64)."""
ENV_KEY_FILE = "ADVOCACY_EVAL_KEY_FILE"
"""Environment variable holding the path of a file that contains the key."""
MIN_KEY_BYTES = 16
"""Shortest key accepted (128 bits); :func:`make_key` makes 256-bit keys."""
ID_HEX_CHARS = 16
"""Hexadecimal digits kept in a pseudonym (64 bits)."""

_DOMAIN = b"advocacy-eval/pseudonym/v1\x00"

KEY_HINT = (
    "create one once, keep it outside the data folder and the repository, and use it for every import:\n"
    "  python -c 'import secrets; print(secrets.token_hex(32))' > ~/.advocacy-eval.key\n"
    "  chmod 600 ~/.advocacy-eval.key\n"
    "  export ADVOCACY_EVAL_KEY_FILE=~/.advocacy-eval.key\n"
    f"(or put the hexadecimal key itself in {ENV_KEY})"
)
"""How to create a key, shown whenever one is missing or unusable."""


class PseudonymKeyError(AdvocacyEvalError):
    """No usable pseudonymisation key (missing, unreadable or too short)."""


def make_key() -> str:
    """Return a new random 256-bit key, written in hexadecimal.

    Returns
    -------
    str
        64 hexadecimal characters, suitable for :data:`ENV_KEY` or a key file.
    """
    return secrets.token_hex(32)


def decode_key(text: str | bytes) -> bytes:
    """Decode a key written in hexadecimal or base64.

    Parameters
    ----------
    text : str or bytes
        The key as stored in the environment or the key file (surrounding
        white space is ignored).

    Returns
    -------
    bytes
        The key bytes.

    Raises
    ------
    PseudonymKeyError
        If the text is neither hexadecimal nor base64, or the key is shorter
        than :data:`MIN_KEY_BYTES` bytes.
    """
    if isinstance(text, bytes):
        try:
            text = text.decode("ascii")
        except UnicodeDecodeError:
            raise PseudonymKeyError("the pseudonymisation key must be written in hexadecimal or base64; "
                                    + KEY_HINT) from None
    clean = "".join(text.split())
    key: bytes | None = None
    if clean and re.fullmatch(r"[0-9a-fA-F]+", clean) and len(clean) % 2 == 0:
        key = bytes.fromhex(clean)
    else:
        for decoder in (base64.b64decode, base64.urlsafe_b64decode):
            try:
                key = decoder(clean + "=" * (-len(clean) % 4))
                break
            except (binascii.Error, ValueError):
                continue
    if not key:
        raise PseudonymKeyError("the pseudonymisation key is empty or not hexadecimal/base64; " + KEY_HINT)
    if len(key) < MIN_KEY_BYTES:
        raise PseudonymKeyError(
            f"the pseudonymisation key is too short ({len(key)} bytes; at least {MIN_KEY_BYTES} needed); "
            + KEY_HINT)
    return key


def load_key(environ: Mapping[str, str] | None = None, key_file: str | os.PathLike | None = None) -> bytes:
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
    raise PseudonymKeyError(f"no pseudonymisation key: neither {ENV_KEY} nor {ENV_KEY_FILE} is set; " + KEY_HINT)


def _read_key_file(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PseudonymKeyError(f"cannot read the key file {path}: {exc.strerror or exc}; " + KEY_HINT) from None
    return decode_key(data)


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
        if len(key) < MIN_KEY_BYTES:
            raise PseudonymKeyError(f"the pseudonymisation key is too short ({len(key)} bytes; "
                                    f"at least {MIN_KEY_BYTES} needed); " + KEY_HINT)
        return key
    return decode_key(key)


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PROFILE = re.compile(r"^(?:https?://)?(?:[a-z]{2,3}\.|www\.)?linkedin\.com/(in|pub)/([^/?#]+)", re.IGNORECASE)


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


def pseudonymise(values: Iterable[object] | pd.Series | str, key: bytes, prefix: str = "E") -> pd.Series | str:
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
