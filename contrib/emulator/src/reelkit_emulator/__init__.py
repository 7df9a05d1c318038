"""reelkit provider emulator: loopback fakes of every provider API, with fault injection.

    >>> from reelkit_emulator import EmulatorConfig, create_app, serve_in_thread
    >>> app = create_app(EmulatorConfig(polls_to_complete=2))        # in-process (ASGI)
    >>> server = serve_in_thread(EmulatorConfig())                   # doctest: +SKIP
    >>> server.url("sora")                                           # doctest: +SKIP
    'http://127.0.0.1:50123/sora'

Names load on first use, so importing the package (the CLI's plugin loader does) stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "EmulatorConfig": "reelkit_emulator.config",
    "FAULT_KINDS": "reelkit_emulator.config",
    "create_app": "reelkit_emulator.app",
    "Emulator": "reelkit_emulator.app",
    "serve_in_thread": "reelkit_emulator.server",
    "RunningServer": "reelkit_emulator.server",
    "ProviderFake": "reelkit_emulator.provider",
    "ProviderContext": "reelkit_emulator.provider",
    "Endpoint": "reelkit_emulator.provider",
}

__all__ = [
    "FAULT_KINDS",
    "Emulator",
    "EmulatorConfig",
    "Endpoint",
    "ProviderContext",
    "ProviderFake",
    "RunningServer",
    "create_app",
    "serve_in_thread",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'reelkit_emulator' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:  # pragma: no cover
    from .app import Emulator, create_app
    from .config import FAULT_KINDS, EmulatorConfig
    from .provider import Endpoint, ProviderContext, ProviderFake
    from .server import RunningServer, serve_in_thread
