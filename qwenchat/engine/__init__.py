"""The turn engine: one turn for ask, the chat and /compress (batch shares its request building
and event pipeline); it hands every event to the view it is given and never prints."""
