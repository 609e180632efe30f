"""Renderers: how a reply's events reach the user (Rich panels, plain text, JSON)."""
