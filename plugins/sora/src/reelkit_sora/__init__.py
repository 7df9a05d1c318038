"""reelkit provider plugin: sora (in progress)."""
