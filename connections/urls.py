"""URLs of the connections app."""

from django.urls import path

from connections.views import (
    depth,
    messaging,
    moderation,
    network,
    pages,
    profile,
    updates,
)

app_name = "connections"

urlpatterns = [
    path("network/", network.network_home, name="network"),
    path("network/connections/", network.connection_list, name="connections"),
    path(
        "network/connections/<handle:handle>/",
        network.connection_edit,
        name="connection_edit",
    ),
    path(
        "network/connections/<handle:handle>/keep-in-touch/",
        depth.keep_in_touch,
        name="keep_in_touch",
    ),
    path("network/losing-touch/", depth.losing_touch_list, name="losing_touch"),
    path("network/invitations/", network.invitations_received, name="invitations"),
    path(
        "network/invitations/sent/",
        network.invitations_sent,
        name="invitations_sent",
    ),
    path(
        "network/invitations/<id:pk>/",
        network.invitation_respond,
        name="invitation_respond",
    ),
    path(
        "network/invitations/<id:pk>/withdraw/",
        network.invitation_withdraw,
        name="invitation_withdraw",
    ),
    path("network/search/", network.member_search, name="search"),
    path("network/invite/", network.invite_by_email, name="invite"),
    path(
        "network/invite/<id:pk>/withdraw/",
        network.email_invitation_withdraw,
        name="email_invitation_withdraw",
    ),
    path("join/<str:token>/", network.join, name="join"),
    path(
        "join/stop/<str:token>/",
        network.address_opt_out_view,
        name="address_opt_out",
    ),
    path("updates/", updates.update_create, name="update_create"),
    path("updates/<id:pk>/", updates.update_detail, name="update"),
    path("updates/<id:pk>/edit/", updates.update_edit, name="update_edit"),
    path("updates/<id:pk>/delete/", updates.update_delete, name="update_delete"),
    path("updates/<id:pk>/like/", updates.update_like, name="update_like"),
    path(
        "updates/<id:pk>/comments/",
        updates.update_comments,
        name="update_comments",
    ),
    path("messages/", messaging.inbox, name="messages"),
    path("messages/unread/", messaging.unread_badge, name="messages_unread"),
    path("messages/with/<handle:handle>/", messaging.thread, name="thread"),
    path(
        "messages/with/<handle:handle>/poll/", messaging.thread_poll, name="thread_poll"
    ),
    path("settings/", pages.settings_index, name="settings"),
    path("settings/profile/", profile.profile_edit, name="profile_edit"),
    path("settings/close/", pages.account_close_view, name="account_close"),
    path("settings/data/", pages.your_data, name="your_data"),
    path(
        "settings/data/download/", pages.your_data_download, name="your_data_download"
    ),
    path("settings/blocked/", network.blocked_list, name="blocked"),
    path("settings/blocked/<handle:handle>/unblock/", network.unblock, name="unblock"),
    path(
        "settings/notifications/",
        network.notification_settings,
        name="notifications",
    ),
    path(
        "settings/notifications/stop/<str:token>/",
        network.notification_unsubscribe,
        name="unsubscribe",
    ),
    path("in/<handle:handle>/", profile.profile, name="profile"),
    path(
        "in/<handle:handle>/connections/",
        profile.profile_connections,
        name="profile_connections",
    ),
    path(
        "in/<handle:handle>/relationship/",
        profile.relationship_action,
        name="relationship",
    ),
    path(
        "in/<handle:handle>/updates/", updates.profile_updates, name="profile_updates"
    ),
    path("in/<handle:handle>/connect/", network.connect, name="connect"),
    path(
        "in/<handle:handle>/remove/",
        network.remove_connection,
        name="remove_connection",
    ),
    path("in/<handle:handle>/block/", network.block, name="block"),
    path("in/<handle:handle>/report/", moderation.report_member, name="report"),
    path(
        "messages/with/<handle:handle>/report/<id:message_id>/",
        moderation.report_message,
        name="report_message",
    ),
    path("updates/<id:pk>/report/", moderation.report_update, name="report_update"),
    path(
        "updates/<id:pk>/comments/<id:comment_id>/report/",
        moderation.report_comment,
        name="report_comment",
    ),
    path("settings/reports/", moderation.my_reports, name="reports"),
    path("settings/warnings/", moderation.warnings, name="warnings"),
]
