"""reelkit provider plugin: grok (in progress)."""
