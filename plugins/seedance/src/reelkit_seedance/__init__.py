"""reelkit provider plugin: seedance (in progress)."""
