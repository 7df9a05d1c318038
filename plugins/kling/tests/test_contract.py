"""The core's contract suite: registration, a translate per mode, clamping properties, import cost."""

from __future__ import annotations

from typing import Any

from reelkit.testing import ProviderContract


class TestContract(ProviderContract):
    plugin = "reelkit_kling"

    def carried(self, setting: str, applied: Any, spec: Any, sent: set[str]) -> bool:
        # Kling's resolution is its quality mode: std is 720p, pro 1080p
        # (docs/reference/volcengine-kling.md §4.3, §4.4).
        if setting == "resolution" and not super().carried(setting, applied, spec, sent):
            return {"720p": "std", "1080p": "pro"}.get(applied.resolution) in sent
        return super().carried(setting, applied, spec, sent)
