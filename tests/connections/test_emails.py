"""The emails members and invited people receive: who gets one, when, and
what it says."""

import hashlib
import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from connections import tasks
from connections.models import AddressOptOut, EmailInvitation, NotificationSettings
from connections.services import network
from connections.unsubscribe import address_opt_out_token, unsubscribe_token
from tests.factories import (
    DEFAULT_PASSWORD,
    BlockFactory,
    UserFactory,
    connect,
    send_message,
)


def suspend(member):
    type(member).objects.filter(pk=member.pk).update(
        suspended_until=timezone.now() + timedelta(days=7)
    )


@pytest.mark.django_db
class TestNobodySuspendedIsEmailedAbout:
    """The worker may run a task minutes after it was queued: a member
    suspended meanwhile is no longer named to anyone, nor sends anything."""

    def test_no_invitation_email_once_its_sender_is_suspended(
        self, alice, bob, mailoutbox
    ):
        invitation = network.connection_request_send(sender=alice, recipient=bob)
        suspend(alice)
        assert tasks.send_invitation_received_email.call(invitation.pk) is False
        assert mailoutbox == []

    def test_no_invitation_email_to_a_suspended_recipient(self, alice, bob, mailoutbox):
        invitation = network.connection_request_send(sender=alice, recipient=bob)
        suspend(bob)
        assert tasks.send_invitation_received_email.call(invitation.pk) is False
        assert mailoutbox == []

    def test_no_accepted_email_naming_a_member_suspended_since(
        self, alice, bob, mailoutbox
    ):
        invitation = network.connection_request_send(sender=alice, recipient=bob)
        network.connection_request_accept(invitation=invitation, member=bob)
        suspend(bob)
        assert tasks.send_invitation_accepted_email.call(invitation.pk) is False
        assert mailoutbox == []

    def test_no_invitation_link_sent_for_an_inviter_suspended_since(
        self, alice, mailoutbox
    ):
        invitation = network.email_invitation_send(
            inviter=alice, email="zoe@example.org", note="Join us!"
        )
        suspend(alice)
        assert tasks.send_email_invitation.call(invitation.pk, "token") is False
        assert mailoutbox == []

    def test_the_emails_go_out_when_nobody_is_suspended(self, alice, bob, mailoutbox):
        invitation = network.connection_request_send(sender=alice, recipient=bob)
        assert tasks.send_invitation_received_email.call(invitation.pk) is True
        network.connection_request_accept(invitation=invitation, member=bob)
        assert tasks.send_invitation_accepted_email.call(invitation.pk) is True
        link = network.email_invitation_send(inviter=alice, email="zoe@example.org")
        assert tasks.send_email_invitation.call(link.pk, "token") is True
        assert [mail.to for mail in mailoutbox] == [
            [bob.email],
            [alice.email],
            ["zoe@example.org"],
        ]


@pytest.mark.django_db
class TestInvitationLinksRespectBlocks:
    """An invitation by email must not reach, with its note, someone who
    blocked the inviter (or whom they blocked); the inviter is told
    "Invitation sent" all the same, so nobody learns the address is a
    member's."""

    def test_no_link_to_the_address_of_a_member_who_blocked_the_inviter(
        self, alice, bob, mailoutbox, django_capture_on_commit_callbacks
    ):
        BlockFactory(blocker=bob, blocked=alice)
        with django_capture_on_commit_callbacks(execute=True):
            invitation = network.email_invitation_send(
                inviter=alice, email=bob.email.upper(), note="Unblock me"
            )
        assert invitation.status == "sent"
        assert mailoutbox == []

    def test_no_link_to_a_member_the_inviter_blocked(
        self, alice, bob, mailoutbox, django_capture_on_commit_callbacks
    ):
        BlockFactory(blocker=alice, blocked=bob)
        with django_capture_on_commit_callbacks(execute=True):
            network.email_invitation_send(inviter=alice, email=bob.email)
        assert mailoutbox == []

    def test_no_link_to_another_verified_address_of_a_member_who_blocked(
        self, alice, bob, mailoutbox, django_capture_on_commit_callbacks
    ):
        from allauth.account.models import EmailAddress

        EmailAddress.objects.create(
            user=bob, email="bob.private@example.net", verified=True
        )
        BlockFactory(blocker=bob, blocked=alice)
        with django_capture_on_commit_callbacks(execute=True):
            network.email_invitation_send(
                inviter=alice, email="bob.private@example.net"
            )
        assert mailoutbox == []

    def test_no_link_after_a_block_made_before_the_worker_sends_it(
        self, alice, bob, mailoutbox
    ):
        invitation = network.email_invitation_send(inviter=alice, email=bob.email)
        BlockFactory(blocker=bob, blocked=alice)
        assert tasks.send_email_invitation.call(invitation.pk, "token") is False
        assert mailoutbox == []

    def test_a_block_between_others_changes_nothing(
        self, alice, bob, carol, mailoutbox, django_capture_on_commit_callbacks
    ):
        BlockFactory(blocker=bob, blocked=carol)
        UserFactory(email="zoe@example.org")
        with django_capture_on_commit_callbacks(execute=True):
            network.email_invitation_send(inviter=alice, email=bob.email)
            network.email_invitation_send(inviter=alice, email="zoe@example.org")
        assert [mail.to for mail in mailoutbox] == [[bob.email], ["zoe@example.org"]]


@pytest.mark.django_db
class TestInvitationLinksRespectEmailSettings:
    """An invitation by email to a member's verified address is the email a
    member turns off with "Someone invites me to connect"; the inviter is
    told the same whatever the member chose."""

    def opt_out(self, member):
        NotificationSettings.objects.create(member=member, invitation_received=False)

    def test_no_link_to_a_member_who_turned_invitation_emails_off(
        self, alice, alice_client, bob, mailoutbox, django_capture_on_commit_callbacks
    ):
        self.opt_out(bob)
        with django_capture_on_commit_callbacks(execute=True):
            response = alice_client.post(
                "/network/invite/", {"email": bob.email.upper()}, follow=True
            )
        assert f"Invitation sent to {bob.email}." in response.content.decode()
        assert mailoutbox == []
        invitation = EmailInvitation.objects.get()
        assert invitation.status == "sent"
        sent_tab = alice_client.get("/network/invitations/sent/").content.decode()
        assert bob.email in sent_tab

    def test_nor_to_their_other_verified_address(
        self, alice, bob, mailoutbox, django_capture_on_commit_callbacks
    ):
        from allauth.account.models import EmailAddress

        EmailAddress.objects.create(
            user=bob, email="bob.private@example.net", verified=True
        )
        self.opt_out(bob)
        with django_capture_on_commit_callbacks(execute=True):
            network.email_invitation_send(
                inviter=alice, email="bob.private@example.net"
            )
        assert mailoutbox == []

    def test_an_unverified_address_is_anyones(
        self, alice, bob, mailoutbox, django_capture_on_commit_callbacks
    ):
        from allauth.account.models import EmailAddress

        EmailAddress.objects.create(user=bob, email="maybe@example.net")
        self.opt_out(bob)
        with django_capture_on_commit_callbacks(execute=True):
            network.email_invitation_send(inviter=alice, email="maybe@example.net")
        assert [mail.to for mail in mailoutbox] == [["maybe@example.net"]]
        # The link stops invitation emails to the address, not Bob's setting.
        url = mailoutbox[0].extra_headers["List-Unsubscribe"]
        assert "/join/stop/" in url

    def test_a_member_who_gets_it_can_stop_it_in_one_click(
        self, alice, bob, carol, mailoutbox, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            network.email_invitation_send(inviter=alice, email=bob.email)
        url = mailoutbox[0].extra_headers["List-Unsubscribe"].strip("<>")
        assert url in mailoutbox[0].body
        assert one_click(url).status_code == 200
        assert wants(bob)["invitation_received"] is False
        mailoutbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            network.email_invitation_send(inviter=carol, email=bob.email)
            network.connection_request_send(sender=UserFactory(), recipient=bob)
        assert mailoutbox == []

    def test_turned_off_after_it_was_sent_but_before_it_went_out(
        self, alice, bob, mailoutbox
    ):
        invitation = network.email_invitation_send(inviter=alice, email=bob.email)
        self.opt_out(bob)
        assert tasks.send_email_invitation.call(invitation.pk, "token") is False
        assert mailoutbox == []


def wants(member):
    row = NotificationSettings.objects.filter(member=member).first()
    return {
        name: getattr(row, name) if row else True
        for name in ("invitation_received", "invitation_accepted", "message_unread")
    }


def one_click(url):
    """What a mail client does for RFC 8058: a POST, signed out, no CSRF token."""
    client = Client(enforce_csrf_checks=True)
    return client.post(
        url,
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )


@pytest.mark.django_db
class TestOneClickUnsubscribe:
    def test_each_notification_carries_one_click_unsubscribe_headers(
        self, alice, bob, mailoutbox, django_capture_on_commit_callbacks, settings
    ):
        settings.RAPPORT_SITE_URL = "https://rapport.example.org"
        with django_capture_on_commit_callbacks(execute=True):
            invitation = network.connection_request_send(sender=bob, recipient=alice)
        with django_capture_on_commit_callbacks(execute=True):
            network.connection_request_accept(invitation=invitation, member=alice)
        with django_capture_on_commit_callbacks(execute=True):
            send_message(alice, bob)
        received, accepted, unread = mailoutbox
        for mail, member in ((received, alice), (accepted, bob), (unread, bob)):
            assert mail.to == [member.email]
            header = mail.extra_headers["List-Unsubscribe"]
            url = re.fullmatch(r"<(https://rapport\.example\.org/\S+)>", header)[1]
            assert url in mail.body
            assert mail.extra_headers["List-Unsubscribe-Post"] == (
                "List-Unsubscribe=One-Click"
            )
            message = mail.message()
            assert message["List-Unsubscribe"] == header

    def test_one_click_turns_off_that_email_only_without_signing_in(
        self, alice, bob, mailoutbox, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            network.connection_request_send(sender=alice, recipient=bob)
        url = mailoutbox[0].extra_headers["List-Unsubscribe"].strip("<>")
        response = one_click(url)
        assert response.status_code == 200
        assert "Emails stopped" in response.content.decode()
        assert wants(bob) == {
            "invitation_received": False,
            "invitation_accepted": True,
            "message_unread": True,
        }
        mailoutbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            network.connection_request_send(sender=UserFactory(), recipient=bob)
        assert mailoutbox == []

    def test_each_link_stops_its_own_email(self, alice, bob):
        for preference in ("invitation_accepted", "message_unread"):
            token = unsubscribe_token(member=bob, preference=preference)
            response = one_click(f"/settings/notifications/stop/{token}/")
            assert response.status_code == 200
        assert wants(bob) == {
            "invitation_received": True,
            "invitation_accepted": False,
            "message_unread": False,
        }
        assert wants(alice)["message_unread"] is True

    def test_opening_the_link_only_asks(self, bob):
        token = unsubscribe_token(member=bob, preference="message_unread")
        response = Client().get(f"/settings/notifications/stop/{token}/")
        page = response.content.decode()
        assert response.status_code == 200
        assert "Stop these emails?" in page
        assert "about messages you haven&#x27;t read" in page
        assert bob.email not in page
        assert bob.display_name not in page
        assert wants(bob)["message_unread"] is True

    def test_a_second_click_changes_nothing_more(self, bob):
        network.notification_settings_update(
            member=bob, invitation_received=False, invitation_accepted=True
        )
        token = unsubscribe_token(member=bob, preference="message_unread")
        url = f"/settings/notifications/stop/{token}/"
        assert one_click(url).status_code == 200
        assert one_click(url).status_code == 200
        assert wants(bob) == {
            "invitation_received": False,
            "invitation_accepted": True,
            "message_unread": False,
        }

    @pytest.mark.parametrize(
        "token",
        [
            "nonsense",
            "WzEsIm1lc3NhZ2VfdW5yZWFkIl0:forged",
            # a signature made for something else (a "Load more" cursor)
            "cursor",
        ],
    )
    def test_a_token_not_signed_for_this_is_not_found(self, bob, token):
        if token == "cursor":
            from django.core.signing import Signer

            token = Signer(salt="connections.paging.cursor").sign_object(
                [bob.pk, "message_unread"]
            )
        assert one_click(f"/settings/notifications/stop/{token}/").status_code == 404
        assert Client().get(f"/settings/notifications/stop/{token}/").status_code == 404
        assert wants(bob)["message_unread"] is True

    def test_a_token_with_another_preference_is_not_found(self, bob):
        from django.core.signing import Signer

        token = Signer(salt="connections.notifications.unsubscribe").sign_object(
            [bob.pk, "is_staff"]
        )
        assert one_click(f"/settings/notifications/stop/{token}/").status_code == 404

    def test_a_closed_account_is_not_found(self, bob):
        token = unsubscribe_token(member=bob, preference="message_unread")
        type(bob).objects.filter(pk=bob.pk).update(is_active=False)
        assert one_click(f"/settings/notifications/stop/{token}/").status_code == 404

    def test_no_unsubscribe_header_on_account_emails(self, alice, mailoutbox):
        tasks.send_account_closed_email.call(alice.email, "Alice", "29 November 2026")
        assert "List-Unsubscribe" not in mailoutbox[0].extra_headers


def opt_out_link(email):
    return f"/join/stop/{address_opt_out_token(email)}/"


@pytest.mark.django_db
class TestSomeoneNotAMemberStopsInvitationEmails:
    """Zoe is not a member: the invitation email lets her stop every
    invitation email to her address, from any member, without an account."""

    def invite(self, inviter, email="zoe@example.org"):
        return network.email_invitation_send(inviter=inviter, email=email)

    def test_the_invitation_carries_the_link_and_one_click_headers(
        self, alice, mailoutbox, django_capture_on_commit_callbacks, settings
    ):
        settings.RAPPORT_SITE_URL = "https://rapport.example.org"
        with django_capture_on_commit_callbacks(execute=True):
            self.invite(alice)
        (mail,) = mailoutbox
        header = mail.extra_headers["List-Unsubscribe"]
        url = re.fullmatch(r"<(https://rapport\.example\.org/join/stop/\S+/)>", header)[
            1
        ]
        assert url in mail.body
        assert "Don't want invitations from anyone on Rapport?" in mail.body
        assert mail.extra_headers["List-Unsubscribe-Post"] == (
            "List-Unsubscribe=One-Click"
        )
        assert mail.message()["List-Unsubscribe"] == header

    def test_the_link_works_signed_out_and_opening_it_only_asks(
        self, alice, mailoutbox, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            self.invite(alice)
        path = re.search(r"http://[^/]+(/join/stop/\S+/)", mailoutbox[0].body)[1]
        visitor = Client(enforce_csrf_checks=True)
        page = visitor.get(path)
        assert page.status_code == 200
        assert "Stop invitation emails to zoe@example.org" in page.content.decode()
        assert not AddressOptOut.objects.exists()

        response = visitor.post(path)
        assert response.status_code == 200
        assert "Invitation emails stopped" in response.content.decode()
        assert network.address_opted_out("zoe@example.org")

    def test_the_address_is_not_kept_in_clear(self, alice):
        network.address_opt_out(email="Zoe@Example.org")
        (row,) = AddressOptOut.objects.values_list("digest", flat=True)
        assert len(row) == 64
        assert "zoe" not in row.lower()
        assert row != hashlib.sha256(b"zoe@example.org").hexdigest()

    def test_one_click_from_the_mail_client_stops_them(
        self, alice, mailoutbox, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            self.invite(alice)
        url = mailoutbox[0].extra_headers["List-Unsubscribe"].strip("<>")
        assert one_click(url).status_code == 200
        assert one_click(url).status_code == 200
        assert AddressOptOut.objects.count() == 1

    def test_another_member_inviting_the_address_sends_nothing_and_is_told_why(
        self,
        alice,
        carol,
        carol_client,
        mailoutbox,
        django_capture_on_commit_callbacks,
    ):
        with django_capture_on_commit_callbacks(execute=True):
            self.invite(alice)
        one_click(mailoutbox[0].extra_headers["List-Unsubscribe"].strip("<>"))
        mailoutbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            response = carol_client.post(
                "/network/invite/",
                {"email": "Zoe@Example.org", "name": "Zoe", "note": "Hi Zoe"},
            )
        page = response.content.decode()
        assert response.status_code == 422
        assert (
            "zoe@example.org has asked not to receive invitation emails from "
            "Rapport, so none was sent." in page
        )
        assert 'value="Zoe@Example.org"' in page
        assert "Hi Zoe" in page
        assert mailoutbox == []
        assert not EmailInvitation.objects.filter(inviter=carol).exists()

    def test_any_case_of_the_address_is_the_same_address(self, alice, bob):
        Client().post(opt_out_link("Zoe@Example.org"))
        for email in ("zoe@example.org", " ZOE@EXAMPLE.ORG "):
            with pytest.raises(ValidationError) as refusal:
                self.invite(bob, email=email)
            assert refusal.value.code == "opted_out"
        self.invite(bob, email="zoe.other@example.org")

    def test_stopped_after_the_invitation_but_before_it_went_out(
        self, alice, mailoutbox
    ):
        invitation = self.invite(alice)
        network.address_opt_out(email="ZOE@example.org")
        assert tasks.send_email_invitation.call(invitation.pk, "token") is False
        assert mailoutbox == []

    def test_it_holds_for_an_address_that_became_a_members(self, alice, bob):
        # Asked as a visitor, then joined: inviters are told the same as
        # for anyone, so the answer says nothing of who is a member.
        network.address_opt_out(email=bob.email)
        with pytest.raises(ValidationError) as refusal:
            self.invite(alice, email=bob.email)
        assert refusal.value.code == "opted_out"

    def test_undo_lets_invitation_emails_come_again(
        self, alice, mailoutbox, django_capture_on_commit_callbacks
    ):
        path = opt_out_link("zoe@example.org")
        Client().post(path)
        assert "Invitation emails stopped" in Client().get(path).content.decode()
        response = Client(enforce_csrf_checks=True).post(path, {"resume": "1"})
        assert "Invitation emails can come again" in response.content.decode()
        assert not AddressOptOut.objects.exists()
        with django_capture_on_commit_callbacks(execute=True):
            self.invite(alice)
        assert [mail.to for mail in mailoutbox] == [["zoe@example.org"]]

    def test_a_new_secret_key_keeps_the_opt_outs_of_the_former_one(
        self, alice, settings
    ):
        path = opt_out_link("zoe@example.org")
        Client().post(path)
        settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
        settings.SECRET_KEY = "another-long-random-secret-key-for-the-test"
        with pytest.raises(ValidationError):
            self.invite(alice)
        assert Client().get(path).status_code == 200

    @pytest.mark.parametrize(
        "token",
        [
            "nonsense",
            "InpvZUBleGFtcGxlLm9yZyI:forged",
            "member",
            "not-an-address",
        ],
    )
    def test_a_token_not_signed_for_this_is_not_found(self, bob, token):
        from django.core.signing import Signer

        if token == "member":
            # the link that stops a member's own email
            token = unsubscribe_token(member=bob, preference="invitation_received")
        elif token == "not-an-address":
            token = Signer(salt="connections.invitations.address_opt_out").sign_object(
                [bob.pk]
            )
        assert one_click(f"/join/stop/{token}/").status_code == 404
        assert Client().get(f"/join/stop/{token}/").status_code == 404
        assert not AddressOptOut.objects.exists()

    def test_the_address_link_does_not_stop_a_members_email(self, bob):
        token = address_opt_out_token(bob.email)
        assert one_click(f"/settings/notifications/stop/{token}/").status_code == 404
        assert wants(bob)["invitation_received"] is True


@pytest.mark.django_db
class TestAccountEmails:
    """The emails django-allauth sends (verification, password reset, security
    notices) name the site as every other email does."""

    @pytest.fixture
    def site(self, settings):
        settings.RAPPORT_SITE_NAME = "Acme People"
        settings.ALLOWED_HOSTS = ["people.acme.test"]
        return Client(HTTP_HOST="people.acme.test")

    def test_password_reset_names_the_site_not_the_host(self, site, alice, mailoutbox):
        site.post("/accounts/password/reset/", {"email": alice.email})
        (mail,) = mailoutbox
        assert mail.subject.startswith("[Acme People] ")
        assert "Acme People" in mail.body
        assert "from people.acme.test" not in mail.body
        assert "using people.acme.test" not in mail.body
        assert "http://people.acme.test/accounts/password/reset/key/" in mail.body

    def test_in_production_account_links_lead_to_the_public_address(
        self, settings, alice, mailoutbox
    ):
        """The request came to an internal name the proxy uses; the member
        must get a link to the public address, in https."""
        settings.RAPPORT_ACCOUNT_LINKS_TO_SITE_URL = True
        settings.RAPPORT_SITE_URL = "https://people.acme.test"
        settings.ALLOWED_HOSTS = ["people.acme.test", "app.internal"]
        client = Client(HTTP_HOST="app.internal")
        client.post("/accounts/password/reset/", {"email": alice.email})
        client.post(
            "/accounts/signup/",
            {
                "display_name": "Zoë Martin",
                "email": "zoe@example.org",
                "password1": "a-long-passphrase-42",
                "password2": "a-long-passphrase-42",
            },
        )
        reset, verify = mailoutbox
        assert "https://people.acme.test/accounts/password/reset/key/" in reset.body
        assert "https://people.acme.test/accounts/confirm-email/" in verify.body
        for mail in (reset, verify):
            assert "app.internal" not in mail.body

    def test_sign_up_verification_names_the_site(self, site, mailoutbox):
        site.post(
            "/accounts/signup/",
            {
                "display_name": "Zoë Martin",
                "email": "zoe@example.org",
                "password1": "a-long-passphrase-42",
                "password2": "a-long-passphrase-42",
            },
        )
        (mail,) = mailoutbox
        assert mail.subject == "[Acme People] Please confirm your email address"
        assert "Hello from Acme People" in mail.body
        assert "http://people.acme.test/accounts/confirm-email/" in mail.body

    def test_a_security_notice_says_when_with_its_zone_and_which_browser(
        self, alice, mailoutbox
    ):
        firefox = (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) "
            "Gecko/20100101 Firefox/128.0"
        )
        client = Client(HTTP_USER_AGENT=firefox)
        client.force_login(alice)
        client.post(
            "/accounts/password/change/",
            {
                "oldpassword": DEFAULT_PASSWORD,
                "password1": "a-long-passphrase-42",
                "password2": "a-long-passphrase-42",
            },
        )
        (mail,) = mailoutbox
        assert mail.subject == "[Rapport] Password changed"
        now = timezone.localtime()
        assert f"{now:%-d %B %Y}, " in mail.body
        assert " UTC\n" in mail.body
        assert "Browser: Firefox on Windows" in mail.body
        assert "Mozilla" not in mail.body


@pytest.mark.django_db
class TestWhatNotificationsSay:
    def every_email(self, alice, bob, capture):
        """Each email of the connections app, as its recipient gets it."""
        with capture(execute=True):
            invitation = network.connection_request_send(
                sender=alice, recipient=bob, note="<b>Hi</b> Bob & co, it's me"
            )
        with capture(execute=True):
            network.connection_request_accept(invitation=invitation, member=bob)
        with capture(execute=True):
            send_message(alice, bob, "<script>")
        with capture(execute=True):
            network.email_invitation_send(
                inviter=alice,
                email="zoe@example.org",
                name="Zoë",
                note="It's <i>us</i>",
            )

    def test_every_email_is_plain_text_with_site_links_and_nothing_escaped(
        self, alice, bob, mailoutbox, django_capture_on_commit_callbacks, settings
    ):
        settings.RAPPORT_SITE_URL = "https://rapport.example.org"
        type(alice).objects.filter(pk=alice.pk).update(
            display_name="Alice\r\nBcc: eve@example.net " + "M" * 40
        )
        alice.refresh_from_db()
        self.every_email(alice, bob, django_capture_on_commit_callbacks)
        assert len(mailoutbox) == 4
        for mail in mailoutbox:
            message = mail.message()
            assert message["Bcc"] is None
            assert "\n" not in mail.subject
            assert "\r" not in mail.subject
            if mail.to != [alice.email]:
                assert mail.subject.startswith("Alice Bcc: eve@example.net M")
            assert message.get_content_type() == "text/plain"
            for bad in ("None", "{{", "{%", "&#x27;", "&amp;", "&lt;", "testserver"):
                assert bad not in mail.body, (bad, mail.subject)
            links = re.findall(r"\b\w+://\S+", mail.body)
            assert links
            assert all(
                link.startswith("https://rapport.example.org/") for link in links
            )
        assert "<b>Hi</b> Bob & co, it's me" in mailoutbox[0].body
        assert "It's <i>us</i>" in mailoutbox[3].body

    def test_the_invitation_link_tells_a_stranger_only_what_the_inviter_typed(
        self, alice, mailoutbox, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            network.email_invitation_send(
                inviter=alice, email="zoe@example.org", name="Zoë", note="Join us"
            )
        (mail,) = mailoutbox
        assert "Alice Martin" in mail.body
        assert "Join us" in mail.body
        for private in (alice.email, alice.headline, "/in/alice/"):
            assert private not in mail.body

    def test_the_unread_email_says_how_often_it_may_come(
        self, alice, bob, mailoutbox, django_capture_on_commit_callbacks, settings
    ):
        settings.RAPPORT_MESSAGES_EMAIL_EVERY_MINUTES = 30
        connect(alice, bob)
        with django_capture_on_commit_callbacks(execute=True):
            send_message(alice, bob)
        (mail,) = mailoutbox
        assert "at most once every 30 minutes for each conversation" in mail.body
        assert "an hour" not in mail.body


@pytest.mark.django_db
class TestAcceptedEmailOnlyWhileConnected:
    """Removing a connection is quiet and a block ends it: an "accepted" email
    still waiting for the worker must not announce a connection gone since."""

    def accepted(self, alice, bob):
        invitation = network.connection_request_send(sender=alice, recipient=bob)
        return network.connection_request_accept(invitation=invitation, member=bob)

    def test_no_accepted_email_once_the_connection_was_removed(
        self, alice, bob, mailoutbox
    ):
        invitation = self.accepted(alice, bob)
        network.connection_remove(member=bob, other=alice)
        assert tasks.send_invitation_accepted_email.call(invitation.pk) is False
        assert mailoutbox == []

    def test_no_accepted_email_once_either_blocked_the_other(
        self, alice, bob, mailoutbox
    ):
        invitation = self.accepted(alice, bob)
        network.block_create(blocker=bob, blocked=alice)
        assert tasks.send_invitation_accepted_email.call(invitation.pk) is False
        assert mailoutbox == []
