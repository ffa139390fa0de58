"""Reporting messages, updates and comments; removing them; suspended senders."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from connections.models import AuditRecord, Block, Report
from connections.services import moderation as services
from connections.services.network import block_create
from tests.conftest import HTMX
from tests.connections.test_moderation import assert_reported_twice_as_once
from tests.factories import CommentFactory, UpdateFactory, connect, send_message

pytestmark = pytest.mark.django_db

QUEUE = "/admin/connections/report/"


@pytest.fixture
def thread(alice, bob):
    connect(alice, bob)
    return send_message(bob, alice, "Buy cheap pills at spam.example")


def test_member_reports_a_message_from_the_thread(alice_client, alice, bob, thread):
    page = alice_client.get(reverse("connections:thread", args=["bob"]))
    url = reverse("connections:report_message", args=["bob", thread.pk])
    assert url in page.content.decode()
    dialog = alice_client.get(url, **HTMX).content.decode()
    assert "Buy cheap pills" in dialog
    response = alice_client.post(url, {"reason": "spam"})
    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.subject, report.message, report.member) == ("message", thread, bob)


def test_own_messages_and_strangers_threads_cannot_be_reported(
    alice, bob, bob_client, carol_client, thread
):
    own = reverse("connections:report_message", args=["alice", thread.pk])
    assert bob_client.get(own).status_code == 404
    other = reverse("connections:report_message", args=["bob", thread.pk])
    assert carol_client.get(other).status_code == 404


def test_staff_read_a_message_only_through_its_report(moderator_client, alice, thread):
    assert moderator_client.get("/admin/connections/message/").status_code == 404
    report = services.report_create(
        reporter=alice, member=thread.sender, reason="spam", message=thread
    )
    page = moderator_client.get(f"{QUEUE}{report.pk}/act/").content.decode()
    assert "Buy cheap pills" in page


def test_remove_content_shows_removed_for_everyone(
    alice, alice_client, bob_client, moderator, moderator_client, thread
):
    report = services.report_create(
        reporter=alice, member=thread.sender, reason="spam", message=thread
    )
    response = moderator_client.post(
        f"{QUEUE}{report.pk}/act/", {"decision": "remove", "reason": "Spam link"}
    )
    assert response.status_code == 302
    thread.refresh_from_db()
    assert thread.removed_by == moderator
    for client, other in ((alice_client, "bob"), (bob_client, "alice")):
        html = client.get(reverse("connections:thread", args=[other])).content
        assert b"Message removed by moderators" in html
        assert b"Buy cheap pills" not in html
    report.refresh_from_db()
    assert report.outcome == "content_removed"
    record = AuditRecord.objects.get()
    assert (record.action, record.reason) == ("remove_content", "Spam link")


def test_removing_twice_is_refused(alice, moderator, thread):
    report = services.report_create(
        reporter=alice, member=thread.sender, reason="spam", message=thread
    )
    services.content_remove(report=report, staff_member=moderator, reason="Spam")
    with pytest.raises(ValidationError):
        services.content_remove(report=report, staff_member=moderator, reason="x")
    assert AuditRecord.objects.count() == 1


def test_member_reports_cannot_remove_content(alice, bob, moderator):
    report = services.report_create(reporter=alice, member=bob, reason="spam")
    with pytest.raises(ValidationError):
        services.content_remove(report=report, staff_member=moderator, reason="x")


def test_report_an_update_and_its_comment(alice, alice_client, bob, carol):
    connect(alice, bob)
    update = UpdateFactory(author=bob, audience="public")
    comment = CommentFactory(update=update, author=carol, text="Rude words here")
    page = alice_client.get(reverse("connections:update", args=[update.pk]))
    html = page.content.decode()
    assert reverse("connections:report_update", args=[update.pk]) in html
    comment_url = reverse("connections:report_comment", args=[update.pk, comment.pk])
    assert comment_url in html
    alice_client.post(
        reverse("connections:report_update", args=[update.pk]), {"reason": "spam"}
    )
    alice_client.post(comment_url, {"reason": "harassment"})
    assert set(Report.objects.values_list("subject", "member__handle")) == {
        ("update", "bob"),
        ("comment", "carol"),
    }


def test_remove_an_update_in_bulk_from_the_queue(
    alice, alice_client, bob, moderator_client
):
    update = UpdateFactory(author=bob, audience="public", text="Visit spam.example")
    report = services.report_create(
        reporter=alice, member=bob, reason="spam", update=update
    )
    moderator_client.post(
        QUEUE,
        {
            "action": "remove_reported_content",
            "_selected_action": [report.pk],
            "apply": "1",
            "reason": "Spam",
        },
    )
    update.refresh_from_db()
    assert update.removed_at is not None
    html = alice_client.get(reverse("connections:update", args=[update.pk])).content
    assert b"Removed by moderators" in html
    assert b"spam.example" not in html


def test_own_or_invisible_updates_cannot_be_reported(alice, alice_client, bob):
    own = UpdateFactory(author=alice)
    assert (
        alice_client.get(
            reverse("connections:report_update", args=[own.pk])
        ).status_code
        == 404
    )
    private = UpdateFactory(author=bob, audience="connections")
    url = reverse("connections:report_update", args=[private.pk])
    assert alice_client.get(url).status_code == 404


def test_suspended_senders_messages_show_a_neutral_name(
    alice, alice_client, bob, moderator, thread
):
    services.member_suspend(member=bob, staff_member=moderator, reason="Spam ring")
    inbox = alice_client.get(reverse("connections:messages")).content.decode()
    assert "Suspended member" in inbox
    assert "Bob Okafor" not in inbox
    page = alice_client.get(reverse("connections:thread", args=["bob"]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Suspended member" in html
    assert "Bob Okafor" not in html
    assert "Buy cheap pills" in html
    assert reverse("connections:profile", args=["bob"]) not in html
    sent = alice_client.post(
        reverse("connections:thread", args=["bob"]),
        {"body": "Hello?", "client_token": "t-1"},
    )
    assert sent.status_code in (200, 422)
    assert thread.conversation.messages.count() == 1


def test_a_suspended_senders_message_is_reported_under_the_neutral_name(
    alice, alice_client, bob, moderator, thread
):
    services.member_suspend(member=bob, staff_member=moderator, reason="Spam ring")
    url = reverse("connections:report_message", args=["bob", thread.pk])
    for page in (alice_client.get(url), alice_client.get(url, **HTMX)):
        html = page.content.decode()
        assert page.status_code == 200
        assert "Suspended member" in html
        assert "Bob Okafor" not in html
        assert "Backend engineer" not in html
    response = alice_client.post(url, {"reason": "harassment", "also_block": "on"})
    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.subject, report.message, report.member) == ("message", thread, bob)
    done = alice_client.get(response["Location"]).content.decode()
    assert "Report sent, and you blocked Suspended member." in done


def test_a_blocker_reports_a_message_from_the_history_they_still_read(
    alice, alice_client, bob, thread
):
    block_create(blocker=alice, blocked=bob)
    url = reverse("connections:report_message", args=["bob", thread.pk])
    response = alice_client.post(url, {"reason": "harassment"})
    assert response.status_code == 302
    assert Report.objects.get().message == thread


def test_a_member_blocked_by_the_sender_cannot_report_their_messages(
    alice, bob, thread
):
    block_create(blocker=bob, blocked=alice)
    with pytest.raises(ValidationError):
        services.report_create(
            reporter=alice, member=bob, reason="spam", message=thread
        )
    assert not Report.objects.exists()


def test_only_a_member_of_the_conversation_reports_its_messages(
    alice, bob, carol, thread
):
    connect(carol, bob)
    with pytest.raises(ValidationError):
        services.report_create(
            reporter=carol, member=bob, reason="spam", message=thread
        )
    assert not Report.objects.exists()


@pytest.mark.parametrize("htmx", [False, True])
def test_reporting_a_message_twice_with_block_answers_as_the_first_time(
    alice, alice_client, bob, thread, htmx
):
    url = reverse("connections:report_message", args=["bob", thread.pk])
    assert_reported_twice_as_once(alice_client, url, htmx=htmx)
    assert Block.objects.filter(blocker=alice, blocked=bob).count() == 1


def test_staff_read_an_update_as_it_was_reported_after_its_author_edits_or_deletes_it(
    alice, bob, moderator, moderator_client
):
    from connections.services.updates import update_delete, update_edit

    connect(alice, bob)
    update = UpdateFactory(
        author=bob, audience="connections", text="You are all idiots"
    )
    report = services.report_create(
        reporter=alice, member=bob, reason="harassment", update=update
    )
    act = f"{QUEUE}{report.pk}/act/"

    update_edit(update=update, member=bob, text="Have a nice day", audience="public")
    page = moderator_client.get(act).content.decode()
    assert "You are all idiots" in page
    assert "Edited by its author since the report; it now reads:" in page
    assert "Have a nice day" in page

    update_delete(update=update, member=bob)
    page = moderator_client.get(act).content.decode()
    assert "You are all idiots" in page
    assert "Deleted by its author since the report." in page
    with pytest.raises(ValidationError) as refused:
        services.content_remove(report=report, staff_member=moderator, reason="x")
    assert refused.value.code == "deleted"
    # The author can still be warned for what the report kept.
    response = moderator_client.post(act, {"decision": "warn", "reason": "Insults"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.outcome == "warned"
