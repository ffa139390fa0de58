"""The interface helpers list rows lean on: icons, member URLs, depth meters."""

from types import SimpleNamespace

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.urls import NoReverseMatch, reverse, set_script_prefix

from connections.templatetags.ui import (
    depth_meter,
    icon,
    member_url,
    select_options,
)

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
