"""The core's contract suite: registration, a translate per mode, clamping properties, import cost."""

from reelkit.testing import ProviderContract


class TestContract(ProviderContract):
    plugin = "reelkit_wan"
