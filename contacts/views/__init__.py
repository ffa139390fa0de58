"""Views of the contacts app, one module per concern."""
