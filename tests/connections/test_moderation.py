"""Moderation for members: reports, suspensions, warnings and where they show."""

from datetime import timedelta

import pytest
from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from connections.models import AuditRecord, Block, Report, Sanction
from connections.selectors.moderation import reports_made
from connections.selectors.network import members_search, suggestions_for
from connections.services import moderation as services
from tests.conftest import HTMX
from tests.factories import DEFAULT_PASSWORD, ReportFactory, UserFactory, connect

pytestmark = pytest.mark.django_db


def suspend(member, moderator, **kwargs):
    return services.member_suspend(
        member=member, staff_member=moderator, reason="Harassment, twice", **kwargs
    )


# --- Reporting -----------------------------------------------------------------


def test_member_reports_from_the_profile_and_sees_it_in_settings(bob_client, carol):
    page = bob_client.get(reverse("connections:profile", args=["carol"]))
    assert reverse("connections:report", args=["carol"]) in page.content.decode()
    response = bob_client.post(
        reverse("connections:report", args=["carol"]),
        {"reason": "harassment", "details": "Insults in every message"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("connections:reports")
    report = Report.objects.get()
    assert (report.reporter.handle, report.member, report.reason) == (
        "bob",
        carol,
        "harassment",
    )
    assert report.details == "Insults in every message"
    assert not Block.objects.exists()  # reporting alone doesn't block
    listing = bob_client.get(reverse("connections:reports")).content.decode()
    assert "Report sent" in listing
    assert "Carol Nguyen" in listing
    assert "Waiting for the staff" in listing


def test_report_form_offers_to_block_too(bob_client, bob, carol):
    form = bob_client.get(reverse("connections:report", args=["carol"]))
    assert "Also block this member" in form.content.decode()
    bob_client.post(
        reverse("connections:report", args=["carol"]),
        {"reason": "spam", "also_block": "on"},
    )
    assert Block.objects.filter(blocker=bob, blocked=carol).exists()
    assert Report.objects.filter(reporter=bob, member=carol).exists()


def test_report_dialog_over_htmx(bob_client, carol):
    dialog = bob_client.get(reverse("connections:report", args=["carol"]), **HTMX)
    assert 'role="dialog"' in dialog.content.decode()
    invalid = bob_client.post(
        reverse("connections:report", args=["carol"]),
        {"details": "kept as typed"},
        **HTMX,
    )
    assert invalid.status_code == 422
    assert "kept as typed" in invalid.content.decode()
    assert 'role="dialog"' not in invalid.content.decode()
    sent = bob_client.post(
        reverse("connections:report", args=["carol"]), {"reason": "spam"}, **HTMX
    )
    assert sent["HX-Redirect"] == reverse("connections:reports")


def test_report_without_reason_keeps_the_details(bob_client):
    UserFactory(handle="erin", display_name="Erin Example")
    response = bob_client.post(
        reverse("connections:report", args=["erin"]), {"details": "Sells pills"}
    )
    assert response.status_code == 422
    assert "Sells pills" in response.content.decode()
    assert not Report.objects.exists()


def test_double_submit_sends_one_report(bob, carol):
    first = services.report_create(reporter=bob, member=carol, reason="spam")
    second = services.report_create(reporter=bob, member=carol, reason="other")
    assert first.pk == second.pk
    assert Report.objects.count() == 1


def test_one_member_cannot_fill_the_staff_queue(bob, bob_client, carol, settings):
    settings.RAPPORT_REPORTS_PER_HOUR = 2
    UserFactory(handle="erin", display_name="Erin Example")
    UserFactory(handle="finn", display_name="Finn Example")
    services.report_create(reporter=bob, member=carol, reason="spam")
    services.report_create(reporter=bob, member=carol, reason="spam")  # repeated
    bob_client.post(reverse("connections:report", args=["erin"]), {"reason": "spam"})
    response = bob_client.post(
        reverse("connections:report", args=["finn"]),
        {"reason": "spam", "details": "Same pills again", "also_block": "on"},
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "You can send 2 reports an hour. Try again in" in page
    assert "Same pills again" in page
    assert sorted(Report.objects.values_list("member__handle", flat=True)) == [
        "carol",
        "erin",
    ]
    assert not Block.objects.exists()
    # The open report still answers a second submit.
    again = services.report_create(reporter=bob, member=carol, reason="spam")
    assert again.member == carol


def test_cannot_report_oneself_or_a_member_one_cannot_see(bob, carol):
    with pytest.raises(ValidationError):
        services.report_create(reporter=bob, member=bob, reason="spam")
    Block.objects.create(blocker=carol, blocked=bob)
    with pytest.raises(ValidationError):
        services.report_create(reporter=bob, member=carol, reason="spam")


def test_report_page_is_404_for_oneself_strangers_and_blocked(bob_client, bob, carol):
    assert (
        bob_client.get(reverse("connections:report", args=["bob"])).status_code == 404
    )
    url = reverse("connections:report", args=["nobody-here"])
    assert bob_client.get(url).status_code == 404
    Block.objects.create(blocker=carol, blocked=bob)
    url = reverse("connections:report", args=["carol"])
    assert bob_client.get(url).status_code == 404


def test_visitor_is_sent_to_sign_in_to_report(carol):
    response = Client().get(reverse("connections:report", args=["carol"]))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_reporter_learns_the_outcome_but_never_the_staff_member(
    bob_client, bob, carol, moderator
):
    report = services.report_create(reporter=bob, member=carol, reason="spam")
    services.report_dismiss(report=report, staff_member=moderator, reason="Not spam")
    html = bob_client.get(reverse("connections:reports")).content.decode()
    assert "No action needed" in html
    assert "Mona" not in html
    assert "Not spam" not in html  # the staff's reason stays with the staff


def test_my_reports_page_costs_the_same_for_one_and_many(
    bob, bob_client, django_assert_max_num_queries
):
    ReportFactory(reporter=bob)
    with django_assert_max_num_queries(5) as one:
        bob_client.get(reverse("connections:reports"))
    for _ in range(60):
        ReportFactory(reporter=bob)
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = bob_client.get(reverse("connections:reports"))
    assert len(reports_made(member=bob)) == 50
    assert "Next page" in page.content.decode()


# --- Suspensions -----------------------------------------------------------------


def test_suspended_member_is_signed_out_on_the_next_request(
    carol, carol_client, moderator
):
    assert carol_client.get(reverse("connections:network")).status_code == 200
    suspend(carol, moderator)
    response = carol_client.get(reverse("connections:network"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
    assert "_auth_user_id" not in carol_client.session
    notice = carol_client.get(response["Location"]).content.decode()
    assert "suspended" in notice


def test_suspended_member_htmx_request_redirects_the_whole_page(
    carol, carol_client, moderator
):
    suspend(carol, moderator)
    response = carol_client.get(reverse("connections:connections"), **HTMX)
    assert reverse("account_login") in response["HX-Redirect"]


def test_suspension_ends_every_tracked_session(
    carol, moderator, django_capture_on_commit_callbacks
):
    browser = Client()
    browser.post(
        reverse("account_login"),
        {"login": carol.email, "password": DEFAULT_PASSWORD},
    )
    browser.get(reverse("connections:network"))
    assert UserSession.objects.filter(user=carol).exists()
    key = UserSession.objects.get(user=carol).session_key
    with django_capture_on_commit_callbacks(execute=True):
        suspend(carol, moderator)
    assert not Session.objects.filter(session_key=key).exists()
    assert not UserSession.objects.filter(user=carol).exists()


def test_suspended_member_cannot_sign_in(carol, moderator):
    suspend(carol, moderator, ends=timezone.now() + timedelta(days=3))
    browser = Client()
    response = browser.post(
        reverse("account_login"),
        {"login": carol.email, "password": DEFAULT_PASSWORD},
    )
    assert response.status_code == 403
    assert "Account suspended" in response.content.decode()
    assert "_auth_user_id" not in browser.session


def test_timed_suspension_ends_by_itself(carol, alice_client, moderator):
    suspend(carol, moderator, ends=timezone.now() + timedelta(hours=1))
    url = reverse("connections:profile", args=["carol"])
    assert alice_client.get(url).status_code == 404
    type(carol).objects.filter(pk=carol.pk).update(
        suspended_until=timezone.now() - timedelta(seconds=1)
    )
    assert alice_client.get(url).status_code == 200
    browser = Client()
    browser.post(
        reverse("account_login"), {"login": carol.email, "password": DEFAULT_PASSWORD}
    )
    assert browser.session.get("_auth_user_id") == str(carol.pk)


def test_suspended_member_vanishes_from_profile_search_and_suggestions(
    alice, alice_client, bob, carol, moderator
):
    connect(alice, bob)
    connect(bob, carol)
    assert [p.pk for p in suggestions_for(member=alice)] == [carol.pk]
    assert [p.pk for p in members_search(viewer=alice, query="carol")] == [carol.pk]
    suspend(carol, moderator)
    assert alice_client.get("/in/carol/").status_code == 404
    assert suggestions_for(member=alice) == []
    assert list(members_search(viewer=alice, query="carol")) == []
    html = alice_client.get(reverse("connections:search") + "?q=carol").content
    assert b"Carol Nguyen" not in html


def test_suspended_member_vanishes_from_connection_lists(
    bob, bob_client, carol, moderator
):
    connect(bob, carol)
    assert b"Carol Nguyen" in bob_client.get(reverse("connections:connections")).content
    suspend(carol, moderator)
    assert (
        b"Carol Nguyen"
        not in bob_client.get(reverse("connections:connections")).content
    )


def test_staff_still_see_a_suspended_profile(carol, moderator, moderator_client):
    suspend(carol, moderator)
    response = moderator_client.get("/in/carol/")
    assert response.status_code == 200
    assert "you see it as staff" in response.content.decode()


def test_unsuspend_lets_the_member_back(carol, alice_client, moderator):
    suspend(carol, moderator)
    services.member_unsuspend(member=carol, staff_member=moderator, reason="Appeal ok")
    carol.refresh_from_db()
    assert not carol.is_suspended
    assert alice_client.get("/in/carol/").status_code == 200
    assert Sanction.objects.get().lifted is not None
    with pytest.raises(ValidationError):
        services.member_unsuspend(member=carol, staff_member=moderator, reason="x")


def test_new_suspension_replaces_the_one_in_force(carol, moderator):
    suspend(carol, moderator, ends=timezone.now() + timedelta(days=1))
    suspend(carol, moderator)
    current = [s for s in Sanction.objects.all() if s.is_current]
    assert len(current) == 1
    assert current[0].ends is None
    carol.refresh_from_db()
    assert carol.suspended_until.year == 9999


def test_suspension_end_must_be_in_the_future(carol, moderator):
    with pytest.raises(ValidationError):
        suspend(carol, moderator, ends=timezone.now() - timedelta(minutes=1))
    assert not AuditRecord.objects.exists()


# --- Warnings --------------------------------------------------------------------


def test_warning_is_shown_at_the_next_sign_in_until_read(carol, moderator):
    services.member_warn(
        member=carol, staff_member=moderator, reason="Stop sending the same pitch."
    )
    browser = Client()
    browser.post(
        reverse("account_login"), {"login": carol.email, "password": DEFAULT_PASSWORD}
    )
    response = browser.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("connections:warnings")
    page = browser.get(response["Location"]).content.decode()
    assert "Stop sending the same pitch." in page
    assert "Mona" not in page
    browser.post(reverse("connections:warnings"))
    assert browser.get(reverse("home")).status_code == 200
    assert Sanction.objects.get().seen is not None


def test_warnings_page_without_warning_goes_home(carol_client):
    response = carol_client.get(reverse("connections:warnings"))
    assert response.status_code == 302


# --- Staff actions: permissions and the audit trail --------------------------------


@pytest.mark.parametrize("staff", [False, True])
def test_only_moderators_can_act(carol, staff):
    someone = UserFactory(is_staff=staff)
    report = ReportFactory(member=carol)
    with pytest.raises(PermissionDenied):
        services.member_suspend(member=carol, staff_member=someone, reason="x")
    with pytest.raises(PermissionDenied):
        services.member_warn(member=carol, staff_member=someone, reason="x")
    with pytest.raises(PermissionDenied):
        services.report_dismiss(report=report, staff_member=someone, reason="x")
    carol.refresh_from_db()
    assert not carol.is_suspended
    assert not AuditRecord.objects.exists()


def test_every_action_needs_a_reason(carol, moderator):
    for blank in ("", "   "):
        with pytest.raises(ValidationError):
            services.member_warn(member=carol, staff_member=moderator, reason=blank)
    assert not Sanction.objects.exists()


def test_each_action_writes_an_audit_record(carol, moderator):
    report = ReportFactory(member=carol)
    services.report_dismiss(report=report, staff_member=moderator, reason="Fine")
    services.member_warn(member=carol, staff_member=moderator, reason="Be nice")
    suspend(carol, moderator)
    services.member_unsuspend(member=carol, staff_member=moderator, reason="Appeal")
    records = list(AuditRecord.objects.order_by("pk"))
    assert [r.action for r in records] == ["dismiss", "warn", "suspend", "unsuspend"]
    assert {r.staff_member for r in records} == {moderator}
    assert {r.target for r in records} == {str(carol)}
    assert records[0].report == report


def test_acting_on_a_report_resolves_it_with_its_outcome(carol, moderator):
    reports = [ReportFactory(member=carol), ReportFactory(member=carol)]
    services.member_suspend(
        member=carol, staff_member=moderator, reason="Spam ring", reports=reports
    )
    for report in reports:
        report.refresh_from_db()
        assert report.status == "resolved"
        assert report.outcome == "suspended"
        assert report.resolved_by == moderator
    with pytest.raises(ValidationError):
        services.report_dismiss(report=reports[0], staff_member=moderator, reason="x")


def test_demo_has_a_moderator_and_open_reports():
    from django.core.management import call_command

    from connections.models import User

    call_command("seed_demo", members=12)
    call_command("seed_demo", members=12)
    staff = User.objects.get(email="staff@example.com")
    assert staff.is_staff
    assert staff.has_perm("connections.moderate")
    assert Report.objects.open().count() == 3


def test_a_blocker_reports_the_member_they_blocked_once_while_it_is_open(bob, carol):
    first = services.report_create(
        reporter=bob, member=carol, reason="spam", also_block=True
    )
    again = services.report_create(
        reporter=bob, member=carol, reason="spam", also_block=True
    )
    assert again.pk == first.pk
    assert Report.objects.count() == 1


def assert_reported_twice_as_once(client, url, *, htmx: bool):
    """A report with "Also block" sent twice: the second answers as the first
    did, and one report is kept."""
    data = {"reason": "harassment", "also_block": "on"}
    headers = HTMX if htmx else {}
    first = client.post(url, data, **headers)
    second = client.post(url, data, **headers)
    assert second.status_code == first.status_code
    assert second.headers.get("Location") == first.headers.get("Location")
    assert second.headers.get("HX-Redirect") == first.headers.get("HX-Redirect")
    assert Report.objects.count() == 1


@pytest.mark.parametrize("htmx", [False, True])
def test_reporting_a_member_twice_with_block_answers_as_the_first_time(
    bob_client, bob, carol, htmx
):
    url = reverse("connections:report", args=["carol"])
    assert_reported_twice_as_once(bob_client, url, htmx=htmx)
    assert Block.objects.filter(blocker=bob, blocked=carol).exists()
    # The profile stays hidden: the form is not shown again, nor to a stranger.
    assert bob_client.get(url).status_code == 404
    assert bob_client.post(url, {"details": "no reason"}).status_code == 404


def test_reporting_a_hidden_member_is_404_without_ones_own_open_report(
    bob_client, bob, carol, dave, dave_client
):
    services.report_create(reporter=bob, member=carol, reason="spam", also_block=True)
    Block.objects.create(blocker=carol, blocked=dave)
    url = reverse("connections:report", args=["carol"])
    assert dave_client.post(url, {"reason": "spam"}).status_code == 404
    Report.objects.update(
        status=Report.Status.RESOLVED,
        outcome=Report.Outcome.DISMISSED,
        resolved=timezone.now(),
    )
    assert bob_client.post(url, {"reason": "spam"}).status_code == 404
    assert Report.objects.count() == 1
