"""Messaging: the policy, sending, reading, the inbox, the thread and its polls."""

import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import override_settings

from connections.models import (
    Conversation,
    ConversationMember,
    Message,
    NotificationSettings,
)
from connections.selectors.messaging import inbox, thread_with
from connections.selectors.network import can_message, nav_badge_counts
from connections.services import messaging
from connections.services.network import block_create, connection_remove
from tests.conftest import HTMX
from tests.factories import UserFactory, bulk_messages, connect, send_message


def side(member, other) -> ConversationMember:
    return ConversationMember.objects.get(member=member, other=other)


def unread(member) -> int:
    member.__dict__.pop("_nav_badge_counts", None)
    return nav_badge_counts(member=member)["messages"]


def token_of(html: str) -> str:
    return re.search(r'name="client_token" value="([^"]+)"', html).group(1)


# ---------------------------------------------------------------------------
# The policy.


class TestPolicy:
    def test_connections_may_message_each_other(self, alice, bob):
        connect(alice, bob)
        assert can_message(sender=alice, recipient=bob)
        assert can_message(sender=bob, recipient=alice)

    def test_strangers_may_not(self, alice, bob):
        assert not can_message(sender=alice, recipient=bob)

    def test_a_block_either_way_stops_both(self, alice, bob):
        connect(alice, bob)
        block_create(blocker=bob, blocked=alice)
        assert not can_message(sender=alice, recipient=bob)
        assert not can_message(sender=bob, recipient=alice)

    def test_a_deactivated_member_cannot_be_messaged(self, alice, bob):
        connect(alice, bob)
        bob.is_active = False
        bob.save()
        assert not can_message(sender=alice, recipient=bob)

    def test_nobody_messages_themselves(self, alice):
        assert not can_message(sender=alice, recipient=alice)


# ---------------------------------------------------------------------------
# Sending.


class TestSend:
    def test_first_message_starts_one_conversation_with_two_sides(self, alice, bob):
        connect(alice, bob)
        message = send_message(alice, bob, "Hi Bob")
        send_message(bob, alice, "Hi Alice")
        conversation = Conversation.objects.get()
        assert conversation.last_message.body == "Hi Alice"
        assert message.conversation == conversation
        assert ConversationMember.objects.count() == 2
        assert side(alice, bob).unread_count == 1
        assert side(bob, alice).unread_count == 0  # replying reads the conversation

    def test_the_recipient_counts_unread_messages(self, alice, bob):
        connect(alice, bob)
        send_message(alice, bob, "One")
        send_message(alice, bob, "Two")
        assert side(bob, alice).unread_count == 2
        assert unread(bob) == 2
        assert unread(alice) == 0

    def test_same_token_stores_one_message(self, alice, bob):
        connect(alice, bob)
        first = send_message(alice, bob, "Hello", client_token="same-token-123")
        again = send_message(alice, bob, "Hello", client_token="same-token-123")
        assert first.pk == again.pk
        assert Message.objects.count() == 1
        assert side(bob, alice).unread_count == 1

    def test_strangers_are_refused_with_a_reason(self, alice, bob):
        with pytest.raises(ValidationError) as error:
            send_message(alice, bob)
        assert error.value.code == "not_allowed"
        assert "only members who are connected" in error.value.messages[0]
        assert not Message.objects.exists()

    def test_after_a_disconnection_sending_is_refused(self, alice, bob):
        connect(alice, bob)
        send_message(alice, bob)
        connection_remove(member=bob, other=alice)
        with pytest.raises(ValidationError):
            send_message(alice, bob)
        assert Message.objects.count() == 1

    @pytest.mark.parametrize("body", ["", "   \n  "])
    def test_empty_message_is_refused(self, alice, bob, body):
        connect(alice, bob)
        with pytest.raises(ValidationError) as error:
            send_message(alice, bob, body)
        assert error.value.code == "empty"

    def test_too_long_message_is_refused_with_its_length(self, alice, bob):
        connect(alice, bob)
        with pytest.raises(ValidationError) as error:
            send_message(alice, bob, "x" * 8001)
        assert "8,001" in error.value.messages[0]
        assert send_message(alice, bob, "y" * 8000).body == "y" * 8000

    def test_text_is_kept_as_typed_but_outer_blank_lines(self, alice, bob):
        connect(alice, bob)
        message = send_message(alice, bob, "\r\n  line one\r\n\r\nline two  \n")
        assert message.body == "line one\n\nline two"

    def test_missing_token_is_refused(self, alice, bob):
        connect(alice, bob)
        with pytest.raises(ValidationError) as error:
            send_message(alice, bob, client_token="")
        assert error.value.code == "token"

    @override_settings(RAPPORT_MESSAGES_PER_MINUTE=3)
    def test_rate_limit_per_member_says_when_to_retry(self, alice, bob, carol):
        connect(alice, bob)
        connect(alice, carol)
        for _n in range(3):
            send_message(alice, bob)
        with pytest.raises(ValidationError) as error:
            send_message(alice, carol)
        assert error.value.code == "rate_limit"
        assert "3 messages a minute" in error.value.messages[0]
        assert "second" in error.value.messages[0]
        # Another member is not affected.
        send_message(bob, alice)

    @override_settings(RAPPORT_MESSAGES_PER_MINUTE=1)
    def test_a_retried_send_does_not_count_against_the_limit(self, alice, bob):
        connect(alice, bob)
        send_message(alice, bob, client_token="retry-token-1")
        send_message(alice, bob, client_token="retry-token-1")
        assert Message.objects.count() == 1


class TestMarkRead:
    def test_reading_up_to_a_message_leaves_later_ones_unread(self, alice, bob):
        connect(alice, bob)
        first = send_message(alice, bob, "One")
        send_message(alice, bob, "Two")
        messaging.conversation_mark_read(side=side(bob, alice), up_to=first.pk)
        assert side(bob, alice).unread_count == 1
        assert side(bob, alice).last_read_id == first.pk

    def test_reading_twice_changes_nothing(self, alice, bob):
        connect(alice, bob)
        message = send_message(alice, bob)
        assert messaging.conversation_mark_read(side=side(bob, alice), up_to=message.pk)
        assert not messaging.conversation_mark_read(
            side=side(bob, alice), up_to=message.pk
        )
        assert side(bob, alice).unread_count == 0


class TestUnreadEmail:
    def test_one_email_per_conversation_per_hour(
        self, alice, bob, django_capture_on_commit_callbacks
    ):
        connect(alice, bob)
        with django_capture_on_commit_callbacks(execute=True):
            send_message(alice, bob, "Secret plans")
            send_message(alice, bob, "More")
        assert len(mail.outbox) == 1
        email = mail.outbox[0]
        assert email.to == ["bob@example.com"]
        assert "Alice Martin" in email.subject
        assert "/messages/with/alice/" in email.body
        assert "Secret plans" not in email.body

    def test_the_email_can_be_turned_off(
        self, alice, bob, django_capture_on_commit_callbacks
    ):
        NotificationSettings.objects.create(member=bob, message_unread=False)
        connect(alice, bob)
        with django_capture_on_commit_callbacks(execute=True):
            send_message(alice, bob)
        assert mail.outbox == []

    def test_no_email_once_the_messages_are_read(
        self, alice, bob, django_capture_on_commit_callbacks
    ):
        from connections.tasks import send_unread_messages_email

        connect(alice, bob)
        message = send_message(alice, bob)
        messaging.conversation_mark_read(side=side(bob, alice), up_to=message.pk)
        assert send_unread_messages_email.call(side(bob, alice).pk) is False
        assert mail.outbox == []

    def test_another_email_after_an_hour(self, alice, bob):
        from datetime import timedelta

        from django.utils import timezone

        from connections.tasks import send_unread_messages_email

        connect(alice, bob)
        send_message(alice, bob)
        bob_side = side(bob, alice)
        assert send_unread_messages_email.call(bob_side.pk) is True
        assert send_unread_messages_email.call(bob_side.pk) is False
        ConversationMember.objects.filter(pk=bob_side.pk).update(
            notified=timezone.now() - timedelta(minutes=61)
        )
        assert send_unread_messages_email.call(bob_side.pk) is True
        assert len(mail.outbox) == 2

    @pytest.mark.parametrize("blocker", ["sender", "recipient"])
    def test_no_email_about_a_conversation_closed_by_a_block(self, alice, bob, blocker):
        from connections.tasks import send_unread_messages_email

        connect(alice, bob)
        send_message(bob, alice, "Hello")
        if blocker == "sender":
            block_create(blocker=bob, blocked=alice)
        else:
            block_create(blocker=alice, blocked=bob)
        assert side(alice, bob).unread_count == 1
        assert send_unread_messages_email.call(side(alice, bob).pk) is False
        assert mail.outbox == []

    @pytest.mark.parametrize("suspended", ["sender", "recipient"])
    def test_no_email_when_either_member_is_suspended(
        self, alice, bob, moderator, suspended
    ):
        from connections.services.moderation import member_suspend
        from connections.tasks import send_unread_messages_email

        connect(alice, bob)
        send_message(bob, alice, "Hello")
        member = bob if suspended == "sender" else alice
        member_suspend(member=member, staff_member=moderator, reason="Spam")
        assert side(alice, bob).unread_count == 1
        assert send_unread_messages_email.call(side(alice, bob).pk) is False
        assert mail.outbox == []

    def test_notifications_page_saves_the_choice(self, bob, bob_client):
        response = bob_client.post(
            "/settings/notifications/",
            {"invitation_received": "on", "invitation_accepted": "on"},
        )
        assert response.status_code == 302
        assert NotificationSettings.objects.get(member=bob).message_unread is False
        page = bob_client.get("/settings/notifications/").content.decode()
        assert "message I haven" in page


# ---------------------------------------------------------------------------
# Reading.


class TestThreadAccess:
    def test_blocked_member_gets_404_but_the_blocker_reads_history(
        self, alice, bob, alice_client, bob_client
    ):
        connect(alice, bob)
        send_message(alice, bob, "Before the block")
        block_create(blocker=bob, blocked=alice)
        assert alice_client.get("/messages/with/bob/").status_code == 404
        response = bob_client.get("/messages/with/alice/")
        assert response.status_code == 200
        html = response.content.decode()
        assert "Before the block" in html
        assert "You blocked Alice Martin" in html
        assert 'name="body"' not in html

    def test_outsiders_and_strangers_get_404(self, alice, bob, carol, carol_client):
        connect(alice, bob)
        send_message(alice, bob)
        assert carol_client.get("/messages/with/bob/").status_code == 404
        assert carol_client.get("/messages/with/nobody-here/").status_code == 404
        assert carol_client.get("/messages/with/carol/").status_code == 404

    def test_earlier_messages_are_404_for_outsiders_and_the_blocked(
        self, alice, bob, alice_client, carol_client
    ):
        from connections.selectors.paging import encode_cursor

        connect(alice, bob)
        messages = bulk_messages(bob, alice, 80)
        url = f"/messages/with/bob/?before={encode_cursor([messages[60].pk])}"
        assert alice_client.get(url, **HTMX).status_code == 200
        assert carol_client.get(url, **HTMX).status_code == 404
        block_create(blocker=bob, blocked=alice)
        assert alice_client.get(url, **HTMX).status_code == 404

    def test_signed_out_visitor_is_sent_to_sign_in(self, client, alice):
        response = client.get("/messages/with/alice/")
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]

    def test_history_stays_readable_after_a_disconnection(
        self, alice, bob, alice_client
    ):
        connect(alice, bob)
        send_message(bob, alice, "Still here")
        connection_remove(member=alice, other=bob)
        html = alice_client.get("/messages/with/bob/").content.decode()
        assert "Still here" in html
        assert "no longer connected, so sending is off" in html
        response = alice_client.post(
            "/messages/with/bob/", {"body": "Hello?", "client_token": "tok-12345678"}
        )
        assert response.status_code == 422
        assert Message.objects.count() == 1

    def test_a_connection_without_messages_opens_an_empty_thread(
        self, alice, bob, alice_client
    ):
        connect(alice, bob)
        html = alice_client.get("/messages/with/bob/").content.decode()
        assert "No messages yet" in html
        assert 'name="client_token"' in html

    def test_suspended_member_disappears(self, alice, bob, alice_client):
        connect(alice, bob)
        send_message(bob, alice)
        bob.is_active = False
        bob.save()
        assert alice_client.get("/messages/with/bob/").status_code == 404
        assert not inbox(member=alice).items
        assert unread(alice) == 0


class TestThreadPage:
    def test_opening_marks_read_and_shows_seen_to_the_sender(
        self, alice, bob, alice_client, bob_client
    ):
        connect(alice, bob)
        send_message(alice, bob, "Are you there?")
        assert unread(bob) == 1
        html = bob_client.get("/messages/with/alice/").content.decode()
        assert "Are you there?" in html
        assert unread(bob) == 0
        html = alice_client.get("/messages/with/bob/").content.decode()
        assert re.search(r'id="thread-seen"[^>]*>.*Seen', html)

    def test_own_messages_are_marked_and_days_separated(self, alice, bob, alice_client):
        connect(alice, bob)
        bulk_messages(alice, bob, 6, step_minutes=60 * 12)
        html = alice_client.get("/messages/with/bob/").content.decode()
        assert html.count('class="message is-mine"') == 3
        assert html.count('class="message"') == 3
        assert html.count('class="day-label"') >= 3

    def test_newest_page_then_earlier_pages_back_to_the_first(
        self, alice, bob, alice_client
    ):
        connect(alice, bob)
        bulk_messages(alice, bob, 120)
        html = alice_client.get("/messages/with/bob/").content.decode()
        assert "Message number 119" in html
        assert "Message number 70<" in html
        assert "Message number 69<" not in html
        seen = set()
        cursor = re.search(r"\?before=([\w:-]+)", html).group(1)
        for _ in range(5):  # the 70 earlier messages come in two pages
            if not cursor:
                break
            fragment = alice_client.get(
                f"/messages/with/bob/?before={cursor}&day=2026-01-01", **HTMX
            ).content.decode()
            assert fragment.startswith('<li class="thread-top">')
            seen |= set(re.findall(r"Message number (\d+)<", fragment))
            found = re.search(r"\?before=([\w:-]+)", fragment)
            cursor = found.group(1) if found else ""
        assert not cursor
        assert seen == {str(n) for n in range(70)}
        assert "beginning of your conversation" in fragment

    def test_earlier_page_without_javascript_is_a_full_page(
        self, alice, bob, alice_client
    ):
        connect(alice, bob)
        bulk_messages(alice, bob, 60)
        html = alice_client.get("/messages/with/bob/").content.decode()
        cursor = re.search(r"\?before=([\w:-]+)", html).group(1)
        page = alice_client.get(f"/messages/with/bob/?before={cursor}")
        assert page.status_code == 200
        assert "Show the newest messages" in page.content.decode()
        assert "Message number 9<" in page.content.decode()

    def test_a_bad_cursor_shows_the_newest_page(self, alice, bob, alice_client):
        connect(alice, bob)
        bulk_messages(alice, bob, 3)
        response = alice_client.get("/messages/with/bob/?before=%%%garbage")
        assert response.status_code == 200

    def test_hostile_text_comes_out_inert(self, alice, bob, alice_client):
        connect(alice, bob)
        send_message(
            bob,
            alice,
            '<script>alert(1)</script> <img src=x onerror="alert(2)"> '
            "javascript:alert(3) [x](javascript:alert(4)) "
            '<a href="javascript:alert(5)">y</a> see https://example.org/a?b=1&c=2',
        )
        html = alice_client.get("/messages/with/bob/").content.decode()
        body = re.search(r'<p class="message-body">(.*?)</p>', html, re.S).group(1)
        assert "<script" not in body
        assert "<img" not in body
        assert "&lt;script&gt;" in body
        assert 'href="javascript' not in body
        assert re.search(r"<a [^>]*onerror", body) is None
        assert '<a href="https://example.org/a?b=1&amp;c=2" rel="nofollow">' in body, (
            body
        )

    def test_removed_message_shows_as_removed(self, alice, bob, staff, alice_client):
        connect(alice, bob)
        message = send_message(bob, alice, "Something nasty")
        removed = messaging.message_remove(message=message, staff_member=staff)
        assert removed.removed_by == staff
        again = messaging.message_remove(message=message, staff_member=alice)
        assert again.removed_at == removed.removed_at
        assert again.removed_by == staff
        html = alice_client.get("/messages/with/bob/").content.decode()
        assert "Something nasty" not in html
        assert "Message removed by moderators" in html
        inbox_html = alice_client.get("/messages/").content.decode()
        assert "Something nasty" not in inbox_html

    @pytest.mark.parametrize("count", [1, 50, 400])
    def test_thread_query_budget(
        self, alice, bob, alice_client, count, django_assert_num_queries
    ):
        connect(alice, bob)
        bulk_messages(alice, bob, count)
        alice_client.get("/messages/with/bob/")
        # Session, member, the conversation with its permissions, the page,
        # the badges.
        with django_assert_num_queries(5):
            assert alice_client.get("/messages/with/bob/").status_code == 200

    def test_opening_with_unread_messages_costs_one_more(
        self, alice, bob, bob_client, django_assert_num_queries
    ):
        connect(alice, bob)
        send_message(alice, bob)
        with django_assert_num_queries(6):
            assert bob_client.get("/messages/with/alice/").status_code == 200

    def test_earlier_page_budget_is_the_same_deep_down(
        self, alice, bob, alice_client, django_assert_num_queries
    ):
        connect(alice, bob)
        messages = bulk_messages(alice, bob, 400)
        from connections.selectors.paging import encode_cursor

        for message in (messages[-1], messages[60]):
            url = f"/messages/with/bob/?before={encode_cursor([message.pk])}"
            with django_assert_num_queries(4):
                assert alice_client.get(url, **HTMX).status_code == 200


class TestSendViews:
    def test_htmx_send_returns_a_fresh_composer_and_triggers_the_poll(
        self, alice, bob, alice_client
    ):
        connect(alice, bob)
        page = alice_client.get("/messages/with/bob/").content.decode()
        response = alice_client.post(
            "/messages/with/bob/",
            {"body": "Hi there", "client_token": token_of(page)},
            **HTMX,
        )
        assert response.status_code == 200
        assert response["HX-Trigger"] == "messageSent"
        html = response.content.decode()
        assert html.startswith('<div id="composer"')
        assert token_of(html) != token_of(page)
        assert "Hi there" not in html
        assert Message.objects.get().body == "Hi there"

    def test_plain_send_redirects_and_a_double_submit_stores_one(
        self, alice, bob, alice_client
    ):
        connect(alice, bob)
        data = {"body": "Only once", "client_token": "double-submit-1"}
        for _n in range(2):
            response = alice_client.post("/messages/with/bob/", data)
            assert response.status_code == 302
            assert response["Location"] == "/messages/with/bob/"
        assert Message.objects.count() == 1

    def test_bad_input_keeps_what_was_typed(self, alice, bob, alice_client):
        connect(alice, bob)
        long_text = "<b>long</b>" + "x" * 8000
        response = alice_client.post(
            "/messages/with/bob/",
            {"body": long_text, "client_token": "too-long-tok"},
            **HTMX,
        )
        assert response.status_code == 422
        html = response.content.decode()
        assert "&lt;b&gt;long&lt;/b&gt;" in html
        assert 'aria-invalid="true"' in html
        plain = alice_client.post(
            "/messages/with/bob/", {"body": "   ", "client_token": "blank-token"}
        )
        assert plain.status_code == 422
        assert "Write a message before sending." in plain.content.decode()

    def test_line_breaks_sent_as_crlf_count_once_toward_the_limit(
        self, alice, bob, alice_client
    ):
        connect(alice, bob)
        body = ("x" * 79 + "\r\n") * 100
        response = alice_client.post(
            "/messages/with/bob/", {"body": body, "client_token": "crlf-lines-1"}
        )
        assert response.status_code == 302
        assert Message.objects.get().body == ("x" * 79 + "\n") * 99 + "x" * 79

    def test_too_long_message_in_the_form_says_the_limit_and_its_length(
        self, alice, bob, alice_client
    ):
        connect(alice, bob)
        response = alice_client.post(
            "/messages/with/bob/",
            {"body": "x" * 8001, "client_token": "too-long-tok2"},
            **HTMX,
        )
        assert response.status_code == 422
        assert "this one has 8,001" in response.content.decode()
        assert not Message.objects.exists()

    @override_settings(RAPPORT_MESSAGES_PER_MINUTE=1)
    def test_rate_limited_send_keeps_the_text(self, alice, bob, alice_client):
        connect(alice, bob)
        send_message(alice, bob)
        response = alice_client.post(
            "/messages/with/bob/",
            {"body": "Too fast", "client_token": "rate-limit-tok"},
            **HTMX,
        )
        assert response.status_code == 422
        html = response.content.decode()
        assert "1 messages a minute" in html or "messages a minute" in html
        assert ">Too fast</textarea>" in html

    def test_stranger_cannot_post_to_a_thread(self, alice, carol_client):
        response = carol_client.post(
            "/messages/with/alice/", {"body": "Hi", "client_token": "stranger-tok"}
        )
        assert response.status_code == 404
        assert not Message.objects.exists()


class TestPoll:
    def test_nothing_new_is_204_with_one_query(
        self, alice, bob, alice_client, django_assert_num_queries
    ):
        connect(alice, bob)
        message = send_message(alice, bob)
        url = f"/messages/with/bob/poll/?after={message.pk}&seen=0&open=1&mine=1"
        alice_client.get(url, **HTMX)
        # Session, member, then one query.
        with django_assert_num_queries(3):
            response = alice_client.get(url, **HTMX)
        assert response.status_code == 204
        assert response.content == b""

    def test_new_message_is_appended_and_read(self, alice, bob, bob_client):
        connect(alice, bob)
        first = send_message(alice, bob, "First")
        bob_client.get("/messages/with/alice/")
        send_message(alice, bob, "Second")
        assert unread(bob) == 1
        response = bob_client.get(
            f"/messages/with/alice/poll/?after={first.pk}&seen=0&open=1&day=", **HTMX
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert 'hx-swap-oob="beforeend:#thread-messages"' in html
        assert "Second" in html
        assert ">First<" not in html
        assert 'id="thread-state" hidden hx-swap-oob="true"' in html
        assert 'id="nav-badge-messages"' in html
        assert unread(bob) == 0

    def test_the_other_reading_updates_seen(self, alice, bob, alice_client, bob_client):
        connect(alice, bob)
        message = send_message(alice, bob)
        bob_client.get("/messages/with/alice/")
        response = alice_client.get(
            f"/messages/with/bob/poll/?after={message.pk}&seen=0&open=1&mine=1",
            **HTMX,
        )
        assert response.status_code == 200
        assert "Seen" in response.content.decode()

    def test_a_disconnection_closes_the_composer(self, alice, bob, alice_client):
        connect(alice, bob)
        message = send_message(alice, bob)
        connection_remove(member=bob, other=alice)
        response = alice_client.get(
            f"/messages/with/bob/poll/?after={message.pk}&seen=0&open=1&mine=1",
            **HTMX,
        )
        html = response.content.decode()
        assert 'id="composer" class="message-composer" hx-swap-oob="true"' in html
        assert "sending is off" in html

    def test_a_block_stops_the_poll(self, alice, bob, alice_client):
        connect(alice, bob)
        message = send_message(alice, bob)
        block_create(blocker=bob, blocked=alice)
        response = alice_client.get(
            f"/messages/with/bob/poll/?after={message.pk}&seen=0&open=1", **HTMX
        )
        assert response.status_code == 286
        assert response.content == b""


class TestInbox:
    def test_most_recent_first_with_preview_and_unread(
        self, alice, bob, carol, dave, alice_client
    ):
        for other in (bob, carol, dave):
            connect(alice, other)
        send_message(bob, alice, "From Bob")
        send_message(alice, dave, "To Dave")
        send_message(carol, alice, "From Carol\nsecond line")
        html = alice_client.get("/messages/").content.decode()
        order = [html.index(name) for name in ("Carol Nguyen", "Dave Fischer", "Bob")]
        assert order == sorted(order)
        assert "You: To Dave" in html
        assert html.count('class="conversation-row is-unread"') == 2
        assert 'aria-label="2 unread messages"' in html  # the nav badge

    def test_search_by_member_name(self, alice, bob, carol, alice_client):
        connect(alice, bob)
        connect(alice, carol)
        send_message(bob, alice)
        send_message(carol, alice)
        html = alice_client.get("/messages/?q=okaf", **HTMX).content.decode()
        assert html.startswith('<div id="conversation-results"')
        assert "Bob Okafor" in html
        assert "Carol Nguyen" not in html
        html = alice_client.get("/messages/?q=zzz").content.decode()
        assert "No conversation with a member named" in html

    def test_keyset_pages_and_load_more(self, alice, alice_client):
        people = UserFactory.create_batch(55)
        for person in people:
            connect(alice, person)
            bulk_messages(person, alice, 1)
        html = alice_client.get("/messages/").content.decode()
        assert html.count('class="conversation-row') == 50
        cursor = re.search(r"after=([\w:-]+)", html).group(1)
        more = alice_client.get(f"/messages/?after={cursor}", **HTMX).content.decode()
        assert more.count('class="conversation-row') == 5

    def test_the_blocked_member_no_longer_sees_the_conversation(self, alice, bob):
        connect(alice, bob)
        send_message(bob, alice)
        block_create(blocker=bob, blocked=alice)
        assert not inbox(member=alice).items
        assert unread(alice) == 0
        assert [s.other for s in inbox(member=bob)] == [alice]

    @pytest.mark.parametrize("size", [1, 60])
    def test_inbox_query_budget(
        self, alice, alice_client, size, django_assert_num_queries
    ):
        people = UserFactory.create_batch(size)
        for person in people:
            connect(alice, person)
            bulk_messages(person, alice, 2)
        # Session, member, the page (other members and last messages joined),
        # the badges.
        with django_assert_num_queries(4):
            assert alice_client.get("/messages/").status_code == 200


class TestBadge:
    def test_badge_poll_is_204_when_unchanged(self, alice, bob, bob_client):
        connect(alice, bob)
        send_message(alice, bob)
        assert bob_client.get("/messages/unread/?n=1", **HTMX).status_code == 204
        response = bob_client.get("/messages/unread/?n=0", **HTMX)
        assert response.status_code == 200
        html = response.content.decode()
        assert 'hx-swap-oob="true"' in html
        assert ">1</span>" in html
        assert "/messages/unread/?n=1" in html

    def test_every_page_shows_the_unread_badge(self, alice, bob, bob_client):
        connect(alice, bob)
        send_message(alice, bob)
        send_message(alice, bob)
        html = bob_client.get("/contacts/").content.decode()
        assert 'aria-label="2 unread messages"' in html
        assert 'hx-trigger="every 10s"' in html

    def test_unread_from_a_suspended_member_count_as_the_inbox_shows_them(
        self, alice, bob, bob_client, moderator
    ):
        from connections.services.moderation import member_suspend

        connect(alice, bob)
        send_message(alice, bob)
        send_message(alice, bob)
        member_suspend(member=alice, staff_member=moderator, reason="Spam")
        assert [side.unread_count for side in inbox(member=bob).items] == [2]
        assert unread(bob) == 2
        html = bob_client.get("/contacts/").content.decode()
        assert 'aria-label="2 unread messages"' in html
        assert bob_client.get("/messages/unread/?n=2", **HTMX).status_code == 204
        polled = bob_client.get("/messages/unread/?n=0", **HTMX).content.decode()
        assert ">2</span>" in polled

    def test_message_buttons_lead_to_the_conversation(self, alice, bob, alice_client):
        connect(alice, bob)
        assert (
            'href="/messages/with/bob/"'
            in alice_client.get("/in/bob/").content.decode()
        )
        assert (
            'href="/messages/with/bob/"'
            in alice_client.get("/network/connections/").content.decode()
        )

    def test_thread_with_is_one_query(self, alice, bob, django_assert_num_queries):
        connect(alice, bob)
        send_message(alice, bob)
        with django_assert_num_queries(1):
            thread = thread_with(viewer=alice, handle="bob")
        assert thread.can_send


def test_seed_demo_adds_conversations_once(db):
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("seed_demo", members=12)
    count = Conversation.objects.count()
    messages = Message.objects.count()
    call_command("seed_demo", members=12)
    assert Conversation.objects.count() == count >= 3
    assert Message.objects.count() == messages
    alice = get_user_model().objects.get(email="alice@example.com")
    assert unread(alice) == 1
    assert len(inbox(member=alice).items) >= 2


def test_demo_conversations_count_in_the_depth_of_each_connection(db):
    from django.core.management import call_command

    from connections.models import Connection, Interaction

    call_command("seed_demo", members=12)
    talked = Connection.objects.filter(
        member__email="alice@example.com", other__email="carol@example.com"
    ).get()
    assert talked.last_interaction is not None
    assert talked.depth_given > 0
    messages = Message.objects.filter(
        conversation__sides__member=talked.member,
        conversation__sides__other=talked.other,
    )
    assert Interaction.objects.filter(kind="message").count() >= messages.count() > 0
