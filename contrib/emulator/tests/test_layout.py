"""The emulator's shape: small modules, one record library, no plugin assumptions."""

from __future__ import annotations

import ast
from pathlib import Path

import reelkit_emulator

SOURCE = Path(reelkit_emulator.__file__).parent
MODULES = sorted(SOURCE.rglob("*.py"))
MAX_LINES = 600


def test_there_are_modules_to_check() -> None:
    names = {m.relative_to(SOURCE).as_posix() for m in MODULES}
    assert {"provider.py", "errors.py", "spec.py", "providers/sora.py"} <= names


def test_no_module_is_over_600_lines() -> None:
    sizes = {m.relative_to(SOURCE).as_posix(): len(m.read_text().splitlines()) for m in MODULES}
    assert {name: n for name, n in sizes.items() if n > MAX_LINES} == {}


def _imports(module: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(module.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_fakes_do_not_import_the_plugins_they_check() -> None:
    """The fakes check the plugins, so they must not share their assumptions: no emulator
    module imports a provider plugin (its capabilities, catalogue or anything else). Only
    reelkit_local's renderer, which makes the served MP4s, is allowed."""
    plugins = (
        "grok",
        "veo",
        "sora",
        "seedance",
        "jimeng",
        "qiniu",
        "newapi",
        "runway",
        "kling",
        "kling",
        "minimax",
        "wan",
    )
    offending = {
        module.relative_to(SOURCE).as_posix(): sorted(
            name
            for name in _imports(module)
            if any(name == f"reelkit_{p}" or name.startswith(f"reelkit_{p}.") for p in plugins)
        )
        for module in MODULES
    }
    assert {k: v for k, v in offending.items() if v} == {}


def test_one_record_library() -> None:
    """attrs, not dataclasses, across the emulator."""
    users = [m.relative_to(SOURCE).as_posix() for m in MODULES if "dataclasses" in _imports(m)]
    assert users == []
