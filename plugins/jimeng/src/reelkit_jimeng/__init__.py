"""reelkit provider plugin: jimeng (in progress)."""
