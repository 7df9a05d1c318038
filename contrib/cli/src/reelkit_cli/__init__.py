"""reelkit command line."""
