"""reelkit provider plugin: newapi (in progress)."""
