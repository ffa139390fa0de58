"""Reads and policy of the contacts app, one module per concern."""
