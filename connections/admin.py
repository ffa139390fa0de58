"""Staff administration of members and the network.

Invitations, connections and blocks are shown to staff but neither added,
edited nor deleted here, superusers included: they change only through the
members' own actions, and a staff action goes through a moderation service
that takes a reason and writes an audit record (as "lift" a pause does).
Lists select their related members in the same query and don't count big
tables.
"""

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from connections.admin_search import MemberSearch
from connections.models import (
    Block,
    Connection,
    ConnectionRequest,
    EmailInvitation,
    SendingPause,
    User,
)
from connections.moderation_admin import (
    CappedCountPaginator,
    MemberModeration,
    QuickCheckbox,
    SuspendedFilter,
    lift_pauses_action,
)
from connections.services.profiles import member_search_terms_refresh

MEMBER_SEARCH = ("email", "handle", "display_name")


def member_search(prefix: str) -> tuple[str, ...]:
    return tuple(f"{prefix}__{field}" for field in MEMBER_SEARCH)


@admin.register(User)
class UserAdmin(MemberSearch, MemberModeration, BaseUserAdmin):
    """Members: find them by email, handle or name; moderators warn, suspend
    and unsuspend here, and read each member's reports and sanctions."""

    ordering = ("-date_joined",)
    list_display = (
        "display_name",
        "handle",
        "email",
        "is_active",
        "suspension",
        "is_staff",
        "date_joined",
    )
    list_filter = ("is_active", SuspendedFilter, "is_staff", "date_joined")
    search_fields = MEMBER_SEARCH
    member_search_fields = ("",)
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    paginator = CappedCountPaginator
    actions = MemberModeration.moderation_actions
    # "Active" only shows: a member is taken off by Suspend (a reason and an
    # audit record) or by closing their account, never by a silent untick.
    readonly_fields = (
        "is_active",
        "date_joined",
        "last_login",
        "suspension",
        "closed_at",
        "signup_ip",
    )
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("display_name", "handle", "headline")}),
        (_("Privacy"), {"fields": ("findable_by_email",)}),
        (
            _("Permissions"),
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                )
            },
        ),
        (_("Moderation"), {"fields": ("suspension", "signup_ip")}),
        (_("Dates"), {"fields": ("date_joined", "last_login", "closed_at")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "display_name", "password1", "password2"),
            },
        ),
    )
    filter_horizontal = ("groups", "user_permissions")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        member_search_terms_refresh(member=obj)


class IndexOrderedChangeList(ChangeList):
    """Sorts only by the columns the admin lets staff sort by, even when a
    link asks for another (`?o=`): other orders would sort a whole table."""

    def get_ordering_field(self, field_name):
        if self.sortable_by is not None and field_name not in self.sortable_by:
            return None
        return super().get_ordering_field(field_name)


class ReadOnlyAdmin(MemberSearch, QuickCheckbox, admin.ModelAdmin):
    """Shown to staff, changed only through the services (no delete either:
    it would leave no audit record).

    Each list has an `ordering` that one index reads in order, and columns
    are not sortable, so a page never sorts a big table; filters are only
    those an index or a small table makes cheap.
    """

    sortable_by = ()
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    paginator = CappedCountPaginator

    def get_changelist(self, request, **kwargs):
        return IndexOrderedChangeList

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ConnectionRequest)
class ConnectionRequestAdmin(ReadOnlyAdmin):
    """Each sender's invitations by status, newest first (the sent index)."""

    list_display = ("sender", "recipient", "status", "how_we_met", "created")
    ordering = ("sender_id", "status", "-created", "-id")
    list_filter = ("status", "how_we_met")
    list_select_related = ("sender", "recipient")
    search_fields = member_search("sender") + member_search("recipient")
    member_search_fields = ("sender", "recipient")
    autocomplete_fields = ("sender", "recipient")
    readonly_fields = (
        "sender",
        "recipient",
        "status",
        "note",
        "how_we_met",
        "created",
        "responded",
        "email_invitation",
    )


@admin.register(Connection)
class ConnectionAdmin(ReadOnlyAdmin):
    """One row per direction, each member's newest first (the recent index)."""

    list_display = ("member", "other", "kind", "created")
    ordering = ("member_id", "-created", "-id")
    list_filter = ("kind",)
    list_select_related = ("member", "other")
    search_fields = member_search("member")
    member_search_fields = ("member",)
    autocomplete_fields = ("member", "other")
    readonly_fields = ("member", "other", "kind", "created")
    exclude = ("note",)  # private to the member, not for staff eyes


@admin.register(Block)
class BlockAdmin(ReadOnlyAdmin):
    list_display = ("blocker", "blocked", "created")
    ordering = ("blocker_id", "blocked_id")  # the unique (blocker, blocked) index
    list_select_related = ("blocker", "blocked")
    search_fields = member_search("blocker") + member_search("blocked")
    member_search_fields = ("blocker", "blocked")
    autocomplete_fields = ("blocker", "blocked")
    readonly_fields = ("blocker", "blocked", "created")


class PauseActiveFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("active", _("Active")), ("ended", _("Ended or lifted"))]

    def queryset(self, request, queryset):
        if self.value() == "active":
            return queryset.active()
        if self.value() == "ended":
            return queryset.exclude(
                pk__in=queryset.active().values("pk"),
            )
        return queryset


@admin.register(SendingPause)
class SendingPauseAdmin(ReadOnlyAdmin):
    """Members paused from sending invitations; staff can lift a pause."""

    list_display = ("member", "created", "until", "is_active_now", "lifted", "reason")
    ordering = ("member_id", "-until", "-id")
    list_filter = (PauseActiveFilter, "created")
    list_select_related = ("member", "lifted_by")
    search_fields = member_search("member")
    member_search_fields = ("member",)
    autocomplete_fields = ("member",)
    readonly_fields = ("member", "created", "until", "reason", "lifted", "lifted_by")
    actions = [lift_pauses_action]

    @admin.display(boolean=True, description=_("active"))
    def is_active_now(self, obj):
        return obj.lifted is None and obj.until > timezone.now()


@admin.register(EmailInvitation)
class EmailInvitationAdmin(ReadOnlyAdmin):
    list_display = ("inviter", "email", "status", "created", "expires", "claimed_by")
    ordering = ("inviter_id", "-created", "-id")
    list_filter = ("status", "created")
    list_select_related = ("inviter", "claimed_by")
    search_fields = ("email", *member_search("inviter"))
    member_search_fields = ("inviter",)
    exact_search_fields = ("email",)
    autocomplete_fields = ("inviter", "claimed_by")
    readonly_fields = (
        "inviter",
        "email",
        "name",
        "status",
        "created",
        "expires",
        "claimed_by",
        "used",
    )
    exclude = ("note",)
