"""The core's contract suite: registration, a translate per mode, clamping properties, import cost."""

from __future__ import annotations

from typing import Any

from reelkit.testing import ProviderContract, carried_by_default


class TestContract(ProviderContract):
    plugin = "reelkit_runway"

    def carried(self, setting: str, applied: Any, spec: Any, sent: set[str]) -> bool:
        """Runway spells the pixel size as ``ratio: "W:H"`` ("1280:720"), which carries both
        the resolution and the aspect ratio."""
        size = str(applied.size or "").lower()
        if setting in ("resolution", "aspect_ratio") and size.replace("x", ":") in sent:
            return True
        return carried_by_default(setting, applied, spec, sent)
