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
