"""The network: connection requests, connections, blocks, pauses, email invitations.

The rules these tables guarantee on their own (DESIGN.md §3–§5): one pending
request per unordered pair, no request to oneself, one connection row per
direction, no connection to oneself, one block per direction. Services check
the same rules first to give a readable message; the constraints are the
guarantee.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Greatest, Least, Length
from django.db.models.lookups import Exact, LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

NOTE_MAX_LENGTH = 300
PRIVATE_NOTE_MAX_LENGTH = 1000


def expiry_cutoff(now=None):
    """Pending requests created before this moment count as expired."""
    now = now or timezone.now()
    return now - timedelta(days=settings.RAPPORT_INVITATION_EXPIRY_DAYS)


class ConnectionRequestQuerySet(models.QuerySet):
    def pending(self, now=None):
        """Requests still waiting for an answer (old ones count as expired)."""
        return self.filter(
            status=ConnectionRequest.Status.PENDING, created__gte=expiry_cutoff(now)
        )

    def stale(self, now=None):
        """Requests still marked pending that are past their expiry."""
        return self.filter(
            status=ConnectionRequest.Status.PENDING, created__lt=expiry_cutoff(now)
        )

    def between(self, a, b):
        """Requests between two members, in either direction."""
        return self.filter(
            Q(sender=a, recipient=b) | Q(sender=b, recipient=a),
        )


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    IGNORED = "ignored", _("Ignored")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Expired")
    DECLINED_UNKNOWN = "declined_unknown", _("Declined: doesn't know the sender")


class HowWeMet(models.TextChoices):
    COLLEAGUE = "colleague", _("Colleague")
    CLASSMATE = "classmate", _("Classmate")
    FRIEND_FAMILY = "friend_family", _("Friend or family")
    EVENT = "event", _("Met at an event")
    OTHER = "other", _("Other")


class ConnectionKind(models.TextChoices):
    PERSONAL = "personal", _("Personal")
    PROFESSIONAL = "professional", _("Professional")
    CLOSE = "close", _("Close")


class ConnectionRequest(models.Model):
    """An invitation to connect, from `sender` to `recipient`."""

    Status = RequestStatus
    HowWeMet = HowWeMet

    # The answers after which the same sender waits before inviting again.
    COOLDOWN_STATUSES = (
        RequestStatus.WITHDRAWN,
        RequestStatus.IGNORED,
        RequestStatus.DECLINED_UNKNOWN,
    )

    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="sent_connection_requests",
        db_index=False,
        verbose_name=_("sender"),
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="received_connection_requests",
        db_index=False,
        verbose_name=_("recipient"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status, default=Status.PENDING
    )
    note = models.TextField(_("note"), max_length=NOTE_MAX_LENGTH, blank=True)
    how_we_met = models.CharField(
        _("how we know each other"), max_length=20, choices=HowWeMet, blank=True
    )
    created = models.DateTimeField(_("sent"), default=timezone.now)
    responded = models.DateTimeField(_("answered"), null=True, blank=True)
    email_invitation = models.ForeignKey(
        "EmailInvitation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("from email invitation"),
    )

    objects = ConnectionRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("connection request")
        verbose_name_plural = _("connection requests")
        constraints = [
            models.UniqueConstraint(
                Least("sender", "recipient"),
                Greatest("sender", "recipient"),
                condition=Q(status="pending"),
                name="connection_request_one_pending_per_pair",
            ),
            models.CheckConstraint(
                condition=~Q(sender=F("recipient")),
                name="connection_request_not_to_self",
            ),
            models.CheckConstraint(
                condition=Q(status__in=RequestStatus.values),
                name="connection_request_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(how_we_met__in=["", *HowWeMet.values]),
                name="connection_request_how_we_met_valid",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("note"), NOTE_MAX_LENGTH),
                name="connection_request_note_length",
            ),
            models.CheckConstraint(
                condition=Q(status="pending", responded__isnull=True)
                | (~Q(status="pending") & Q(responded__isnull=False)),
                name="connection_request_answered_when_closed",
            ),
        ]
        indexes = [
            # Received and sent lists, the badge and the pending count.
            models.Index(
                fields=["recipient", "status", "-created", "-id"],
                name="request_received_idx",
            ),
            models.Index(
                fields=["sender", "status", "-created", "-id"],
                name="request_sent_idx",
            ),
            # The rolling weekly allowance and the cooldown after an answer.
            models.Index(fields=["sender", "created"], name="request_sender_week_idx"),
            models.Index(
                fields=["sender", "recipient", "responded"],
                name="request_cooldown_idx",
            ),
            # The expiry sweep.
            models.Index(
                fields=["created"],
                condition=Q(status="pending"),
                name="request_pending_created_idx",
            ),
            # Moderation's abuse view: invitations refused lately, by sender.
            models.Index(
                fields=["responded", "sender"],
                condition=Q(status__in=["ignored", "declined_unknown"]),
                name="request_refused_idx",
            ),
        ]

    def __str__(self):
        return f"{self.sender_id} → {self.recipient_id} ({self.status})"

    @property
    def is_pending(self) -> bool:
        """Pending and not past its expiry."""
        return self.status == self.Status.PENDING and self.created >= expiry_cutoff()

    @property
    def effective_status(self) -> str:
        """The status as every reader should see it (old pending → expired)."""
        if self.status == self.Status.PENDING and not self.is_pending:
            return self.Status.EXPIRED
        return self.status

    @property
    def expires(self):
        return self.created + timedelta(days=settings.RAPPORT_INVITATION_EXPIRY_DAYS)


class Connection(models.Model):
    """One direction of a connection: what `member` keeps about `other`.

    Every connection is two rows, (a, b) and (b, a), written and deleted
    together by `connections.services.network`; `kind` and `note` are private
    to `member`.
    """

    Kind = ConnectionKind

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="connections",
        db_index=False,
        verbose_name=_("member"),
    )
    other = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("connected with"),
    )
    created = models.DateTimeField(_("connected"), default=timezone.now)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, blank=True)
    note = models.TextField(
        _("private note"), max_length=PRIVATE_NOTE_MAX_LENGTH, blank=True
    )
    # Depth of connection (`connections.services.depth`): what `member` gave
    # towards `other`, and the pair's score, both scaled to a fixed epoch so
    # that one index sorts by depth at any moment; equal on both rows.
    depth_given = models.FloatField(_("depth given"), default=0.0)
    depth = models.FloatField(_("depth"), default=0.0)
    last_interaction = models.DateTimeField(
        _("last interaction"), null=True, blank=True
    )
    # "Keep in touch every N weeks", private to `member`; `keep_in_touch_due`
    # moves on with every interaction.
    keep_in_touch_weeks = models.PositiveSmallIntegerField(
        _("keep in touch every (weeks)"), null=True, blank=True
    )
    keep_in_touch_due = models.DateTimeField(
        _("keep in touch by"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("connection")
        verbose_name_plural = _("connections")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "other"], name="connection_unique_direction"
            ),
            models.CheckConstraint(
                condition=~Q(member=F("other")), name="connection_not_to_self"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["", *ConnectionKind.values]),
                name="connection_kind_valid",
            ),
        ]
        indexes = [
            # Recently connected first, keyset pagination, suggestion sampling;
            # it carries `other` so those reads never visit the table.
            models.Index(
                fields=["member", "-created", "-id", "other"],
                name="connection_recent_idx",
            ),
            # Sorted by depth, deepest first, keyset-paginated.
            models.Index(
                fields=["member", "-depth", "-id", "other"],
                name="connection_depth_idx",
            ),
            # Losing touch: close or professional, quiet the longest.
            models.Index(
                fields=["member", "kind", "last_interaction"],
                name="connection_touch_idx",
            ),
            models.Index(
                fields=["member", "keep_in_touch_due"],
                condition=Q(keep_in_touch_due__isnull=False),
                name="connection_reminder_idx",
            ),
        ]

    def __str__(self):
        return f"{self.member_id} ↔ {self.other_id}"


class Block(models.Model):
    """`blocker` blocked `blocked`: neither sees nor reaches the other."""

    blocker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="blocks_made",
        db_index=False,
        verbose_name=_("blocked by"),
    )
    blocked = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="blocks_received",
        db_index=False,
        verbose_name=_("blocked member"),
    )
    created = models.DateTimeField(_("blocked on"), default=timezone.now)

    class Meta:
        verbose_name = _("block")
        verbose_name_plural = _("blocks")
        constraints = [
            models.UniqueConstraint(
                fields=["blocker", "blocked"], name="block_unique_direction"
            ),
            models.CheckConstraint(
                condition=~Q(blocker=F("blocked")), name="block_not_self"
            ),
        ]
        indexes = [
            models.Index(fields=["blocked", "blocker"], name="block_reverse_idx"),
            models.Index(fields=["blocker", "-created"], name="block_list_idx"),
        ]

    def __str__(self):
        return f"{self.blocker_id} ⊘ {self.blocked_id}"


class SendingPauseQuerySet(models.QuerySet):
    def active(self, now=None):
        now = now or timezone.now()
        return self.filter(lifted__isnull=True, until__gt=now)


class SendingPause(models.Model):
    """A member may not send invitations until `until`, unless staff lift it.

    Created when several recipients answered "I don't know this person" within
    a week (DESIGN.md §3).
    """

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="sending_pauses",
        db_index=False,
        verbose_name=_("member"),
    )
    created = models.DateTimeField(_("paused on"), default=timezone.now)
    until = models.DateTimeField(_("paused until"))
    reason = models.CharField(_("reason"), max_length=200)
    lifted = models.DateTimeField(_("lifted on"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lifted by"),
    )

    objects = SendingPauseQuerySet.as_manager()

    class Meta:
        verbose_name = _("sending pause")
        verbose_name_plural = _("sending pauses")
        constraints = [
            models.CheckConstraint(
                condition=Q(until__gt=F("created")), name="sending_pause_positive"
            ),
        ]
        indexes = [
            models.Index(fields=["member", "-until"], name="sending_pause_member_idx"),
        ]

    def __str__(self):
        return f"{self.member_id} paused until {self.until:%Y-%m-%d}"

    @property
    def is_active(self) -> bool:
        return self.lifted is None and self.until > timezone.now()


class EmailInvitationQuerySet(models.QuerySet):
    def open(self, now=None):
        """Links still waiting to be used: sent, not withdrawn, not past date."""
        return self.filter(
            status=EmailInvitation.Status.SENT, expires__gt=now or timezone.now()
        )


class EmailInvitation(models.Model):
    """An invitation by email to someone who may not be a member yet.

    Only a hash of the link's token is stored; the token itself travels in the
    email. Opening the link and signing up (any address) leaves a pending
    connection request from the inviter once the new member's email is
    verified.
    """

    class Status(models.TextChoices):
        SENT = "sent", _("Sent")
        USED = "used", _("Used")
        EXPIRED = "expired", _("Expired")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    inviter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="email_invitations",
        db_index=False,
        verbose_name=_("inviter"),
    )
    email = models.EmailField(_("email address"))
    name = models.CharField(_("name"), max_length=80, blank=True)
    note = models.TextField(_("note"), max_length=NOTE_MAX_LENGTH, blank=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    status = models.CharField(
        _("status"), max_length=20, choices=Status, default=Status.SENT
    )
    created = models.DateTimeField(_("sent"), default=timezone.now)
    expires = models.DateTimeField(_("valid until"))
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed up as"),
        help_text=_("The member who signed up through the link, once verified."),
    )
    used = models.DateTimeField(_("used on"), null=True, blank=True)

    objects = EmailInvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("email invitation")
        verbose_name_plural = _("email invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["inviter", "email"],
                condition=Q(status="sent"),
                name="email_invitation_one_open_per_address",
            ),
            models.CheckConstraint(
                condition=Q(email=models.functions.Lower("email")),
                name="email_invitation_email_lowercase",
            ),
            models.CheckConstraint(
                condition=Q(expires__gt=F("created")),
                name="email_invitation_expires_after_sent",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("note"), NOTE_MAX_LENGTH),
                name="email_invitation_note_length",
            ),
        ]
        indexes = [
            models.Index(fields=["inviter", "-created"], name="email_inv_inviter_idx"),
        ]

    def __str__(self):
        return f"{self.inviter_id} → {self.email} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.SENT and self.expires > timezone.now()


class AddressOptOut(models.Model):
    """An email address that asked, from the link in an invitation email,
    never to be sent one again, by any member.

    Kept as a keyed hash of the lower-cased address
    (`connections.unsubscribe.address_digest`): the person is not a member,
    and checking an address about to be emailed needs only its hash.
    """

    digest = models.CharField(max_length=64, unique=True, editable=False)
    created = models.DateTimeField(_("asked on"), default=timezone.now)

    class Meta:
        verbose_name = _("address that stopped invitation emails")
        verbose_name_plural = _("addresses that stopped invitation emails")
        constraints = [
            models.CheckConstraint(
                condition=Exact(Length("digest"), 64),
                name="address_opt_out_digest_length",
            ),
        ]

    def __str__(self):
        return f"opted out address {self.digest[:12]}"


class NotificationSettings(models.Model):
    """Which emails a member wants; a member without a row gets every email."""

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="notification_settings",
        verbose_name=_("member"),
    )
    invitation_received = models.BooleanField(
        _("someone invites me to connect"), default=True
    )
    invitation_accepted = models.BooleanField(
        _("someone accepts my invitation"), default=True
    )
    message_unread = models.BooleanField(
        _("someone sends me a message I haven't read"), default=True
    )

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self):
        return f"notifications of {self.member_id}"
