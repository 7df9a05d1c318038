"""reelkit provider emulator."""
