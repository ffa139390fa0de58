"""Writes of the contacts app, one module per concern (`<entity>_<action>`)."""
