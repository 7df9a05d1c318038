"""reelkit over the Model Context Protocol (see docs/mcp.md)."""
