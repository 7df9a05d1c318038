"""reelkit provider plugin: qiniu (in progress)."""
