"""Journal URLs: which backend a URL names, and its display form with credentials redacted."""

from __future__ import annotations

import urllib.parse
from pathlib import Path

import attrs

from reelkit._secrets import MASK
from reelkit.errors import ConfigurationError

ALLOWED = "sqlite:///PATH, postgresql://USER@HOST/DB"
_SECRET_PARAMS = ("password", "sslpassword")


@attrs.frozen(kw_only=True)
class SqliteTarget:
    path: Path
    read_only: bool = False
    busy_timeout_s: float | None = None


def is_postgres(url: str) -> bool:
    scheme, sep, _ = url.partition("://")
    return bool(sep) and scheme.lower() in ("postgresql", "postgres")


def redact(url: str) -> str:
    """``url`` with any password (in the user info or the query) shown as ``***``."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return "<unparsable journal URL>"
    netloc = parts.netloc
    userinfo, at, hostport = netloc.rpartition("@")
    if at and ":" in userinfo:
        netloc = f"{userinfo.split(':', 1)[0]}:{MASK}@{hostport}"
    query = parts.query
    pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
    if any(k.lower() in _SECRET_PARAMS for k, _ in pairs):
        query = urllib.parse.urlencode(
            [(k, MASK if k.lower() in _SECRET_PARAMS else v) for k, v in pairs], safe="*"
        )
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def passwords(url: str) -> list[str]:
    """The secret values in ``url``, to scrub from messages."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return []
    found = []
    if parts.password:
        found += [parts.password, urllib.parse.unquote(parts.password)]
    for key, value in urllib.parse.parse_qsl(parts.query, keep_blank_values=True):
        if key.lower() in _SECRET_PARAMS and value:
            found.append(value)
    return found


def sqlite_target(url: str, *, cwd: Path) -> SqliteTarget:
    """``sqlite:///relative/path``, ``sqlite:////absolute/path`` or a bare path.

    A URL may end in ``?mode=ro`` (read-only) and ``timeout=SECONDS`` (how long a write waits
    for another process's lock).
    """
    if "://" not in url:
        path = Path(url).expanduser()
        return SqliteTarget(path=path if path.is_absolute() else cwd / path)
    scheme, _, rest = url.partition("://")
    if scheme.lower() != "sqlite" or not rest.startswith("/"):
        raise unsupported(url)
    rest, _, query = rest[1:].partition("?")
    text = urllib.parse.unquote(rest)
    if not text or text == ":memory:":
        raise ConfigurationError(
            "journal",
            f"{url!r} names no file (an in-memory journal would forget every job)",
            allowed=ALLOWED,
        )
    path = Path(text).expanduser()
    read_only, timeout = False, None
    for key, value in urllib.parse.parse_qsl(query, keep_blank_values=True):
        if key == "mode" and value in ("ro", "rw", "rwc"):
            read_only = value == "ro"
        elif key == "timeout":
            try:
                timeout = float(value)
            except ValueError:
                timeout = -1.0
            if not timeout >= 0:
                raise ConfigurationError(
                    "journal", f"timeout={value!r} is not a number of seconds", allowed="timeout=5"
                )
        else:
            raise ConfigurationError(
                "journal",
                f"unknown SQLite journal option {key}={value!r}",
                allowed="mode=ro, timeout=SECONDS",
            )
    return SqliteTarget(
        path=path if path.is_absolute() else cwd / path,
        read_only=read_only,
        busy_timeout_s=timeout,
    )


def unsupported(url: str) -> ConfigurationError:
    return ConfigurationError(
        "journal", f"unsupported journal URL {redact(url)!r}", allowed=ALLOWED
    )
