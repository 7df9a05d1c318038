"""The core's contract suite (registration, translate for every mode, clamping properties)."""

from __future__ import annotations

from reelkit.testing import ProviderContract


class TestSeedanceContract(ProviderContract):
    plugin = "reelkit_seedance"
