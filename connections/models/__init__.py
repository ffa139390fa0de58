"""Models of the connections app, one module per concern."""

from connections.models.members import User, UserQuerySet

__all__ = ["User", "UserQuerySet"]
