"""Shared fixtures: every test gets its own REELKIT_HOME and no real credentials."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

# Any variable a provider reads: cleared so a developer's real keys never reach a test.
CREDENTIAL_VARS = (
    "XAI_API_KEY",
    "GEMINI_API_KEY",
    "GOOGLE_API_KEY",
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "ARK_API_KEY",
    "VOLC_ACCESSKEY",
    "VOLC_SECRETKEY",
    "JIMENG_VIDEO_API_URL",
    "QINIU_API_KEY",
    "NEWAPI_API_KEY",
    "AWKWARD_KEY",
)


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in list(os.environ):
        if name.startswith("REELKIT_") or name in CREDENTIAL_VARS:
            monkeypatch.delenv(name, raising=False)
    home = tmp_path / "home"
    monkeypatch.setenv("REELKIT_HOME", str(home))
    monkeypatch.chdir(tmp_path)
    return home
