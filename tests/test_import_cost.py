"""`import reelkit` stays cheap: no plugin, no HTTP stack, no video or CLI library."""

from __future__ import annotations

import json
import subprocess
import sys

FORBIDDEN = ("av", "numpy", "click", "rich", "PIL", "httpx", "pluggy", "cattrs", "sqlite3")


def modules_after(code: str) -> list[str]:
    script = f"import sys\n{code}\nimport json; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return list(json.loads(out.stdout))


def test_import_reelkit_imports_no_plugin_and_nothing_heavy() -> None:
    loaded = modules_after("import reelkit")
    assert [m for m in loaded if m.startswith("reelkit_")] == []
    assert [m for m in loaded if m.split(".")[0] in FORBIDDEN] == []


def test_declaring_capabilities_stays_light() -> None:
    # What a plugin module needs at import time: the records and the hook marker.
    loaded = modules_after(
        "from reelkit import ModelInfo, ProviderInfo, Variant, Choices, hookimpl"
    )
    assert [
        m for m in loaded if m.split(".")[0] in ("av", "numpy", "click", "rich", "PIL", "httpx")
    ] == []


def test_httpx_imported_after_reelkit_leaves_its_own_cli_unloaded() -> None:
    # httpx's __init__ imports its CLI (click, rich, pygments) whenever they are installed, as
    # they are wherever reelkit's CLI is: reelkit defers that import to the CLI's first use.
    assert modules_after("import click, rich, pygments")  # installed: the check means something
    loaded = modules_after(
        "import reelkit, httpx\n"
        "assert not [f for f in sys.meta_path if f.__module__.startswith('reelkit')]"
    )
    assert "httpx" in loaded
    assert [m for m in loaded if m.split(".")[0] in ("click", "rich", "pygments")] == []


def test_httpx_cli_still_runs_in_full_after_reelkit() -> None:
    script = (
        "import reelkit, httpx, sys\n"
        "try:\n    httpx.main(['--help'])\nexcept SystemExit as exc:\n    code = exc.code\n"
        "import httpx._main as real\n"
        "print(code, 'rich' in sys.modules, real.print_response.__module__)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert "Usage: httpx" in out.stdout
    assert out.stdout.splitlines()[-1] == "0 True httpx._main"


def test_httpx_imported_first_is_left_exactly_as_it_was() -> None:
    script = (
        "import httpx, sys\nbefore = sys.modules['httpx._main']\nimport reelkit\n"
        "print(sys.modules['httpx._main'] is before, type(before).__name__)"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "module"]


def test_the_finder_that_takes_reelkits_place_is_still_asked_for_httpx() -> None:
    # reelkit's finder leaves sys.meta_path while the import system walks it; the finder
    # right behind it must not be skipped (an import hook, pytest's assertion rewriter...).
    script = (
        "import sys, reelkit\n"
        "asked = []\n"
        "class Recorder:\n"
        "    @staticmethod\n"
        "    def find_spec(name, path=None, target=None):\n"
        "        asked.append(name)\n"
        "sys.meta_path.insert(1, Recorder)\n"
        "import httpx\n"
        "print('httpx' in asked, sys.meta_path.index(Recorder))"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "0"]
