"""Members: the custom user model."""

from datetime import UTC, datetime

from django.contrib.auth.models import (
    AbstractBaseUser,
    BaseUserManager,
    PermissionsMixin,
)
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

HANDLE_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{1,28})[a-z0-9]$"

handle_validator = RegexValidator(
    HANDLE_PATTERN,
    _(
        "Use 3 to 30 lowercase letters, digits or hyphens, starting and ending "
        "with a letter or digit."
    ),
)


# A suspension without an end date lasts until staff lift it.
SUSPENDED_INDEFINITELY = datetime(9999, 12, 31, tzinfo=UTC)


def not_suspended(now=None, *, prefix: str = "") -> models.Q:
    """A condition: the member (at `prefix`) is not under a suspension at `now`."""
    return models.Q(**{f"{prefix}suspended_until__isnull": True}) | models.Q(
        **{f"{prefix}suspended_until__lte": now or timezone.now()}
    )


class UserQuerySet(models.QuerySet):
    def active(self, now=None):
        """Members who can use the site and appear to others (not suspended
        at `now`, by default this moment)."""
        return self.filter(not_suspended(now), is_active=True)


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("Members need an email address.")
        from connections.services.members import handle_available

        email = self.normalize_email(email).lower()
        extra_fields.setdefault("display_name", email.split("@", 1)[0])
        if not extra_fields.get("handle"):
            extra_fields["handle"] = handle_available(
                base=extra_fields["display_name"] or email
            )
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        from connections.services.profiles import member_search_terms_refresh

        member_search_terms_refresh(member=user)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A member of the Rapport community.

    The email is the sign-in and is never shown to others by this model; what
    other people see is decided by the profile visibility rules.
    """

    email = models.EmailField(_("email address"), max_length=254, unique=True)
    handle = models.CharField(
        _("handle"),
        max_length=30,
        unique=True,
        validators=[handle_validator],
        help_text=_("Your public address: /in/<handle>/"),
    )
    display_name = models.CharField(_("name"), max_length=80)
    headline = models.CharField(_("headline"), max_length=120, blank=True)
    findable_by_email = models.BooleanField(
        _("members who have my email may find me"),
        default=True,
        help_text=_(
            "When on, a member whose address book holds your verified email sees "
            "that you are on Rapport."
        ),
    )
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # Set by moderation services only; a past moment means the suspension ended.
    suspended_until = models.DateTimeField(
        _("suspended until"), null=True, blank=True, editable=False
    )
    # Set once, when the member closes their account (`account_close`).
    closed_at = models.DateTimeField(
        _("account closed"), null=True, blank=True, editable=False
    )
    signup_ip = models.GenericIPAddressField(
        _("sign-up address"), null=True, blank=True, editable=False
    )

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
            models.CheckConstraint(
                condition=models.Q(handle=Lower("handle")),
                name="user_handle_lowercase",
            ),
            models.CheckConstraint(
                condition=~models.Q(display_name=""), name="user_display_name_set"
            ),
        ]
        indexes = [
            # Lists of members by name (search, a large network sorted by
            # name) read this index in order instead of sorting everyone.
            models.Index(Lower("display_name"), "id", name="user_name_sort_idx"),
            # The admin's list of members (newest first) and sign-up bursts.
            models.Index(fields=["date_joined", "id"], name="user_joined_idx"),
        ]

    def __str__(self):
        return f"{self.display_name} (@{self.handle})"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("connections:profile", kwargs={"handle": self.handle})

    def get_full_name(self):
        return self.display_name

    def get_short_name(self):
        return self.display_name.split(" ", 1)[0]

    @property
    def is_suspended(self) -> bool:
        return (
            self.suspended_until is not None and self.suspended_until > timezone.now()
        )

    @property
    def initials(self) -> str:
        parts = [part for part in self.display_name.split() if part[:1].isalnum()]
        if not parts:
            return "?"
        if len(parts) == 1:
            return parts[0][:1].upper()
        return (parts[0][:1] + parts[-1][:1]).upper()
