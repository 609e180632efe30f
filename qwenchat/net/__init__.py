"""The network edge: the only importer of the openai SDK."""
