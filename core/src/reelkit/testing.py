"""pytest plugin with the reelkit contract suite."""
