"""The conversation store: the only importer of sqlite3."""
