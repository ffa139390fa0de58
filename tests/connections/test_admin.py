"""Staff see the network in the admin; changes still go through the services."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from connections.models import Block, Connection, ConnectionRequest, SendingPause
from connections.services import network
from contacts.perf import plans
from tests.conftest import staff_client
from tests.factories import UserFactory, connect

pytestmark = pytest.mark.django_db

FULL_SORT = re.compile(r"^\s*(->\s+)?Sort\s+\(")


@pytest.fixture
def admin(db):
    return staff_client(
        UserFactory(email="root@example.com", is_staff=True, is_superuser=True)
    )


def fill(size):
    people = UserFactory.create_batch(size + 1)
    hub = people.pop()
    for person in people:
        connect(hub, person)
        network.connection_request_send(sender=person, recipient=UserFactory())
        network.block_create(blocker=person, blocked=UserFactory())
    for person in people[:3]:
        for _ in range(3):
            invitation = network.connection_request_send(
                sender=person, recipient=UserFactory()
            )
            network.connection_request_decline_unknown(
                invitation=invitation, member=invitation.recipient
            )
    network.email_invitation_send(inviter=hub, email="zoe@example.org")
    return hub


@pytest.mark.parametrize(
    "url",
    [
        "/admin/connections/connectionrequest/",
        "/admin/connections/connection/",
        "/admin/connections/block/",
        "/admin/connections/sendingpause/",
        "/admin/connections/emailinvitation/",
        "/admin/connections/user/",
        "/admin/connections/connectionrequest/?status__exact=pending&q=example",
        "/admin/connections/sendingpause/?state=active",
    ],
)
@pytest.mark.parametrize("size", [2, 30])
def test_list_pages_cost_the_same_whatever_their_size(
    admin, url, size, django_assert_max_num_queries
):
    fill(size)
    with django_assert_max_num_queries(10):
        response = admin.get(url)
    assert response.status_code == 200


def test_staff_cannot_add_or_edit_network_rows(admin):
    for model in ("connectionrequest", "connection", "block", "sendingpause"):
        assert admin.get(f"/admin/connections/{model}/add/").status_code == 403


@pytest.mark.parametrize("model", ["connection", "block"])
def test_staff_cannot_delete_connections_or_blocks_in_the_admin(
    admin, alice, bob, model
):
    connect(alice, bob)
    network.block_create(blocker=alice, blocked=bob)
    connect(alice, UserFactory())
    row = (Connection if model == "connection" else Block).objects.first()
    base = f"/admin/connections/{model}/"
    assert admin.get(f"{base}{row.pk}/delete/").status_code == 403
    assert admin.post(f"{base}{row.pk}/delete/", {"post": "yes"}).status_code == 403
    listing = admin.get(base).content.decode()
    assert "delete_selected" not in listing
    admin.post(
        base,
        {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"},
    )
    assert Block.objects.filter(blocker=alice, blocked=bob).exists()
    assert Connection.objects.count() == 2
    assert admin.get(f"{base}{row.pk}/change/").status_code == 200  # to read


def test_staff_see_and_lift_pauses(admin, alice):
    for _ in range(3):
        invitation = network.connection_request_send(
            sender=alice, recipient=UserFactory()
        )
        network.connection_request_decline_unknown(
            invitation=invitation, member=invitation.recipient
        )
    pause = SendingPause.objects.get()
    listing = admin.get("/admin/connections/sendingpause/?state=active")
    assert "Alice Martin" in listing.content.decode()
    step = admin.post(
        "/admin/connections/sendingpause/",
        {"action": "lift_pauses_action", "_selected_action": [pause.pk]},
    )
    assert "Reason" in step.content.decode()
    pause.refresh_from_db()
    assert pause.lifted is None
    admin.post(
        "/admin/connections/sendingpause/",
        {
            "action": "lift_pauses_action",
            "_selected_action": [pause.pk],
            "apply": "1",
            "reason": "She knows them all from the club",
        },
    )
    pause.refresh_from_db()
    assert pause.lifted is not None
    assert pause.lifted_by.email == "root@example.com"
    assert (
        "Alice Martin"
        not in admin.get(
            "/admin/connections/sendingpause/?state=active"
        ).content.decode()
    )


def test_requests_are_searchable_by_member(admin, alice, bob, carol):
    network.connection_request_send(sender=alice, recipient=bob)
    network.connection_request_send(sender=carol, recipient=UserFactory())
    html = admin.get("/admin/connections/connectionrequest/?q=okafor").content.decode()
    assert "Alice Martin" in html
    assert "Carol Nguyen" not in html
    assert ConnectionRequest.objects.count() == 2


def test_member_autocomplete_answers(admin, alice):
    response = admin.get(
        "/admin/autocomplete/",
        {
            "term": "alice",
            "app_label": "connections",
            "model_name": "connectionrequest",
            "field_name": "sender",
        },
    )
    assert response.status_code == 200
    assert "Alice Martin" in response.content.decode()


@pytest.mark.parametrize(
    ("url", "table"),
    [
        ("/admin/connections/connection/", "connections_connection"),
        ("/admin/connections/connection/?kind__exact=close", "connections_connection"),
        ("/admin/connections/connectionrequest/", "connections_connectionrequest"),
        (
            "/admin/connections/connectionrequest/?status__exact=pending",
            "connections_connectionrequest",
        ),
        ("/admin/connections/block/", "connections_block"),
        ("/admin/connections/user/", "connections_user"),
    ],
)
def test_big_lists_read_an_index_in_order(admin, url, table):
    """The page of a big table is a range of an index, never a scan and a sort."""
    fill(3)
    with CaptureQueriesContext(connection) as captured:
        assert admin.get(url).status_code == 200
    listed = [
        query["sql"]
        for query in captured
        if query["sql"].startswith("SELECT")
        and f'FROM "{table}"' in query["sql"]
        and "ORDER BY" in query["sql"]
    ]
    assert listed
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Tiny test tables are cheaper to scan; ask what an index can do.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
        for sql in listed:
            plan = plans.explain(sql)
            assert table not in plans.full_scans(plan, sql, connection.vendor), plan
            assert not any("TEMP B-TREE FOR ORDER BY" in line for line in plan), plan
            # A whole sort; an incremental sort within an index's order is fine.
            assert not any(FULL_SORT.search(line) for line in plan), plan


def test_big_lists_cannot_be_sorted_by_their_columns(admin):
    fill(2)
    response = admin.get("/admin/connections/connection/?o=1.-4")
    assert response.status_code == 200
    ordered = response.context["cl"].result_list.query.order_by
    assert ordered == ("member_id", "-created", "-id")


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("alice@example.com", True),
        ("  ALICE@Example.COM ", True),
        ("alice", True),
        ("@alice", True),
        ("Alice Martin", True),
        ("mar ali", True),
        ("martín", True),
        ("designer", True),
        ("lice", False),  # words are found by their start, not their middle
        ("alice@example.org", False),
        ("alice martin zzz", False),
    ],
)
def test_member_search_finds_by_email_handle_or_name(admin, alice, bob, typed, found):
    listed = admin.get("/admin/connections/user/", {"q": typed}).context["cl"]
    members = list(listed.result_list)
    assert (alice in members) is found
    assert bob not in members


def test_member_search_reads_indexes_not_every_member(admin, alice):
    UserFactory.create_batch(3)
    for typed in ("alice@example.com", "alice", "ali mar"):
        with CaptureQueriesContext(connection) as captured:
            admin.get("/admin/connections/user/", {"q": typed})
        listed = [q["sql"] for q in captured if "ORDER BY" in q["sql"]]
        assert listed
        for sql in listed:
            if connection.vendor == "sqlite":
                scanned = plans.full_scans(plans.explain(sql), sql, "sqlite")
                assert "connections_user" not in scanned
            assert "LIKE" not in sql.upper()


def test_lists_about_members_search_them_the_same_way(admin, alice, bob, carol):
    connect(alice, bob)
    network.block_create(blocker=carol, blocked=bob)
    by_email = admin.get("/admin/connections/connection/", {"q": "alice@example.com"})
    assert [row.other for row in by_email.context["cl"].result_list] == [bob]
    blocks = admin.get("/admin/connections/block/", {"q": "okafor"}).context["cl"]
    assert [row.blocker for row in blocks.result_list] == [carol]
    assert (
        not admin.get("/admin/connections/block/", {"q": "alice"})
        .context["cl"]
        .result_list
    )


def test_staff_cannot_switch_a_member_off_without_a_reason(admin, alice):
    # Taking a member off goes through Suspend (a reason, an audit record) or
    # their own Close account; the member form only shows whether they are on.
    url = f"/admin/connections/user/{alice.pk}/change/"
    page = admin.get(url).content.decode()
    assert 'name="is_active"' not in page
    # The history lists below the form (read-only) send their counts back.
    counts = dict(
        re.findall(r'name="([\w-]+-(?:TOTAL|INITIAL)_FORMS)" value="(\d+)"', page)
    )
    saved = admin.post(
        url,
        {
            **counts,
            "email": alice.email,
            "display_name": alice.display_name,
            "handle": alice.handle,
            "headline": "Edited by staff",
            # What a crafted form would send to switch her off.
            "is_active": "",
        },
    )
    assert saved.status_code == 302
    alice.refresh_from_db()
    assert alice.headline == "Edited by staff"
    assert alice.is_active


@pytest.mark.parametrize("page", ["change", "delete"])
def test_an_empty_to_field_in_the_address_is_read_as_none(admin, alice, page):
    # Django looked for a field named "": every change and delete page was a
    # server error with `?_to_field=` in its address.
    url = f"/admin/connections/user/{alice.pk}/{page}/"
    assert admin.get(url + "?_to_field=").status_code == 200
    assert admin.get(url + "?_to_field=email&_to_field=").status_code == 200
    assert admin.get(url + "?_to_field=password").status_code == 400


def test_an_empty_to_field_in_a_form_is_read_as_none(admin, alice):
    url = f"/admin/connections/user/{alice.pk}/delete/"
    response = admin.post(url, {"_to_field": ""})
    assert response.status_code == 200
    assert "Are you sure" in response.content.decode()
