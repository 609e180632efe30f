"""MCP servers as tools, prompts and resources (the only importer of the `mcp` SDK)."""
