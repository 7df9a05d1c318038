"""Adds the reelkit emulator verb."""
