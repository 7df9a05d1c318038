"""Caller keys: who may call the gateway, what each may spend, and which providers each may use.

Configured keys live in the config files as digests, never as the key itself::

    [gateway.keys.alice]
    hash = "sha256:9f86d081884c7d65..."   # sha256 of the key, hex (`reelkit-gateway hash-key`)
    budget = "20 USD"                       # optional: estimates of her jobs, ...
    period = "30d"                          # ... over this window (7d, 24h, ...); none: ever
    providers = ["sora", "veo"]             # optional: only these providers

For development, ``REELKIT_GATEWAY_KEYS=key1,key2`` adds keys named ``dev-1``, ``dev-2``, ...
(no budget, every provider). A job records the *name* of the key that made it (the journal's
``caller``), so listings, lookups and budgets are per key and no key appears anywhere.

sha256 without a salt is enough here because gateway keys are long random strings made by the
operator (``secrets.token_urlsafe(32)``: 256 bits), not passwords a person chose: nothing to
guess, so a slow KDF would add latency to every request and no safety.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from reelkit import redact
from reelkit.budget import Budget
from reelkit.errors import ConfigurationError
from reelkit.spending import parse_since

ENV = "REELKIT_GATEWAY_KEYS"
_HASH = "sha256:"


@attrs.frozen(kw_only=True)
class CallerKey:
    name: str  # what the journal records as the job's caller
    digest: str = attrs.field(repr=False)  # sha256 hex of the key
    budget: Budget | None = None
    period: str | None = None  # e.g. "30d": the budget's window; None: all time
    providers: tuple[str, ...] = ()  # empty: every provider

    def allows(self, provider: str) -> bool:
        return not self.providers or provider in self.providers

    def since(self) -> float | None:
        return parse_since(self.period) if self.period else None


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> tuple[str, str]:
    """A fresh key and the ``hash`` line that configures it."""
    key = "rk-gw-" + secrets.token_urlsafe(32)
    return key, _HASH + digest(key)


class Keys:
    """The configured keys; ``find`` turns a bearer token into its ``CallerKey``, or None."""

    def __init__(self, keys: Iterable[CallerKey]) -> None:
        self._keys = tuple(keys)

    def __bool__(self) -> bool:
        return bool(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def names(self) -> list[str]:
        return [k.name for k in self._keys]

    def find(self, token: str) -> CallerKey | None:
        given = digest(token)
        found = None
        for key in self._keys:  # every digest compared, in constant time each
            if hmac.compare_digest(given, key.digest):
                found = key
        return found

    @classmethod
    def load(cls, env: Mapping[str, str], files: Mapping[str, Any]) -> Keys:
        keys: list[CallerKey] = []
        section = files.get("gateway", {}).get("keys", {})
        if not isinstance(section, Mapping):
            raise ConfigurationError("gateway.keys", "must be a table of named keys")
        for name, entry in section.items():
            keys.append(_configured(str(name), entry))
        raw = [k.strip() for k in env.get(ENV, "").split(",") if k.strip()]
        redact.remember(raw)  # *_KEYS is not a name the core masks by itself
        for i, key in enumerate(raw, 1):
            keys.append(CallerKey(name=f"dev-{i}", digest=digest(key)))
        names = [k.name for k in keys]
        duplicate = next((n for n in names if names.count(n) > 1), None)
        if duplicate is not None:
            raise ConfigurationError("gateway.keys", f"two keys are named {duplicate!r}")
        return cls(keys)


def _configured(name: str, entry: Any) -> CallerKey:
    where = f"gateway.keys.{name}"
    if not isinstance(entry, Mapping):
        raise ConfigurationError(where, "must be a table", allowed='hash = "sha256:HEX"')
    value = entry.get("hash")
    if not isinstance(value, str) or not value.startswith(_HASH) or len(value) != len(_HASH) + 64:
        raise ConfigurationError(
            f"{where}.hash",
            "must be the key's sha256 digest, never the key",
            allowed='"sha256:" + 64 hex digits (reelkit-gateway hash-key)',
        )
    hex_digest = value[len(_HASH) :].lower()
    if any(c not in "0123456789abcdef" for c in hex_digest):
        raise ConfigurationError(f"{where}.hash", "is not hex", allowed="64 hex digits")
    budget = entry.get("budget")
    period = entry.get("period")
    if period is not None:
        if not isinstance(period, str):
            raise ConfigurationError(f"{where}.period", "must be text", allowed="e.g. 30d, 24h")
        parse_since(period)  # refused now if it is not a window
    providers = entry.get("providers", ())
    if isinstance(providers, str) or not all(isinstance(p, str) for p in providers):
        raise ConfigurationError(
            f"{where}.providers", "must be a list of provider names", allowed='["sora", "veo"]'
        )
    unknown = set(entry) - {"hash", "budget", "period", "providers"}
    if unknown:
        raise ConfigurationError(
            f"{where}.{sorted(unknown)[0]}",
            "is not a key setting",
            allowed=("hash", "budget", "period", "providers"),
        )
    return CallerKey(
        name=name,
        digest=hex_digest,
        budget=Budget.parse(budget, field=f"{where}.budget") if budget is not None else None,
        period=period,
        providers=tuple(providers),
    )
