"""`qwenchat serve`: the chat in a browser, served from this machine (the key stays here)."""
