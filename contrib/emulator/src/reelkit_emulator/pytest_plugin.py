"""pytest plugin: reelkit_emulator fixture."""
