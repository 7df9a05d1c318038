"""``Catalog``: settings, plugins, capabilities and planning — what needs no HTTP client.

The base of ``Client`` and ``AsyncClient``, and on its own what listing commands use
(``reelkit providers``, ``capabilities``, ``plugins``): importing this module imports no HTTP
stack, no engine, no driver and no journal, so a command that only lists starts in the time of
``import reelkit`` plus the plugins' declarations. ``plan`` loads the engine on first use (it
builds an ``httpx.Request``), but never a driver or a journal backend unless a request names a
journalled job (``continue_from``).
"""

from __future__ import annotations

import functools
import logging
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from .capabilities import ModelInfo, ProviderInfo
from .config import Settings
from .errors import ConfigurationError, InvalidRequest, ReelkitError
from .plugins import PluginHost, PluginRecord

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .arguments import Ask
    from .client import Options
    from .engine import Engine
    from .models import Plan

_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class Catalog:
    """Settings, plugins, listings and ``plan``; ``Client`` adds everything that sends."""

    def __init__(
        self,
        *,
        env: Mapping[str, str] | None = None,
        home: str | os.PathLike[str] | None = None,
        plugins: Sequence[object] = (),
        entry_points: bool = True,
        poll_interval: float | None = None,
        timeout: float | None = None,
        transport: Any = None,
    ) -> None:
        self.settings = Settings.load(
            env=env, home=home, poll_interval=poll_interval, timeout=timeout
        )
        # What a sibling client needs to be this one (Client.generate_many runs on an AsyncClient).
        self._made_with: dict[str, Any] = {
            "env": self.settings.env,
            "home": self.settings.home,
            "plugins": tuple(plugins),
            "entry_points": entry_points,
            "poll_interval": poll_interval,
            "timeout": timeout,
            "transport": transport,
        }
        from . import _secrets

        _secrets.remember(self.settings.secret_values())  # masked everywhere from now on
        level = self.settings.env.get("REELKIT_LOG_LEVEL", "").strip().upper()
        if level:  # the level only: handlers are the host application's business
            if level not in _LEVELS:
                raise ConfigurationError(
                    "REELKIT_LOG_LEVEL", f"unknown level {level!r}", allowed=_LEVELS
                )
            logging.getLogger("reelkit").setLevel(level)
        self.host = PluginHost(
            plugins=plugins,
            entry_points=entry_points,
            env=self.settings.env,
            adjust_model=self.settings.override_model,
        )
        journal_url = self.settings.env.get("REELKIT_JOURNAL_URL") or self.settings.files.get(
            "journal"
        )
        if journal_url is not None and not isinstance(journal_url, str):
            raise ConfigurationError(
                "journal", "must be a URL", allowed="sqlite:///PATH, postgresql://USER@HOST/DB"
            )
        self._journal_url: str | None = journal_url or None
        self._transport = transport

    @functools.cached_property
    def _engine(self) -> Engine:
        # Imported on first use: listing needs no engine. Once made it is a plain attribute.
        from .engine import Engine
        from .journal import open_journal

        url, home = self._journal_url, self.settings.home
        return Engine(self.host, self.settings, lambda: open_journal(url, home=home))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} home={str(self.settings.home)!r}>"

    def plan(self, prompt: str, **options: Unpack[Options]) -> Plan:
        """Everything a ``generate`` would do, decided without the network."""
        return _guarded(lambda: self._engine.prepare(_ask(prompt, dict(options))).plan)

    def providers(self) -> list[ProviderInfo]:
        """Every installed provider, in auto-selection order."""
        return [p.info for p in self.host.all_providers()]

    def available(self, provider: str) -> bool:
        """Are the provider's credentials present?"""
        return self.settings.unusable(self.host.provider(provider).info) is None

    def capabilities(self, provider: str, model: str | None = None) -> list[ModelInfo]:
        registered = self.host.provider(provider)
        if model is None:
            return list(registered.models)
        return [registered.model(model)]

    def model(self, provider: str, model: str | None = None) -> ModelInfo:
        return self.host.provider(provider).model(model)

    def plugins(self) -> list[PluginRecord]:
        self.host.load_all()
        return list(self.host.records.values())

    def close(self) -> None:
        engine = self.__dict__.get("_engine")
        if engine is not None:
            engine.close()

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _ask(prompt: str, options: Mapping[str, Any]) -> Ask:
    from .arguments import ASK_FIELDS, Ask

    unknown = set(options) - set(ASK_FIELDS)
    if unknown:
        first = sorted(unknown)[0]
        raise InvalidRequest(
            first, "is not an argument of generate/plan/submit", allowed=ASK_FIELDS[1:]
        )
    values = {k: v for k, v in options.items() if v is not None}
    if isinstance(values.get("reference_images"), (list, tuple)):
        values["reference_images"] = tuple(values["reference_images"])
    return Ask(prompt=prompt, **values)


T = TypeVar("T")


def _guarded(func: Callable[[], T]) -> T:
    """Nothing but a ``ReelkitError`` leaves a public verb."""
    try:
        return func()
    except ReelkitError:
        raise
    except Exception as exc:
        raise _unexpected(exc) from exc


def _unexpected(exc: Exception) -> ReelkitError:
    from .errors import NetworkError, PluginError

    httpx = sys.modules.get("httpx")  # no HTTP stack loaded, no transport error
    if httpx is not None and isinstance(exc, httpx.TransportError):
        return NetworkError(f"{type(exc).__name__}: {exc}")
    return PluginError(
        f"unexpected {type(exc).__name__}: {exc} (a bug in reelkit or a plugin; run with -v "
        "and report it)"
    )


__all__ = ["Catalog"]
