"""qwenchat: a terminal chat client for Qwen models."""

__version__ = "0.1.0"
