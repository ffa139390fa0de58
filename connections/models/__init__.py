"""Models of the connections app, one module per concern."""

from connections.models.depth import Interaction
from connections.models.members import User, UserQuerySet
from connections.models.messaging import Conversation, ConversationMember, Message
from connections.models.moderation import AuditRecord, Report, Sanction
from connections.models.network import (
    AddressOptOut,
    Block,
    Connection,
    ConnectionRequest,
    EmailInvitation,
    NotificationSettings,
    SendingPause,
)
from connections.models.profiles import (
    Audience,
    MemberSearchTerm,
    Profile,
    RetiredHandle,
    WorkEntry,
)
from connections.models.updates import Comment, FeedEntry, Like, Update

__all__ = [
    "AddressOptOut",
    "Audience",
    "AuditRecord",
    "MemberSearchTerm",
    "Profile",
    "RetiredHandle",
    "WorkEntry",
    "Block",
    "Comment",
    "Connection",
    "ConnectionRequest",
    "Conversation",
    "ConversationMember",
    "EmailInvitation",
    "FeedEntry",
    "Interaction",
    "Like",
    "Message",
    "NotificationSettings",
    "Report",
    "Sanction",
    "SendingPause",
    "Update",
    "User",
    "UserQuerySet",
]
