"""reelkit's contract suite for provider plugins, exactly as a third-party plugin uses it."""

from __future__ import annotations

from reelkit.testing import ProviderContract


class TestLocalContract(ProviderContract):
    plugin = "reelkit_local"
