"""reelkit provider plugin: local (in progress)."""
