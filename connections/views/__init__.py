"""Views of the connections app, one module per concern."""
