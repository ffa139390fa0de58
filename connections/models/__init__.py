"""Models of the connections app, one module per concern."""

from connections.models.members import User, UserQuerySet
from connections.models.network import (
    Block,
    Connection,
    ConnectionRequest,
    EmailInvitation,
    NotificationSettings,
    SendingPause,
)

__all__ = [
    "Block",
    "Connection",
    "ConnectionRequest",
    "EmailInvitation",
    "NotificationSettings",
    "SendingPause",
    "User",
    "UserQuerySet",
]
