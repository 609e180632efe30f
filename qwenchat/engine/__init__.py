"""The turn engine: one turn for ask, the chat and batch; it yields events and never prints."""
