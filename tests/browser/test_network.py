"""Journeys through invitations, My Network, blocks and invitations by email."""

import re

import pytest
from playwright.sync_api import expect

from connections.models import Block, Connection, ConnectionRequest
from connections.services import network
from tests.browser.conftest import DESKTOP, PHONE
from tests.factories import UserFactory, connect

pytestmark = pytest.mark.django_db(transaction=True)


def dialog(session):
    return session.page.get_by_role("dialog")


def test_alice_invites_bob_with_a_note_and_bob_accepts(browser_session, alice, bob):
    alice_ui = browser_session()
    alice_ui.sign_in(alice)
    alice_ui.goto("/in/bob/")
    alice_ui.page.get_by_role("link", name="Connect with Bob Okafor").click()
    expect(dialog(alice_ui)).to_be_visible()
    expect(dialog(alice_ui)).to_contain_text("You can send 100 more invitations")
    alice_ui.page.get_by_label("How do you know each other?").select_option("Colleague")
    note = alice_ui.page.get_by_label("Add a note (optional)")
    note.fill("We met at the spring meetup.")
    expect(alice_ui.page.get_by_text("272 / 300")).to_be_visible()
    alice_ui.check_a11y("connect dialog")
    dialog(alice_ui).get_by_role("button", name="Send").click()
    expect(dialog(alice_ui)).to_have_count(0)
    expect(alice_ui.page.get_by_text("Invitation sent to Bob Okafor.")).to_be_visible()
    expect(alice_ui.page.get_by_text("Pending")).to_be_visible()
    expect(
        alice_ui.page.get_by_role("button", name="Withdraw the invitation to Bob")
    ).to_be_visible()
    alice_ui.check_a11y("pending")

    bob_ui = browser_session()
    bob_ui.sign_in(bob)
    expect(bob_ui.page.locator("#nav-badge-network")).to_have_text("1")
    bob_ui.page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="My Network 1 pending invitations"
    ).click()
    bob_ui.arrived("/network/")
    invitation = bob_ui.page.locator(".invitation", has_text="Alice Martin")
    expect(invitation).to_contain_text("We met at the spring meetup.")
    expect(invitation).to_contain_text("Colleague")
    invitation.get_by_role("button", name="Accept Alice Martin").click()
    expect(invitation).to_contain_text("Connected")
    expect(
        bob_ui.page.get_by_text("You are now connected with Alice Martin.")
    ).to_be_visible()
    expect(bob_ui.page.locator("#nav-badge-network")).to_be_hidden()
    bob_ui.check_a11y("after accepting")

    bob_ui.page.get_by_role("link", name=re.compile(r"^Connections")).click()
    bob_ui.arrived("/network/connections/")
    expect(
        bob_ui.page.get_by_role("link", name="Alice Martin", exact=True)
    ).to_be_visible()
    alice_ui.goto("/network/connections/")
    expect(
        alice_ui.page.get_by_role("link", name="Bob Okafor", exact=True)
    ).to_be_visible()
    assert Connection.objects.count() == 2


def test_carol_and_alice_invite_each_other_and_are_connected_once(
    browser_session, alice, carol
):
    alice_ui = browser_session()
    carol_ui = browser_session()
    alice_ui.sign_in(alice)
    carol_ui.sign_in(carol)
    alice_ui.goto("/in/carol/")
    carol_ui.goto("/in/alice/")
    alice_ui.page.get_by_role("link", name="Connect with Carol Nguyen").click()
    carol_ui.page.get_by_role("link", name="Connect with Alice Martin").click()
    expect(dialog(alice_ui)).to_be_visible()
    expect(dialog(carol_ui)).to_be_visible()
    dialog(alice_ui).get_by_role("button", name="Send").click()
    expect(
        alice_ui.page.get_by_text("Invitation sent to Carol Nguyen.")
    ).to_be_visible()
    dialog(carol_ui).get_by_role("button", name="Send").click()
    expect(
        carol_ui.page.get_by_text("You are now connected with Alice Martin.")
    ).to_be_visible()
    expect(
        carol_ui.page.get_by_role("link", name="Message Alice Martin")
    ).to_be_visible()
    carol_ui.check_a11y("connected")
    alice_ui.goto("/in/carol/")
    expect(
        alice_ui.page.get_by_role("link", name="Message Carol Nguyen")
    ).to_be_visible()
    assert Connection.objects.count() == 2
    assert list(ConnectionRequest.objects.values_list("status", flat=True)) == [
        "accepted"
    ]


def test_alice_withdraws_an_invitation(ui, alice, bob):
    network.connection_request_send(sender=alice, recipient=bob, note="Hello!")
    ui.sign_in(alice)
    ui.goto("/network/invitations/sent/")
    row = ui.page.locator(".invitation-item", has_text="Bob Okafor")
    expect(row).to_contain_text("Hello!")
    row.get_by_role("button", name="Withdraw the invitation to Bob Okafor").click()
    expect(row).to_contain_text("Withdrawn")
    expect(ui.page.get_by_text("Invitation to Bob Okafor withdrawn.")).to_be_visible()
    ui.check_a11y("withdrawn")
    ui.goto("/in/bob/")
    expect(ui.page.get_by_text(re.compile("You can invite again on"))).to_be_visible()
    assert not ConnectionRequest.objects.filter(status="pending").exists()


def test_bob_blocks_dave_and_dave_gets_a_404(browser_session, bob, dave):
    connect(bob, dave)
    bob_ui = browser_session()
    bob_ui.sign_in(bob)
    bob_ui.goto("/in/dave/")
    bob_ui.page.get_by_label("More actions").click()
    bob_ui.page.get_by_role("link", name="Block").click()
    expect(dialog(bob_ui)).to_contain_text("Your connection ends.")
    bob_ui.check_a11y("block dialog")
    dialog(bob_ui).get_by_role("button", name="Block").click()
    bob_ui.arrived("/network/")
    expect(bob_ui.page.get_by_text("You blocked Dave Fischer.")).to_be_visible()
    assert Block.objects.filter(blocker=bob, blocked=dave).exists()
    assert not Connection.objects.exists()

    dave_ui = browser_session()
    dave_ui.sign_in(dave)
    response = dave_ui.page.goto(dave_ui.url("/in/bob/"))
    dave_ui.arrived()
    assert response.status == 404
    expect(dave_ui.page.get_by_text("This page isn")).to_be_visible()

    bob_ui.goto("/settings/blocked/")
    bob_ui.page.get_by_role("button", name="Unblock Dave Fischer").click()
    expect(bob_ui.page.get_by_text("You unblocked Dave Fischer.")).to_be_visible()
    bob_ui.check_a11y("unblocked")
    assert not Block.objects.exists()


def test_everything_works_without_javascript(browser, live_server, alice, bob):
    context = browser.new_context(java_script_enabled=False, viewport=DESKTOP)
    page = context.new_page()
    try:
        page.goto(live_server.url + "/accounts/login/")
        page.get_by_label("Email").fill(alice.email)
        page.get_by_label("Password").fill("correct-horse-battery")
        page.get_by_role("button", name="Sign in").click()
        page.goto(live_server.url + "/in/bob/")
        page.get_by_role("link", name="Connect with Bob Okafor").click()
        expect(
            page.get_by_role("heading", name="Connect with Bob Okafor")
        ).to_be_visible()
        page.get_by_label("Add a note (optional)").fill("No script needed")
        page.get_by_role("button", name="Send").click()
        expect(page).to_have_url(live_server.url + "/in/bob/")
        expect(page.get_by_text("Invitation sent to Bob Okafor.")).to_be_visible()
        page.get_by_role("button", name="Withdraw the invitation to Bob Okafor").click()
        expect(page.get_by_text("Invitation to Bob Okafor withdrawn.")).to_be_visible()
        connect(alice, bob)
        page.goto(live_server.url + "/network/connections/")
        page.get_by_label("Kind of connection with Bob Okafor").select_option("Close")
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_text("Saved: Bob Okafor is now “Close”.")).to_be_visible()
    finally:
        context.close()
    assert Connection.objects.get(member=alice).kind == "close"


def test_connections_are_searched_sorted_and_kinds_saved_inline(ui, alice):
    people = [
        UserFactory(display_name=name, headline=headline)
        for name, headline in [
            ("Zara Quinn", "Designer"),
            ("Yusuf Ahmed", "Engineer"),
            ("Amélie Dubois", "Teacher"),
        ]
    ]
    for person in people:
        connect(alice, person)
    ui.sign_in(alice)
    ui.goto("/network/connections/")
    names = ui.page.locator(".connection-row .item-title")
    expect(names).to_have_text(["Amélie Dubois", "Yusuf Ahmed", "Zara Quinn"])
    ui.page.get_by_label("Sort by").select_option("Name")
    expect(names).to_have_text(["Amélie Dubois", "Yusuf Ahmed", "Zara Quinn"])
    expect(ui.page).to_have_url(re.compile(r"sort=name"))
    ui.page.get_by_label("Search your connections").fill("engineer")
    expect(names).to_have_text(["Yusuf Ahmed"])
    ui.page.get_by_label("Kind of connection with Yusuf Ahmed").select_option(
        "Professional"
    )
    expect(ui.page.get_by_role("status").filter(has_text="Saved")).to_have_count(1)
    ui.check_a11y("kind saved")
    assert Connection.objects.get(member=alice, other=people[1]).kind == "professional"


def test_remove_a_connection_quietly(ui, alice, bob):
    connect(alice, bob)
    ui.sign_in(alice)
    ui.goto("/network/connections/")
    ui.page.get_by_label("More actions for Bob Okafor").click()
    ui.page.get_by_role("link", name="Remove connection").click()
    expect(dialog(ui)).to_contain_text("Bob Okafor won't be told.")
    dialog(ui).get_by_role("button", name="Remove connection").click()
    expect(dialog(ui)).to_contain_text("You are no longer connected with Bob Okafor.")
    expect(ui.page.locator(".connection-row")).to_have_count(0)
    ui.check_a11y("removed")
    dialog(ui).get_by_role("link", name="Done").click()
    expect(dialog(ui)).to_have_count(0)
    assert not Connection.objects.exists()


def test_keep_a_removed_connection_as_a_contact(ui, alice, bob):
    connect(alice, bob)
    ui.sign_in(alice)
    ui.goto("/in/bob/")
    ui.page.get_by_label("More actions").click()
    ui.page.get_by_role("link", name="Remove connection").click()
    dialog(ui).get_by_role("button", name="Remove connection").click()
    expect(ui.page.get_by_role("link", name="Message Bob Okafor")).to_have_count(0)
    expect(ui.page.get_by_role("link", name="Connect with Bob Okafor")).to_be_visible()
    dialog(ui).get_by_role("button", name="Keep Bob as a contact").click()
    ui.arrived(re.compile(r".*/contacts/\d+/$"))
    expect(
        ui.page.get_by_text("Bob Okafor was saved to your contacts.")
    ).to_be_visible()


def test_invite_by_email_and_join_through_the_link(browser_session, alice, mailoutbox):
    alice_ui = browser_session()
    alice_ui.sign_in(alice)
    alice_ui.goto("/network/")
    alice_ui.page.get_by_role("link", name="Invite by email").first.click()
    alice_ui.arrived("/network/invite/")
    alice_ui.page.get_by_label("Their email address").fill("zoe@example.org")
    alice_ui.page.get_by_label("Their name (optional)").fill("Zoë")
    alice_ui.page.get_by_role("button", name="Send").click()
    alice_ui.arrived("/network/invite/")
    expect(
        alice_ui.page.get_by_text("Invitation sent to zoe@example.org.")
    ).to_be_visible()
    link = re.search(r"http://\S+(/join/\S+/)", mailoutbox[-1].body).group(1)

    zoe_ui = browser_session(viewport=PHONE)
    zoe_ui.goto(link)
    expect(
        zoe_ui.page.get_by_role("heading", name="Alice Martin invites you to connect")
    ).to_be_visible()
    zoe_ui.page.get_by_role("link", name="Create your account").click()
    zoe_ui.arrived("/accounts/signup/")
    zoe_ui.page.get_by_label("Your name").fill("Zoë Martin")
    zoe_ui.page.get_by_label("Email").fill("zoe.martin@example.net")
    zoe_ui.page.get_by_label("Password", exact=True).fill("a-long-passphrase-42")
    zoe_ui.page.get_by_label("Password (again)").fill("a-long-passphrase-42")
    zoe_ui.page.get_by_role("button", name="Sign up").click()
    zoe_ui.arrived("/accounts/confirm-email/")
    confirm = re.search(
        r"http://\S+(/accounts/confirm-email/\S+/)", mailoutbox[-1].body
    )
    zoe_ui.goto(confirm.group(1))
    zoe_ui.page.get_by_role("button", name="Confirm").click()
    zoe_ui.arrived("/")
    zoe_ui.goto("/network/")
    invitation = zoe_ui.page.locator(".invitation", has_text="Alice Martin")
    invitation.get_by_role("button", name="Accept Alice Martin").click()
    expect(invitation).to_contain_text("Connected")
    zoe_ui.check_a11y("joined and connected")
    assert Connection.objects.count() == 2


def test_stop_an_email_from_its_link_without_signing_in(ui, alice, bob, mailoutbox):
    from connections.services.network import connection_request_send

    connection_request_send(sender=alice, recipient=bob)
    link = re.search(
        r"http://\S+(/settings/notifications/stop/\S+/)", mailoutbox[-1].body
    )
    ui.goto(link.group(1))
    expect(ui.page.get_by_role("heading", name="Stop these emails?")).to_be_visible()
    ui.page.get_by_role("button", name="Stop these emails").click()
    ui.arrived(link.group(1))
    expect(ui.page.get_by_role("heading", name="Emails stopped")).to_be_visible()
    assert not bob.notification_settings.invitation_received


def test_someone_invited_by_email_stops_invitation_emails_on_a_phone(
    browser_session, alice, mailoutbox, django_capture_on_commit_callbacks
):
    from connections.selectors.network import address_opted_out
    from connections.services.network import email_invitation_send

    email = "zoe.with-a-rather-long-address@mail.example-organisation.org"
    with django_capture_on_commit_callbacks(execute=True):
        email_invitation_send(inviter=alice, email=email)
    link = re.search(r"http://\S+(/join/stop/\S+/)", mailoutbox[-1].body).group(1)
    zoe_ui = browser_session(viewport=PHONE)
    zoe_ui.goto(link)
    expect(
        zoe_ui.page.get_by_role("heading", name="Stop invitation emails?")
    ).to_be_visible()
    zoe_ui.page.get_by_role("button", name=f"Stop invitation emails to {email}").click()
    zoe_ui.arrived(link)
    expect(
        zoe_ui.page.get_by_role("heading", name="Invitation emails stopped")
    ).to_be_visible()
    assert address_opted_out(email)


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize(
    ("device", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)]
)
def test_network_pages_look_right(
    browser_session, alice, bob, carol, dave, theme, device, viewport
):
    friends = UserFactory.create_batch(4)
    for friend in friends:
        connect(alice, friend)
        connect(bob, friend)
    connect(alice, carol)
    network.connection_update(member=alice, other=carol, kind="close")
    network.connection_request_send(
        sender=dave,
        recipient=alice,
        note="We met at the design meetup — would love to stay in touch!",
        how_we_met="event",
    )
    network.connection_request_send(sender=UserFactory(), recipient=alice)
    ui = browser_session(viewport=viewport, color_scheme=theme)
    ui.sign_in(alice)
    ui.goto("/in/bob/")
    ui.screenshot(f"network-profile-{device}-{theme}")
    ui.page.get_by_role("link", name="Connect with Bob Okafor").click()
    expect(dialog(ui)).to_be_visible()
    ui.page.get_by_label("Add a note (optional)").fill("Hi Bob, we share four friends!")
    ui.check_a11y("connect dialog")
    ui.screenshot(f"network-connect-dialog-{device}-{theme}", full_page=False)
    ui.goto("/network/")
    ui.screenshot(f"network-my-network-{device}-{theme}")
    ui.goto("/network/connections/")
    ui.screenshot(f"network-connections-{device}-{theme}")
    ui.goto("/in/carol/")
    ui.page.get_by_label("More actions").click()
    ui.check_a11y("more menu")
    ui.screenshot(f"network-profile-connected-{device}-{theme}", full_page=False)


MESSAGE_LOOK = """element => {
  const style = getComputedStyle(element);
  return [style.backgroundColor, style.color, style.borderTopColor,
          style.borderTopWidth, style.borderRadius, style.fontWeight];
}"""


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_message_looks_the_same_wherever_it_is_offered(
    browser_session, alice, bob, theme
):
    from datetime import timedelta

    from django.utils import timezone

    connect(alice, bob, created=timezone.now() - timedelta(days=400))
    Connection.objects.filter(member=alice, other=bob).update(
        kind="close", keep_in_touch_weeks=4, keep_in_touch_due=timezone.now()
    )
    ui = browser_session(color_scheme=theme)
    ui.sign_in(alice)
    looks = {}
    for path in [
        "/",
        "/in/bob/",
        "/network/connections/",
        "/network/losing-touch/",
        "/network/search/?q=bob",
    ]:
        ui.goto(path)
        message = ui.page.get_by_role("link", name="Message Bob Okafor")
        expect(message).to_be_visible()
        looks[path] = tuple(message.evaluate(MESSAGE_LOOK))
    # One kind of button, the quiet one, whatever the page.
    assert len(set(looks.values())) == 1, looks
    expect(ui.page.get_by_role("link", name="Message Bob Okafor")).to_have_class(
        re.compile(r"\bbtn-secondary\b")
    )


@pytest.mark.parametrize(
    ("device", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)]
)
def test_the_focus_ring_of_my_networks_sections_is_whole(
    browser_session, alice, device, viewport
):
    ui = browser_session(viewport=viewport)
    ui.sign_in(alice)
    ui.goto("/network/")
    sections = ui.page.get_by_role("navigation", name="My Network sections")
    for link in sections.get_by_role("link").all():
        ui.assert_focus_ring_whole(link)


def test_search_results_on_a_phone_show_whole_names_and_every_button(
    browser_session, alice
):
    long_name = UserFactory(
        display_name="Brigitte Kleinschmidt-Hohenberg",
        headline="Koreanistiker at the Institute of East Asian Studies",
    )
    inviter = UserFactory(display_name="Lena Schmidt")
    network.connection_request_send(sender=inviter, recipient=alice)
    invited = UserFactory(display_name="Lars Schmidt")
    network.connection_request_send(sender=alice, recipient=invited)
    ui = browser_session(viewport=PHONE)
    ui.sign_in(alice)
    ui.goto("/network/search/?q=s")
    results = ui.page.locator(".member-results > .item")
    expect(results).to_have_count(3)
    for index in range(3):
        row = results.nth(index)
        title = row.locator(".item-title")
        assert not title.evaluate("cell => cell.scrollWidth > cell.clientWidth")
        for button in row.locator(".item-actions a, .item-actions button").all():
            box = button.bounding_box()
            assert box["x"] >= 0
            assert box["x"] + box["width"] <= PHONE["width"]
    person = results.filter(has_text=long_name.display_name)
    expect(
        person.get_by_role("link", name=long_name.display_name, exact=True)
    ).to_be_visible()
    lena = results.filter(has_text="Lena Schmidt")
    expect(lena.get_by_role("button", name=re.compile("^Accept"))).to_be_visible()
    expect(lena.get_by_role("button", name=re.compile("^Ignore"))).to_be_visible()
    ui.check_a11y("search on a phone")
    ui.screenshot("network-search-phone")
