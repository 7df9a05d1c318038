"""The built-in provider fakes: every module here that defines ``FAKE`` is served.

Adding a fake needs no registration: create ``providers/<name>.py`` with
``FAKE = ProviderFake(name="<name>", endpoints=[...])``. Modules starting with ``_`` hold shared
helpers and are skipped.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reelkit_emulator.provider import ProviderFake

#: The order in which fakes are listed (unknown names follow alphabetically).
ORDER = (
    "grok",
    "veo",
    "sora",
    "seedance",
    "jimeng",
    "qiniu",
    "newapi",
    "vertex",
    "runway",
    "minimax",
    "wan",
)


def discover() -> list[ProviderFake]:
    """Import every fake module of this package and return their ``FAKE`` objects."""
    fakes = []
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        fake = getattr(module, "FAKE", None)
        if fake is not None:
            fakes.append(fake)
    rank = {name: i for i, name in enumerate(ORDER)}
    return sorted(fakes, key=lambda f: (rank.get(f.name, len(ORDER)), f.name))
