"""The core's contract suite (registration, a translate per mode, clamping properties, import cost)."""

from __future__ import annotations

from reelkit.testing import ProviderContract


class TestSoraContract(ProviderContract):
    plugin = "reelkit_sora"
