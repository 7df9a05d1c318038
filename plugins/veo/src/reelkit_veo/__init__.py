"""reelkit provider plugin: veo (in progress)."""
