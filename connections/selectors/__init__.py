"""Reads and policy of the connections app, one module per concern."""
