"""``python -m reelkit_emulator`` runs the same command as ``reelkit emulator``."""

from .plugin import emulator_command

if __name__ == "__main__":
    emulator_command()(prog_name="python -m reelkit_emulator")
