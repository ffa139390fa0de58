"""The interface helpers list rows lean on: icons, member URLs, depth meters."""

from types import SimpleNamespace

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.test import Client
from django.urls import NoReverseMatch, reverse, set_script_prefix

from connections.selectors.depth import DepthFacts
from connections.templatetags.ui import (
    depth_meter,
    depth_why,
    icon,
    member_url,
    select_options,
)
from tests.factories import UserFactory, connect

HANDLE_URLS = [
    "connections:profile",
    "connections:connection_edit",
    "connections:thread",
    "connections:remove_connection",
    "connections:block",
]


@pytest.mark.parametrize("name", HANDLE_URLS)
@pytest.mark.parametrize("prefix", ["/", "/rapport/"])
def test_member_url_is_the_url_reverse_gives(name, prefix):
    set_script_prefix(prefix)
    try:
        for handle in ("alice", "bob-2", "zoë"):
            assert member_url(name, handle) == reverse(name, args=[handle])
    finally:
        set_script_prefix("/")


@pytest.mark.parametrize("prefix", ["/", "/rapport/"])
def test_a_members_paths_are_the_urls_reverse_gives(prefix):
    from connections.templatetags.ui import handle_paths

    set_script_prefix(prefix)
    try:
        for handle in ("alice", "bob-2", "zoë", "a b&c"):
            assert handle_paths(handle, *HANDLE_URLS) == [
                reverse(name, args=[handle]) for name in HANDLE_URLS
            ]
    finally:
        set_script_prefix("/")


def test_member_url_refuses_a_url_without_a_handle():
    with pytest.raises(NoReverseMatch):
        member_url("connections:connections", "alice")


def test_depth_meter_names_its_steps_for_screen_readers():
    row = SimpleNamespace(depth_steps=2, depth_label="Occasional")
    assert depth_meter(row) == (
        '<span class="depth-meter" data-steps="2" role="img" '
        'aria-label="Depth of connection: 2 of 5, Occasional" title="Occasional">'
        '<span class="depth-step is-on"></span><span class="depth-step is-on"></span>'
        '<span class="depth-step"></span><span class="depth-step"></span>'
        '<span class="depth-step"></span></span>'
    )


def test_select_options_marks_the_selected_value_and_escapes_labels():
    html = select_options([("", "None"), ("close", "Close <3")], "close")
    assert html == (
        '<option value="">None</option>'
        '<option value="close" selected>Close &lt;3</option>'
    )


def test_select_options_are_written_once_per_choice_and_selection():
    choices = [("", "None"), ("close", "Close")]
    first = select_options(choices, "close")
    assert select_options(list(choices), "close") is first
    assert select_options(choices, "") is not first
    assert 'value="" selected' in select_options(choices, "")
    assert 'value="close" selected' not in select_options(choices, "")


def test_decorative_icons_are_built_once():
    assert icon("x") is icon("x")
    assert 'aria-hidden="true"' in icon("x")
    assert 'aria-label="Close"' in icon("x", label="Close")
    with pytest.raises(TemplateSyntaxError):
        icon("no-such-icon")


def test_tags_render_in_templates():
    template = Template(
        "{% load ui %}{% member_url 'connections:profile' handle as url %}"
        "{{ url }}|{% select_options kinds kind %}"
    )
    html = template.render(
        Context({"handle": "alice", "kinds": [("a", "A"), ("b", "B")], "kind": "b"})
    )
    assert html == (
        '/in/alice/|<option value="a">A</option><option value="b" selected>B</option>'
    )


def why_of(facts):
    other = SimpleNamespace(display_name="Bob Okafor", get_short_name=lambda: "Bob")
    return depth_why(SimpleNamespace(depth_facts=facts, other=other))


def test_depth_why_tells_what_each_side_gave():
    html = why_of(DepthFacts(counts={"comment": 2, "like": 1}, given=1, received=2))
    assert html.startswith(
        '<details class="depth-why"><summary>Why?<span class="visually-hidden"> '
        "Depth of your connection with Bob Okafor</span></summary>"
    )
    assert (
        "<p>2 comments and 1 like in the last 90 days; no interaction yet.</p>" in html
    )
    assert "From you: 1 · from Bob: 2." in html
    assert html.endswith(
        '<p class="muted small">Only you see this.</p></div></details>'
    )


def test_depth_why_without_interactions_says_what_makes_it_grow():
    html = why_of(DepthFacts())
    assert "Messages, comments and likes between you two make it grow" in html
    assert "From you" not in html


def test_depth_why_escapes_names():
    other = SimpleNamespace(display_name="<b>Eve</b>", get_short_name=lambda: "<b>")
    facts = DepthFacts(counts={"like": 1}, given=1)
    html = depth_why(SimpleNamespace(depth_facts=facts, other=other))
    assert "<b>" not in html
    assert "&lt;b&gt;Eve&lt;/b&gt;" in html


def test_the_kinds_of_a_connections_list_are_translated_once():
    from connections.forms import ConnectionKindForm
    from connections.views.network import kind_choices

    choices = kind_choices()
    assert all(type(label) is str for _value, label in choices)
    assert choices == [
        (value, str(label))
        for value, label in ConnectionKindForm().fields["kind"].choices
    ]


def test_a_connection_row_escapes_what_members_wrote(alice, alice_client):
    mallory = UserFactory(
        display_name='<img src=x onerror="alert(1)">', headline='"><script>x</script>'
    )
    connect(alice, mallory)

    page = alice_client.get(reverse("connections:connections")).content.decode()

    assert "<img src=x" not in page
    assert "<script>x</script>" not in page
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page
    assert (
        'aria-label="More actions for &lt;img src=x onerror=&quot;alert(1)&quot;&gt;"'
        in page
    )


def test_a_connection_row_carries_its_actions_with_the_way_back(alice, bob):
    connect(alice, bob)
    client = Client()
    client.force_login(alice)

    page = client.get(reverse("connections:connections") + "?sort=name").content
    page = page.decode()

    back = "?next=/network/connections/%3Fsort%3Dname"
    assert (
        f'href="{reverse("connections:remove_connection", args=["bob"])}{back}"' in page
    )
    assert f'href="{reverse("connections:block", args=["bob"])}{back}"' in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert '<select id="kind-' in page
    assert 'data-connection-row="' in page


# The per-row helpers of My Network write their markup as format_html did,
# byte for byte, hostile values included.
HOSTILE = "<script>alert('x')</script> & \"Tom\" <b>"
HOSTILE_ESCAPED = (
    "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;Tom&quot; &lt;b&gt;"
)


def test_an_avatar_escapes_every_value_as_before():
    from django.utils.safestring import mark_safe

    from connections.templatetags.ui import avatar

    person = SimpleNamespace(pk=13, initials=HOSTILE, avatar_url="")
    assert avatar(person, HOSTILE) == (
        f'<span class="avatar avatar-{HOSTILE_ESCAPED} avatar-c5" aria-hidden="true">'
        f"{HOSTILE_ESCAPED}</span>"
    )
    assert avatar(person, "lg", label=HOSTILE) == (
        '<span class="avatar avatar-lg avatar-c5" role="img" '
        f'aria-label="{HOSTILE_ESCAPED}">{HOSTILE_ESCAPED}</span>'
    )
    photo = SimpleNamespace(pk=None, initials="?", avatar_url=lambda size: HOSTILE)
    assert avatar(photo, "sm", label=mark_safe("<i>kept</i>")) == (
        f'<img class="avatar avatar-sm" src="{HOSTILE_ESCAPED}" alt="<i>kept</i>" '
        'loading="lazy">'
    )
    assert avatar(SimpleNamespace(pk=None, initials="A&B")) == (
        '<span class="avatar avatar-md avatar-c0" aria-hidden="true">A&amp;B</span>'
    )


def test_a_depth_meter_escapes_its_label_as_before():
    html = depth_meter(SimpleNamespace(depth_steps=0, depth_label=HOSTILE))
    assert html == (
        '<span class="depth-meter" data-steps="0" role="img" '
        f'aria-label="Depth of connection: 0 of 5, {HOSTILE_ESCAPED}" '
        f'title="{HOSTILE_ESCAPED}">'
        + '<span class="depth-step"></span>' * 5
        + "</span>"
    )


def test_depth_why_escapes_every_value_as_before():
    other = SimpleNamespace(display_name=HOSTILE, get_short_name=lambda: "O'Neil & co")
    facts = DepthFacts(counts={"like": 1}, given=1, received=0)
    assert depth_why(SimpleNamespace(depth_facts=facts, other=other)) == (
        '<details class="depth-why"><summary>Why?<span class="visually-hidden"> '
        f"Depth of your connection with {HOSTILE_ESCAPED}</span></summary>"
        '<div class="depth-why-body"><p>1 like in the last 90 days; no interaction '
        'yet.</p><p class="muted small">From you: 1 · from O&#x27;Neil &amp; co: 0. '
        "Exchanges both ways count more than one-sided ones; older ones fade by half "
        'every 90 days.</p><p class="muted small">Only you see this.</p></div>'
        "</details>"
    )


def test_a_kind_form_escapes_every_value_as_before():
    from django.template import Context

    from connections.templatetags.network import kind_form

    connection = SimpleNamespace(
        pk=42, kind="a&b", other=SimpleNamespace(handle="bob", display_name=HOSTILE)
    )
    context = Context(
        {
            "here": '/network/connections/?q="x"&sort=<name>',
            "csrf_token": "tok&<en>",
            "kinds": [("", "None"), ("a&b", "<Close>")],
            "saved": True,
        }
    )
    assert kind_form(context, connection) == (
        '<form method="post" action="/network/connections/bob/" '
        'class="kind-form" hx-post="/network/connections/bob/" '
        'hx-trigger="change, submit" hx-swap="outerHTML" data-autosave>\n'
        '<input type="hidden" name="csrfmiddlewaretoken" value="tok&amp;&lt;en&gt;">'
        '<input type="hidden" name="next" '
        'value="/network/connections/?q=&quot;x&quot;&amp;sort=&lt;name&gt;">\n'
        '<label for="kind-42" class="visually-hidden">Kind of connection with '
        f"{HOSTILE_ESCAPED} (only you see it)</label>\n"
        '<select id="kind-42" name="kind" class="kind-select">'
        '<option value="">None</option>'
        '<option value="a&amp;b" selected>&lt;Close&gt;</option></select>\n'
        '<button type="submit" class="btn btn-ghost btn-sm" data-autosave-button>'
        "Save</button>\n"
        '<span class="kind-saved" role="status"><svg class="icon icon-check" '
        'aria-hidden="true" focusable="false"><use href="/static/img/icons.svg#check">'
        '</use></svg><span class="visually-hidden">Saved</span></span>\n'
        "</form>"
    )


def test_the_rows_of_the_connections_list_cost_no_format_html_each(alice):
    """Each row is written with plain formatting: format_html runs the same
    number of times for a page of two rows as for a page of five."""
    from unittest import mock

    from django.utils import html as django_html

    from connections.templatetags import network as network_tags
    from connections.templatetags import ui as ui_tags

    client = Client()
    client.force_login(alice)
    calls = []

    def counting(*args, **kwargs):
        calls.append(args[0])
        return django_html.format_html(*args, **kwargs)

    def count_for_rows(rows):
        while alice.connections.count() < rows:
            connect(alice, UserFactory(headline="Hello"))
        calls.clear()
        with (
            mock.patch.object(ui_tags, "format_html", counting),
            mock.patch.object(network_tags, "format_html", counting),
        ):
            page = client.get(reverse("connections:connections")).content.decode()
        assert page.count("data-connection-row=") == rows
        return len(calls)

    assert count_for_rows(2) == count_for_rows(5)


def test_a_row_of_the_connections_list_quotes_its_handle_once(alice):
    """Five links a row, one member: the handle is quoted once per row."""
    from unittest import mock

    from connections.templatetags import ui as ui_tags

    client = Client()
    client.force_login(alice)

    def quoted_for_rows(rows):
        while alice.connections.count() < rows:
            connect(alice, UserFactory())
        with mock.patch.object(ui_tags, "quote", wraps=ui_tags.quote) as quote:
            page = client.get(reverse("connections:connections")).content.decode()
        assert page.count("data-connection-row=") == rows
        return quote.call_count

    two = quoted_for_rows(2)
    assert quoted_for_rows(5) - two == 3
