"""Pure values, no I/O: settings, events, catalogue, request rules, conversation, errors."""
