"""Importing the plugin (and planning with it) must not load the video stack."""

from __future__ import annotations

import json
import subprocess
import sys

VIDEO_STACK = ["av", "numpy", "PIL"]
# httpx is needed once a hook runs, not to list the provider (and it drags in click and rich
# when those are installed).
AT_IMPORT = [*VIDEO_STACK, "httpx", "click", "rich"]

_REPORT = """
import json, sys
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules} & set(%r))))
"""

_HOOKS = """
import reelkit_local
from reelkit.capabilities import Mode
from reelkit.models import Media, ProviderConfig, VideoRequest
from reelkit_local.capabilities import TITLE_CARD

seen = []
reelkit_local.reelkit_register_providers(register=lambda provider, models: seen.append(provider))
config = ProviderConfig(name="local", base_url="local://render", poll_interval_s=1, timeout_s=1)
request = VideoRequest(prompt="x", first_frame=Media(data=b"png"), mode=Mode.I2V)
reelkit_local.reelkit_translate(provider="local", model=TITLE_CARD, request=request, config=config)
reelkit_local.reelkit_transport(provider="local", config=config)  # building it renders nothing
"""


def heavy_modules_after(code: str, heavy: list[str] = VIDEO_STACK) -> list[str]:
    run = subprocess.run(
        [sys.executable, "-c", code + _REPORT % (heavy,)],
        capture_output=True,
        text=True,
        check=True,
    )
    found: list[str] = json.loads(run.stdout)
    return found


def test_import_does_not_import_the_video_stack_or_httpx() -> None:
    assert heavy_modules_after("import reelkit_local", AT_IMPORT) == []


def test_hooks_do_not_import_them_either() -> None:
    assert heavy_modules_after(_HOOKS) == []


def test_the_renderer_module_is_lazy_too() -> None:
    code = "import reelkit_local.render, reelkit_local.store, reelkit_local.transport"
    assert heavy_modules_after(code) == []


def test_the_check_would_notice() -> None:
    assert "numpy" in heavy_modules_after("import numpy")
