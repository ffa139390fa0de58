"""The moderation tools in the admin: access, the queue, actions, audit, abuse."""

from datetime import UTC, timedelta

import pytest
from allauth.mfa.models import Authenticator
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from connections.models import AuditRecord, ConnectionRequest, Report, Sanction
from connections.services import moderation as services
from connections.services import network
from tests.conftest import signed_in_client, staff_client
from tests.factories import ReportFactory, UserFactory

pytestmark = pytest.mark.django_db

QUEUE = "/admin/connections/report/"


@pytest.fixture
def superuser_client(db):
    return staff_client(
        UserFactory(email="root@example.com", is_staff=True, is_superuser=True)
    )


# --- Who reaches what ----------------------------------------------------------


def test_staff_without_two_factor_are_sent_to_set_it_up(moderator):
    client = signed_in_client(moderator)
    response = client.get("/admin/")
    assert response.status_code == 302
    step = client.get(response["Location"])
    assert step.status_code == 302
    assert step["Location"].startswith(reverse("mfa_activate_totp"))


def test_staff_with_totp_but_no_code_this_session_enter_one(moderator):
    Authenticator.objects.create(
        user=moderator, type=Authenticator.Type.TOTP, data={"secret": "x"}
    )
    client = signed_in_client(moderator)
    step = client.get(client.get(QUEUE)["Location"])
    assert step["Location"].startswith(reverse("mfa_reauthenticate"))


def test_superusers_need_two_factor_too():
    root = UserFactory(is_staff=True, is_superuser=True)
    assert signed_in_client(root).get("/admin/").status_code == 302
    assert staff_client(root).get("/admin/").status_code == 200


def test_members_get_403_and_visitors_sign_in(alice_client, client):
    assert alice_client.get(QUEUE, follow=True).status_code == 403
    assert client.get(QUEUE).status_code == 302


def test_staff_without_the_permission_cannot_moderate(carol):
    client = staff_client(UserFactory(is_staff=True))
    report = ReportFactory(member=carol)
    assert client.get(QUEUE).status_code == 403
    assert client.get("/admin/connections/auditrecord/").status_code == 403
    assert client.get("/admin/connections/sanction/").status_code == 403
    assert client.get(QUEUE + "abuse/").status_code == 403
    assert client.get(QUEUE + f"{report.pk}/act/").status_code == 403
    response = client.post(
        QUEUE + f"{report.pk}/act/", {"decision": "suspend", "reason": "x"}
    )
    assert response.status_code == 403
    carol.refresh_from_db()
    assert not carol.is_suspended


# --- The queue -------------------------------------------------------------------


def test_queue_lists_open_reports_oldest_first_with_other_open_count(
    moderator_client, carol, dave
):
    now = timezone.now()
    newer = ReportFactory(member=carol, created=now - timedelta(hours=1))
    older = ReportFactory(member=dave, created=now - timedelta(days=2))
    ReportFactory(member=carol, created=now)
    closed = ReportFactory(member=dave, details="already handled")
    services.report_dismiss(
        report=closed, staff_member=moderator_client_user(), reason="ok"
    )
    response = moderator_client.get(QUEUE)
    assert response.status_code == 200
    rows = list(response.context["cl"].result_list)
    assert rows[0] == older
    assert rows[1] == newer
    assert closed not in rows
    assert rows[1].other_open == 1
    assert rows[0].other_open == 0
    resolved = moderator_client.get(QUEUE + "?status=resolved").context["cl"]
    assert list(resolved.result_list) == [closed]
    spam = moderator_client.get(QUEUE + "?status=all&reason__exact=harassment")
    assert list(spam.context["cl"].result_list) == []


def test_queue_pages_hold_50_open_reports_without_status_columns(moderator_client):
    ReportFactory.create_batch(51)
    queue = moderator_client.get(QUEUE).context["cl"]
    assert len(queue.result_list) == 50
    assert "status" not in queue.list_display
    assert "outcome" not in queue.list_display
    everything = moderator_client.get(QUEUE + "?status=all").context["cl"]
    assert {"status", "outcome"} <= set(everything.list_display)


def test_queue_counts_its_rows_without_their_columns(moderator_client):
    ReportFactory.create_batch(3)
    with CaptureQueriesContext(connection) as captured:
        assert moderator_client.get(QUEUE).status_code == 200
    counts = [q["sql"] for q in captured if q["sql"].startswith("SELECT COUNT(*)")]
    assert counts
    assert not any("COALESCE" in sql.upper() for sql in counts)


def test_row_checkboxes_are_the_markup_django_writes(moderator_client):
    from django.contrib.admin import ModelAdmin, site

    report = ReportFactory(details="<b>&")
    ours = site._registry[Report].action_checkbox(report)
    assert ours == ModelAdmin.action_checkbox(site._registry[Report], report)
    html = moderator_client.get(QUEUE).content.decode()
    assert ours in html


def moderator_client_user():
    from connections.models import User

    return User.objects.get(handle="mona")


@pytest.mark.parametrize(
    "url",
    [
        QUEUE,
        QUEUE + "?status=all&q=example",
        "/admin/connections/sanction/",
        "/admin/connections/auditrecord/",
        "/admin/connections/user/?suspended=yes",
        "/admin/connections/user/",
        QUEUE + "abuse/",
    ],
)
def test_moderation_lists_cost_the_same_for_few_and_many(
    moderator_client, url, django_assert_max_num_queries
):
    def fill(count):
        moderator = moderator_client_user()
        for _ in range(count):
            member = UserFactory()
            report = ReportFactory(member=member)
            ReportFactory(member=member)
            services.member_warn(
                member=member, staff_member=moderator, reason="r", reports=[report]
            )
            services.member_suspend(member=member, staff_member=moderator, reason="r")

    fill(1)
    with django_assert_max_num_queries(20) as few:
        assert moderator_client.get(url).status_code == 200
    fill(30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert moderator_client.get(url).status_code == 200


# --- Actions -----------------------------------------------------------------------


def test_act_on_a_report_suspends_with_a_reason(moderator_client, carol):
    report = ReportFactory(member=carol)
    page = moderator_client.get(QUEUE + f"{report.pk}/act/")
    assert "Dismiss" in page.content.decode()
    missing = moderator_client.post(
        QUEUE + f"{report.pk}/act/", {"decision": "suspend", "reason": ""}
    )
    assert missing.status_code == 200
    assert not AuditRecord.objects.exists()
    ends = (timezone.localtime() + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    done = moderator_client.post(
        QUEUE + f"{report.pk}/act/",
        {"decision": "suspend", "reason": "Threats", "ends": ends},
    )
    assert done.status_code == 302
    carol.refresh_from_db()
    assert carol.is_suspended
    assert carol.suspended_until.strftime("%Y-%m-%dT%H:%M") == ends
    record = AuditRecord.objects.get()
    assert (record.action, record.reason, record.report) == (
        "suspend",
        "Threats",
        report,
    )


def test_acting_on_a_report_with_nothing_posted_asks_what_to_do(
    moderator_client, carol
):
    report = ReportFactory(member=carol)
    response = moderator_client.post(QUEUE + f"{report.pk}/act/")
    assert response.status_code == 200
    assert "Choose what to do" in response.content.decode()
    assert not AuditRecord.objects.exists()


@pytest.mark.parametrize("decision", ["warn", "suspend", "dismiss"])
def test_acting_twice_on_a_report_acts_once_and_says_it_was_resolved(
    moderator_client, carol, decision
):
    report = ReportFactory(member=carol)
    url = QUEUE + f"{report.pk}/act/"
    data = {"decision": decision, "reason": "Threats"}
    assert moderator_client.post(url, data).status_code == 302
    again = moderator_client.post(url, data, follow=True)
    assert "This report was already resolved." in again.content.decode()
    assert Sanction.objects.count() == (0 if decision == "dismiss" else 1)
    assert AuditRecord.objects.count() == 1


@pytest.mark.parametrize("sanction", ["member_warn", "member_suspend"])
def test_a_sanction_for_reports_already_resolved_is_refused(moderator, carol, sanction):
    report = ReportFactory(member=carol)
    act = getattr(services, sanction)
    act(member=carol, staff_member=moderator, reason="First", reports=[report])
    with pytest.raises(ValidationError, match="already resolved"):
        act(member=carol, staff_member=moderator, reason="Again", reports=[report])
    assert Sanction.objects.count() == 1
    assert AuditRecord.objects.count() == 1
    # Without reports (from the member's page) each sanction stands alone.
    act(member=carol, staff_member=moderator, reason="Later")
    assert Sanction.objects.count() == 2


@pytest.mark.parametrize(
    ("zone", "typed", "utc", "shown"),
    [
        ("UTC", "2030-01-02T10:00", "2030-01-02 10:00", "2030-01-02 10:00 UTC"),
        (
            "Europe/Paris",
            "2030-01-02T10:00",
            "2030-01-02 09:00",
            "2030-01-02 10:00 CET",
        ),
    ],
)
def test_a_suspension_end_is_typed_and_shown_in_the_named_time_zone(
    moderator_client, carol, settings, zone, typed, utc, shown
):
    settings.TIME_ZONE = zone
    report = ReportFactory(member=carol)
    page = moderator_client.get(QUEUE + f"{report.pk}/act/").content.decode()
    assert f"Suspended until ({zone} time)" in page
    assert f"in the {zone} time zone" in page
    moderator_client.post(
        QUEUE + f"{report.pk}/act/",
        {"decision": "suspend", "reason": "Threats", "ends": typed},
    )
    carol.refresh_from_db()
    assert f"{carol.suspended_until.astimezone(UTC):%Y-%m-%d %H:%M}" == utc
    record = AuditRecord.objects.get(action="suspend")
    assert record.detail == f"until {shown}"
    sanctions = moderator_client.get("/admin/connections/sanction/").content.decode()
    assert shown in sanctions
    members = moderator_client.get("/admin/connections/user/?suspended=yes")
    assert shown in members.content.decode()


def test_bulk_dismiss_from_the_queue(moderator_client):
    reports = ReportFactory.create_batch(3)
    data = {"action": "dismiss_reports", "_selected_action": [r.pk for r in reports]}
    step = moderator_client.post(QUEUE, data)
    assert step.status_code == 200
    assert "Reason" in step.content.decode()
    assert Report.objects.open().count() == 3
    moderator_client.post(QUEUE, {**data, "apply": "1", "reason": "Not abuse"})
    assert Report.objects.open().count() == 0
    assert AuditRecord.objects.filter(action="dismiss").count() == 3


def test_bulk_warn_from_the_queue_warns_each_member_once(moderator_client, carol):
    reports = [ReportFactory(member=carol), ReportFactory(member=carol)]
    moderator_client.post(
        QUEUE,
        {
            "action": "warn_reported",
            "_selected_action": [r.pk for r in reports],
            "apply": "1",
            "reason": "Keep it civil",
        },
    )
    assert Sanction.objects.filter(member=carol, kind="warning").count() == 1
    assert set(Report.objects.values_list("outcome", flat=True)) == {"warned"}


def test_suspend_and_unsuspend_members_in_bulk(moderator_client, carol, dave):
    url = "/admin/connections/user/"
    ids = [carol.pk, dave.pk]
    moderator_client.post(
        url,
        {
            "action": "suspend_members",
            "_selected_action": ids,
            "apply": "1",
            "reason": "Spam wave",
        },
    )
    carol.refresh_from_db()
    dave.refresh_from_db()
    assert carol.is_suspended
    assert dave.is_suspended
    listing = moderator_client.get(url + "?suspended=yes").context["cl"]
    assert {m.pk for m in listing.result_list} == set(ids)
    moderator_client.post(
        url,
        {
            "action": "unsuspend_members",
            "_selected_action": ids,
            "apply": "1",
            "reason": "Mistake",
        },
    )
    carol.refresh_from_db()
    assert not carol.is_suspended
    assert AuditRecord.objects.filter(action="unsuspend").count() == 2


def test_suspend_from_the_member_page(moderator_client, carol):
    url = f"/admin/connections/user/{carol.pk}/change/"
    page = moderator_client.get(url).content.decode()
    assert "suspend_members" in page
    step = moderator_client.post(
        url, {"CHANGE_FORM-action": "suspend_members", "_selected_action": [carol.pk]}
    )
    assert 'name="CHANGE_FORM-action"' in step.content.decode()
    moderator_client.post(
        url,
        {
            "CHANGE_FORM-action": "suspend_members",
            "_selected_action": [carol.pk],
            "apply": "1",
            "reason": "Fake profile",
        },
    )
    carol.refresh_from_db()
    assert carol.is_suspended


def test_member_page_shows_reports_and_sanctions(moderator_client, moderator, carol):
    ReportFactory(member=carol, details="Sent me spam links")
    services.member_warn(member=carol, staff_member=moderator, reason="First warning")
    html = moderator_client.get(
        f"/admin/connections/user/{carol.pk}/change/"
    ).content.decode()
    assert "Sent me spam links" in html
    assert "First warning" in html
    assert "audit trail" in html.lower()


def test_staff_without_the_permission_see_no_moderation_on_members(carol):
    client = staff_client(UserFactory(is_staff=True, is_superuser=False))
    from django.contrib.auth.models import Permission

    client_user = UserFactory(is_staff=True)
    client_user.user_permissions.add(Permission.objects.get(codename="view_user"))
    client = staff_client(client_user)
    ReportFactory(member=carol, details="Sent me spam links")
    listing = client.get("/admin/connections/user/")
    assert listing.status_code == 200
    assert "suspend_members" not in listing.content.decode()
    page = client.get(f"/admin/connections/user/{carol.pk}/change/").content.decode()
    assert "Sent me spam links" not in page


# --- The audit trail cannot be changed ---------------------------------------------


def test_audit_records_cannot_be_changed_or_deleted_even_by_superusers(
    superuser_client, moderator, carol
):
    services.member_warn(member=carol, staff_member=moderator, reason="Be kind")
    record = AuditRecord.objects.get()
    base = f"/admin/connections/auditrecord/{record.pk}/"
    assert superuser_client.get(base + "change/").status_code == 200  # read only
    assert (
        superuser_client.post(base + "change/", {"reason": "edited"}).status_code == 403
    )
    assert superuser_client.get(base + "delete/").status_code == 403
    assert superuser_client.post(base + "delete/", {"post": "yes"}).status_code == 403
    assert (
        superuser_client.get("/admin/connections/auditrecord/add/").status_code == 403
    )
    listing = superuser_client.get("/admin/connections/auditrecord/").content.decode()
    assert "delete_selected" not in listing
    superuser_client.post(
        "/admin/connections/auditrecord/",
        {"action": "delete_selected", "_selected_action": [record.pk], "post": "yes"},
    )
    record.refresh_from_db()
    assert record.reason == "Be kind"


def test_staff_with_audit_records_cannot_be_deleted(superuser_client, moderator, carol):
    services.member_warn(member=carol, staff_member=moderator, reason="Be kind")
    superuser_client.post(
        f"/admin/connections/user/{moderator.pk}/delete/", {"post": "yes"}
    )
    assert AuditRecord.objects.filter(staff_member=moderator).exists()


# --- The abuse view ------------------------------------------------------------------


def test_abuse_view_shows_signals_and_lifts_a_pause(moderator_client, alice, carol):
    for _ in range(5):
        invitation = network.connection_request_send(
            sender=alice, recipient=UserFactory()
        )
        ConnectionRequest.objects.filter(pk=invitation.pk).update(
            status="declined_unknown", responded=timezone.now()
        )
    for _ in range(3):
        ReportFactory(member=carol)
    for n in range(5):
        UserFactory(display_name=f"Burst {n}", signup_ip="203.0.113.9")
    for _ in range(3):
        invitation = network.connection_request_send(
            sender=carol, recipient=UserFactory()
        )
        network.connection_request_decline_unknown(
            invitation=invitation, member=invitation.recipient
        )
    html = moderator_client.get(QUEUE + "abuse/").content.decode()
    assert "Alice Martin" in html
    assert "Carol Nguyen" in html
    assert "203.0.113.9" in html
    pause = carol.sending_pauses.get()
    no_reason = moderator_client.post(QUEUE + "abuse/", {"pause": pause.pk})
    assert no_reason.status_code == 302
    pause.refresh_from_db()
    assert pause.lifted is None
    moderator_client.post(
        QUEUE + "abuse/", {"pause": pause.pk, "reason": "Knows them from work"}
    )
    pause.refresh_from_db()
    assert pause.lifted is not None
    assert AuditRecord.objects.get().action == "lift_pause"


@pytest.mark.parametrize("pause", ["abc", "", "1²", "9" * 30])
def test_lifting_a_pause_that_is_not_an_id_is_404(moderator_client, pause):
    response = moderator_client.post(
        QUEUE + "abuse/", {"pause": pause, "reason": "Knows them"}
    )
    assert response.status_code == 404
    assert not AuditRecord.objects.exists()


def test_sign_up_records_the_address(client):
    client.post(
        reverse("account_signup"),
        {
            "display_name": "Nina New",
            "email": "nina@example.com",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
        },
        REMOTE_ADDR="198.51.100.7",
    )
    from connections.models import User

    assert User.objects.get(email="nina@example.com").signup_ip == "198.51.100.7"


# --- Addresses written by hand ------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "/admin/connections/report/?reason__exact=%00",
        "/admin/connections/report/?q=%00carol%07",
        "/admin/connections/sanction/?kind__exact=%00",
        "/admin/connections/auditrecord/?action__exact=%00",
        "/admin/connections/connectionrequest/?status__exact=%00",
        "/admin/connections/user/?q=carol%40example.com%00",
        "/admin/contacts/addressbook/?q=%00",
    ],
)
def test_a_control_character_in_a_list_address_reads_as_a_space(
    superuser_client, carol, query
):
    # PostgreSQL refuses a NUL in any text: these were server errors there.
    ReportFactory(member=carol)
    response = superuser_client.get(query)
    assert response.status_code == 200
    if "carol%07" in query:  # the search still finds what it names
        assert "Carol Nguyen" in response.content.decode()


# --- Address books: counts only -------------------------------------------------------


def test_address_books_show_counts_never_contacts(
    superuser_client, django_assert_max_num_queries
):
    from tests.factories import ContactFactory

    owner = UserFactory(display_name="Olga Owner")
    ContactFactory(owner=owner, given_name="Secret", family_name="Person")
    with django_assert_max_num_queries(8) as few:
        listing = superuser_client.get("/admin/contacts/addressbook/")
    html = listing.content.decode()
    assert "Olga Owner" in html
    assert "Secret" not in html
    for _ in range(20):
        ContactFactory(owner=UserFactory())
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert superuser_client.get("/admin/contacts/addressbook/").status_code == 200
    for model in ("contact", "label", "contactimport", "contactemail"):
        assert superuser_client.get(f"/admin/contacts/{model}/").status_code == 404
