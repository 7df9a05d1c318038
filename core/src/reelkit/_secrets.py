"""The registry of secret values in use, and the functions that mask them anywhere.

Kept free of reelkit imports so that errors and models (imported everywhere) can use it.

Two kinds of masking:

* ``scrub(text)``: every *known* secret value (registered with ``remember``) is replaced. Safe
  for stored data too: it changes nothing but the secrets themselves.
* ``redact_url(url)`` / ``scrub_text(text)``: also credentials *inside URLs* — the password of
  the userinfo and the values of query parameters whose names look secret — even when the value
  was never registered. For what a person sees (previews, listings, errors, logs, ``repr``);
  never for a URL reelkit still has to fetch (a masked signature no longer works).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import unquote

MASK = "***"
_MIN = 4  # shorter values are too likely to occur by chance ("1", "yes") to mask everywhere
_lock = threading.Lock()
_known: set[str] = set()

# Headers that carry credentials: their values are never shown.
SECRET_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "x-goog-api-key",
        "x-api-key",
        "api-key",
        "cookie",
        "x-security-token",
        "x-amz-security-token",
    }
)

# Query (and fragment) parameters whose value is a credential, compared case-insensitively.
# Exact names: Google's ``?key=``, the usual API-key spellings, OAuth tokens in links
# (``access_token``, ``id_token``), Azure SAS ``sig``, Firebase ``auth``, a few password names.
_SECRET_PARAMS = frozenset(
    {"key", "sig", "auth", "pwd", "pass", "passwd", "password", "secret", "token", "apikey"}
)
# Name endings: every ``*signature`` (``signature``, ``X-Amz-Signature``, ``X-Goog-Signature``,
# ``X-Tos-Signature``, S3 v2 ``Signature``), every ``*credential`` (``X-Amz-Credential`` and
# friends: they name the access key), every ``*token`` (``access_token``, ``X-Amz-Security-Token``,
# Qiniu's ``token``), and every ``*_key``/``-key``/``apikey`` spelling (``api_key``,
# ``x-goog-api-key``, ``secret_key``). Non-secret signing parameters (``X-Amz-Date``,
# ``X-Amz-Expires``, ``X-Amz-SignedHeaders``, ``Expires``, ``e``, ``Key-Pair-Id``) match none
# of these; ``AWSAccessKeyId``/``OSSAccessKeyId`` do, like ``X-Amz-Credential`` (they name the key). A false positive only hides a detail from a reader; a
# false negative leaks a credential — so the endings are generous.
_SECRET_PARAM_ENDINGS = (
    "signature",
    "credential",
    "credentials",
    "token",
    "secret",
    "password",
    "apikey",
    "_key",
    "-key",
    "secretkey",
    "accesskey",
    "accesskeyid",
)

# Environment variables whose value is a secret: by the last ``_``-separated word of the name
# (``XAI_API_KEY``, ``VOLC_SECRETKEY``, ``VOLC_ACCESSKEY``, ``HF_TOKEN``, ``DB_PASSWORD``, ...).
_SECRET_ENV_WORDS = frozenset(
    {
        "KEY",
        "APIKEY",
        "SECRET",
        "SECRETKEY",
        "ACCESSKEY",
        "TOKEN",
        "PASSWORD",
        "PASSWD",
    }
)
# Environment variables whose value is a URL that may carry credentials (``*_URL``,
# ``*_BASE_URL``, ``*_URI``, and the proxies httpx reads: ``HTTPS_PROXY=http://u:p@proxy``).
_URL_ENV_WORDS = frozenset({"URL", "URI", "PROXY"})
# Harvested by name (not declared by a provider): shorter values are ignored, so that e.g.
# ``SOMETHING_TOKEN=true`` does not mask the word "true" in every message.
_MIN_HARVESTED = 6

_URL_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://[^\s\"'<>`\\]+")
_TRAILING = ".,;:!?)]}"
_PARAM = re.compile(r"([?&;#])([^=&;#?]+)=([^&;#]*)")


def remember(secrets: Iterable[str]) -> None:
    """Register secret values so every error message, log line and journal entry masks them."""
    with _lock:
        _known.update(s for s in secrets if s and len(s) >= _MIN)


def scrub(text: str, secrets: Iterable[str] = ()) -> str:
    """Replace every known secret value (and each of ``secrets``) in ``text`` by the mask."""
    with _lock:
        values = _known | {s for s in secrets if s and len(s) >= _MIN}
    for value in sorted(values, key=len, reverse=True):
        if value in text:
            text = text.replace(value, MASK)
    return text


def any_known() -> bool:
    return bool(_known)


def is_secret_param(name: str) -> bool:
    """Does a query parameter of this name carry a credential (``key``, ``X-Amz-Signature``)?"""
    name = unquote(name).strip().lower()
    return name in _SECRET_PARAMS or name.endswith(_SECRET_PARAM_ENDINGS)


def redact_url(url: str) -> str:
    """``url`` as it may be shown: userinfo password and secret query values masked.

    ``http://user:pw@gw/v1?key=abc&e=1`` becomes ``http://user:***@gw/v1?key=***&e=1``. A userinfo
    without a password (``https://TOKEN@host``, how Git hosts take tokens) is masked whole.
    Everything else is kept byte for byte. Known secret values are *not* replaced here (see
    ``scrub_text``).
    """
    scheme, sep, rest = url.partition("://")
    if sep and "@" in rest:
        end = len(rest)
        for char in "/?#":
            index = rest.find(char)
            if index != -1:
                end = min(end, index)
        netloc = rest[:end]
        if "@" in netloc:
            userinfo, _, host = netloc.rpartition("@")
            user, colon, _password = userinfo.partition(":")
            shown = f"{user}:{MASK}" if colon else MASK
            rest = f"{shown}@{host}{rest[end:]}"
        url = f"{scheme}{sep}{rest}"
    start = min((i for i in (url.find("?"), url.find("#")) if i != -1), default=-1)
    if start == -1:
        return url
    head, tail = url[:start], url[start:]
    return head + _PARAM.sub(_mask_param, tail)


def _mask_param(match: re.Match[str]) -> str:
    sep, name, value = match.groups()
    if value and is_secret_param(name):
        return f"{sep}{name}={MASK}"
    return match.group(0)


def scrub_text(text: str, secrets: Iterable[str] = ()) -> str:
    """``scrub`` plus ``redact_url`` on every URL in ``text``: for what a person will read."""
    text = scrub(text, secrets)
    if "://" not in text:
        return text
    return _URL_IN_TEXT.sub(_redact_match, text)


def _redact_match(match: re.Match[str]) -> str:
    url = match.group(0)
    kept = len(url.rstrip(_TRAILING))  # "see https://x/?token=abc)." keeps its ")."
    return redact_url(url[:kept]) + url[kept:]


def url_secrets(url: str) -> list[str]:
    """The credentials inside a URL: the userinfo password and secret query values (raw and
    percent-decoded)."""
    found: list[str] = []
    _scheme, sep, rest = url.strip().partition("://")
    if sep:
        netloc = re.split(r"[/?#]", rest, maxsplit=1)[0]
        if "@" in netloc:
            userinfo = netloc.rpartition("@")[0]
            user, colon, password = userinfo.partition(":")
            found.append(password if colon else user)
    for match in _PARAM.finditer(url):
        _, name, value = match.groups()
        if value and is_secret_param(name):
            found.append(value)
    return [v for value in found for v in dict.fromkeys((value, unquote(value))) if v]


def env_secrets(env: Mapping[str, str], names: Iterable[str] = ()) -> tuple[str, ...]:
    """Secret values in an environment: see ``Settings.secret_values``."""
    values: dict[str, None] = {}
    for name in names:
        value = env.get(name, "").strip()
        if len(value) >= _MIN:
            values[value] = None
    for name, raw in env.items():
        value = raw.strip() if isinstance(raw, str) else ""
        if not value:
            continue
        word = name.upper().rsplit("_", 1)[-1]
        if word in _SECRET_ENV_WORDS:
            candidates = [value]
        elif word in _URL_ENV_WORDS or "://" in value:
            candidates = url_secrets(value)
        else:
            continue
        for candidate in candidates:
            if len(candidate) >= _MIN_HARVESTED:
                values[candidate] = None
    return tuple(values)


def safe_repr(value: Any) -> str:
    """``repr(value)`` with known secrets and URL credentials masked."""
    return scrub_text(repr(value))


def keys_repr(value: Any) -> str:
    """A mapping shown by its keys only (its values may be signed URLs or anything else)."""
    if isinstance(value, Mapping):
        return "<keys: " + ", ".join(scrub_text(str(k)) for k in value) + ">" if value else "{}"
    return "<" + type(value).__name__ + ">"


def headers_repr(headers: Any) -> str:
    """Headers with every credential-carrying value masked (whatever built them)."""
    if not isinstance(headers, Mapping):
        return safe_repr(headers)
    shown = {
        k: MASK if str(k).lower() in SECRET_HEADERS else scrub_text(str(v))
        for k, v in headers.items()
    }
    return repr(shown)


def url_repr(value: str | None) -> str:
    return "None" if value is None else repr(scrub_text(value))
