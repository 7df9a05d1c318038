"""Keep ``import httpx`` from importing httpx's own command-line client.

``httpx/__init__.py`` runs ``from ._main import main`` at import time; wherever click, rich and
pygments are installed (as wherever reelkit's CLI is: it needs click and rich, rich needs
pygments), that one line imports all three: about half of ``import httpx``'s time, and a few
thousand objects the garbage collector walks at every full collection, in a process that never
runs httpx's CLI. Pydantic's httpx fork made the same import lazy:
https://github.com/pydantic/httpx2/pull/947.

``install()`` (run by ``import reelkit``) adds a finder that does nothing until httpx's own
import begins; then it removes itself and puts a stand-in for ``httpx._main`` in ``sys.modules``.
``httpx.main`` (the ``httpx`` console script's target) and every other name of that module load
the real one on first use, so nothing about httpx changes but when its CLI is imported. Until
httpx is imported, ``sys.modules`` holds nothing of it; when it already is, nothing is done.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

NAME = "httpx._main"


class _LazyCLI(types.ModuleType):
    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # import machinery and copy probes: not a reason to load
            raise AttributeError(name)
        return getattr(_real(), name)


def _real() -> types.ModuleType:
    if isinstance(sys.modules.get(NAME), _LazyCLI):
        del sys.modules[NAME]
    return importlib.import_module(NAME)


def main(*args: Any, **kwargs: Any) -> Any:
    return _real().main(*args, **kwargs)


class _BeforeHttpx:
    """A ``sys.meta_path`` finder that finds nothing of its own: it notices httpx's import
    start, puts the stand-in in place and leaves."""

    @classmethod
    def find_spec(cls, name: str, path: Any = None, target: Any = None) -> Any:
        if name != "httpx" or cls not in sys.meta_path:
            return None
        if NAME not in sys.modules:
            stand_in = _LazyCLI(NAME, "httpx's CLI, imported on first use (reelkit)")
            stand_in.main = main  # type: ignore[attr-defined]
            sys.modules[NAME] = stand_in
        # The import system walks sys.meta_path itself, as a live list: once this finder is
        # gone its loop skips the one that takes its place, so that one is asked here.
        slot = sys.meta_path.index(cls)
        del sys.meta_path[slot]
        if slot < len(sys.meta_path):
            find = getattr(sys.meta_path[slot], "find_spec", None)
            if find is not None:
                return find(name, path, target)
        return None


def install() -> None:
    if "httpx" not in sys.modules and _BeforeHttpx not in sys.meta_path:
        sys.meta_path.insert(0, _BeforeHttpx)
