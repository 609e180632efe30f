"""The interactive chat: the only importer of prompt_toolkit."""
