"""Writes of the connections app, one module per concern (`<entity>_<action>`)."""
