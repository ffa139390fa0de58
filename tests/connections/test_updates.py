"""Updates: who sees them, posting, editing, deleting, comments, likes, Home."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from connections.models import Comment, FeedEntry, Like, Update
from connections.selectors.updates import feed_for, updates_by, updates_visible_to
from connections.services import network as network_services
from connections.services.updates import (
    comment_post,
    like_toggle,
    update_delete,
    update_edit,
    update_post,
)
from tests.conftest import HTMX, signed_in_client
from tests.factories import (
    BlockFactory,
    CommentFactory,
    ConnectionRequestFactory,
    ProfileFactory,
    UpdateFactory,
    UserFactory,
    connect,
)

# Session, member, navigation badges, the feed page, the reminders, plus the
# suggestions when the feed is empty.
HOME_BUDGET = 8


def update_cards(html: str) -> str:
    """The update cards of a page (the header names the member signed in)."""
    return "".join(
        re.findall(r'<article class="card update-card".*?</article>', html, re.S)
    )


def visible_ids(viewer):
    return set(updates_visible_to(viewer=viewer).values_list("pk", flat=True))


@pytest.fixture
def posts(alice):
    return {
        "connections": UpdateFactory(author=alice, audience="connections"),
        "public": UpdateFactory(author=alice, audience="public"),
    }


class TestVisibility:
    """Every viewer relation against both audiences."""

    def test_author_sees_both(self, alice, posts):
        assert visible_ids(alice) == {p.pk for p in posts.values()}

    def test_connection_sees_both(self, alice, bob, posts):
        connect(alice, bob)
        assert visible_ids(bob) == {p.pk for p in posts.values()}

    def test_member_not_connected_sees_public_only(self, carol, posts):
        assert visible_ids(carol) == {posts["public"].pk}

    @pytest.mark.parametrize("direction", ["sent", "received"])
    def test_pending_invitation_is_not_a_connection(
        self, alice, carol, posts, direction
    ):
        if direction == "sent":
            ConnectionRequestFactory(sender=alice, recipient=carol)
        else:
            ConnectionRequestFactory(sender=carol, recipient=alice)
        assert visible_ids(carol) == {posts["public"].pk}

    def test_signed_out_visitor_sees_public_only(self, posts):
        from django.contrib.auth.models import AnonymousUser

        assert visible_ids(AnonymousUser()) == {posts["public"].pk}

    @pytest.mark.parametrize("who_blocks", ["author", "viewer"])
    def test_blocked_either_way_sees_nothing(self, alice, carol, posts, who_blocks):
        if who_blocks == "author":
            BlockFactory(blocker=alice, blocked=carol)
        else:
            BlockFactory(blocker=carol, blocked=alice)
        assert visible_ids(carol) == set()
        assert visible_ids(alice) == {p.pk for p in posts.values()}

    def test_hidden_author_is_seen_by_nobody(self, alice, bob, posts):
        connect(alice, bob)
        alice.is_active = False
        alice.save(update_fields=["is_active"])
        assert visible_ids(bob) == set()

    def test_removed_connection_no_longer_sees_connections_updates(
        self, alice, bob, posts
    ):
        connect(alice, bob)
        network_services.connection_remove(member=bob, other=alice)
        assert visible_ids(bob) == {posts["public"].pk}
        assert feed_for(member=bob).items == []

    def test_profile_list_follows_the_same_rule(self, alice, bob, carol, posts):
        connect(alice, bob)
        assert len(updates_by(author=alice, viewer=bob)) == 2
        assert [u.pk for u in updates_by(author=alice, viewer=carol)] == [
            posts["public"].pk
        ]


class TestPages:
    def test_stranger_gets_404_for_connections_update_and_its_parts(
        self, carol_client, posts
    ):
        pk = posts["connections"].pk
        assert carol_client.get(f"/updates/{pk}/").status_code == 404
        assert carol_client.get(f"/updates/{pk}/comments/", **HTMX).status_code == 404
        response = carol_client.post(f"/updates/{pk}/comments/", {"text": "Hi"})
        assert response.status_code == 404
        assert carol_client.post(f"/updates/{pk}/like/").status_code == 404
        assert not Comment.objects.exists()
        assert not Like.objects.exists()

    def test_public_update_opens_signed_out(self, client, posts):
        response = client.get(f"/updates/{posts['public'].pk}/")
        assert response.status_code == 200
        html = response.content.decode()
        assert posts["public"].text in html
        # No box to type a comment into that signing in would lose.
        assert 'class="comment-form"' not in html
        pk = posts["public"].pk
        assert f'href="/accounts/login/?next=/updates/{pk}/%23comments"' in html
        assert client.get(f"/updates/{posts['connections'].pk}/").status_code == 404

    def test_comments_of_connections_update_are_not_shown_to_strangers(
        self, alice, bob, carol_client, posts
    ):
        connect(alice, bob)
        CommentFactory(update=posts["connections"], author=bob, text="Private hello")
        CommentFactory(update=posts["public"], author=bob, text="Public hello")
        response = carol_client.get(f"/updates/{posts['public'].pk}/")
        assert "Public hello" in response.content.decode()
        assert "Private hello" not in carol_client.get("/").content.decode()

    def test_comment_by_a_blocked_member_is_hidden_from_the_blocker(
        self, alice, bob, carol, carol_client, posts
    ):
        CommentFactory(update=posts["public"], author=bob, text="From bob")
        BlockFactory(blocker=carol, blocked=bob)
        response = carol_client.get(f"/updates/{posts['public'].pk}/")
        assert "From bob" not in response.content.decode()

    def test_likes_are_counted_as_comments_are_listed(
        self, alice, alice_client, bob, carol, carol_client, dave, posts
    ):
        update = posts["public"]
        erin, frank, gina = UserFactory.create_batch(3)
        for member in (bob, dave, erin, frank, gina):
            Like.objects.create(update=update, member=member)
            CommentFactory(update=update, author=member)
        BlockFactory(blocker=carol, blocked=bob)
        BlockFactory(blocker=dave, blocked=carol)
        BlockFactory(blocker=alice, blocked=gina)
        erin.suspended_until = timezone.now() + timedelta(days=3)
        erin.save(update_fields=["suspended_until"])
        frank.is_active = False
        frank.save(update_fields=["is_active"])
        # Carol sees Gina's; Alice sees Bob's and Dave's: one like, two likes.
        for viewer, client, count in (
            (carol, carol_client, 1),
            (alice, alice_client, 2),
        ):
            shown = updates_by(author=alice, viewer=viewer).items
            card = next(row for row in shown if row.pk == update.pk)
            assert (card.like_count, card.comment_count) == (count, count)
            html = client.get(f"/updates/{update.pk}/").content.decode()
            assert f"{count} like" in html
            assert f"{count + 1} like" not in html
        # Liking answers with the same count.
        response = carol_client.post(
            f"/updates/{update.pk}/like/", {"like": "1"}, **HTMX
        )
        assert "2 likes" in response.content.decode()

    def test_post_without_javascript(self, alice, alice_client):
        response = alice_client.post(
            "/updates/", {"text": "  Hello world  ", "audience": "public"}
        )
        assert response.status_code == 302
        update = Update.objects.get()
        assert (update.text, update.audience) == ("Hello world", "public")
        assert "Hello world" in alice_client.get("/").content.decode()

    def test_post_with_htmx_returns_a_fresh_composer_and_the_card(
        self, alice, alice_client
    ):
        response = alice_client.post(
            "/updates/", {"text": "Hi", "audience": "connections"}, **HTMX
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert 'id="composer"' in html
        assert 'hx-swap-oob="afterbegin:#feed-list"' in html
        assert "Hi</div>" in html

    def test_posting_with_htmx_shows_the_new_card_without_counting(
        self, alice, alice_client
    ):
        alice.display_name = "Alice Martin"
        alice.save()
        ProfileFactory(member=alice, name_audience="members")
        with CaptureQueriesContext(connection) as captured:
            response = alice_client.post(
                "/updates/", {"text": "Hi", "audience": "public"}, **HTMX
            )
        assert response.status_code == 200
        cards = update_cards(response.content.decode())
        assert "Alice Martin" in cards
        assert '<span class="visually-hidden">0 likes</span>' in cards
        assert 'aria-pressed="false"' in cards
        # A new update has no likes or comments to count, and its author
        # sees it: no query reads them, nor blocks.
        sql = " ".join(query["sql"] for query in captured)
        assert "connections_like" not in sql
        assert "connections_block" not in sql

    def test_posting_twice_with_htmx_shows_the_first_update_as_it_is_now(
        self, alice, bob, alice_client
    ):
        connect(alice, bob)
        data = {"text": "Once", "audience": "connections"}
        alice_client.post("/updates/", data)
        like_toggle(update=Update.objects.get(), member=bob, like=True)
        response = alice_client.post("/updates/", data, **HTMX)
        assert response.status_code == 200
        cards = update_cards(response.content.decode())
        assert '<span class="visually-hidden">1 like</span>' in cards
        assert Update.objects.count() == 1

    @pytest.mark.parametrize("htmx", [False, True])
    def test_too_long_update_keeps_what_was_typed(self, alice_client, htmx):
        text = "word " * 700
        extra = HTMX if htmx else {}
        response = alice_client.post(
            "/updates/", {"text": text, "audience": "connections"}, **extra
        )
        html = response.content.decode()
        assert response.status_code == 422
        assert "at most 3000 characters" in html
        assert text.strip()[:200] in html
        assert not Update.objects.exists()

    def test_line_breaks_count_once_as_the_box_counted_them(
        self, alice, bob, alice_client
    ):
        # Browsers send each line break as CRLF: ten paragraphs filling the
        # box to 2,999 characters arrive as 3,008.
        paragraphs = ["x" * 299] * 10
        text = "\r\n".join(paragraphs)
        response = alice_client.post("/updates/", {"text": text, "audience": "public"})
        assert response.status_code == 302
        update = Update.objects.get()
        assert update.text == "\n".join(paragraphs)
        comment = "\r\n".join(["y" * 249] * 5)  # 1,249 in the box
        signed_in_client(bob).post(f"/updates/{update.pk}/comments/", {"text": comment})
        assert Comment.objects.get().text == comment.replace("\r\n", "\n")
        edited = "\r\n".join(["z" * 299] * 10)
        response = alice_client.post(
            f"/updates/{update.pk}/edit/", {"text": edited, "audience": "public"}
        )
        assert response.status_code == 302
        assert Update.objects.get().text == edited.replace("\r\n", "\n")

    def test_empty_update_is_refused(self, alice_client):
        response = alice_client.post("/updates/", {"text": "   "}, **HTMX)
        assert response.status_code == 422
        assert "Write something first." in response.content.decode()

    def test_bad_audience_is_refused(self, alice_client):
        response = alice_client.post("/updates/", {"text": "x", "audience": "all"})
        assert response.status_code == 422
        assert not Update.objects.exists()

    def test_double_submit_posts_once(self, alice_client):
        for _ in range(2):
            alice_client.post("/updates/", {"text": "Once", "audience": "public"})
        assert Update.objects.count() == 1

    def test_links_are_clickable_and_html_is_escaped(self, alice, alice_client):
        UpdateFactory(
            author=alice, text='See https://example.org/a?b=1 <script>x</script>"'
        )
        html = alice_client.get("/").content.decode()
        assert 'href="https://example.org/a?b=1" rel="nofollow"' in html
        assert "<script>x</script>" not in html
        assert "&lt;script&gt;x&lt;/script&gt;" in html

    def test_edit_own_update(self, alice, alice_client, posts):
        pk = posts["connections"].pk
        response = alice_client.get(f"/updates/{pk}/edit/", **HTMX)
        assert "Save" in response.content.decode()
        response = alice_client.post(
            f"/updates/{pk}/edit/", {"text": "Changed", "audience": "public"}, **HTMX
        )
        assert response.status_code == 200
        assert "Changed" in response.content.decode()
        update = Update.objects.get(pk=pk)
        assert update.audience == "public"
        assert update.edited is not None

    def test_edit_keeps_what_was_typed_when_invalid(self, alice_client, posts):
        pk = posts["connections"].pk
        response = alice_client.post(
            f"/updates/{pk}/edit/", {"text": "x" * 3001, "audience": "public"}
        )
        assert response.status_code == 422
        assert "x" * 3001 in response.content.decode()

    def test_an_update_others_commented_for_connections_does_not_become_public(
        self, alice, bob, carol, alice_client, posts
    ):
        connect(alice, bob)
        update = posts["connections"]
        CommentFactory(update=update, author=alice, text="Mine")
        # Her own comment does not hold it back...
        update_edit(update=update, member=alice, text=update.text, audience="public")
        update_edit(update=update, member=alice, text="Again", audience="connections")
        # ...Bob's, written for her connections only, does.
        CommentFactory(update=update, author=bob, text="Only for you all")
        response = alice_client.post(
            f"/updates/{update.pk}/edit/",
            {"text": "Changed", "audience": "public"},
            **HTMX,
        )
        assert response.status_code == 422
        page = response.content.decode()
        assert "Others have commented for your connections only" in page
        assert f'aria-describedby="edit-audience-{update.pk}-error"' in page
        assert "Changed" in page  # what she typed is kept
        update.refresh_from_db()
        assert (update.audience, update.text) == ("connections", "Again")
        # The text alone can still change, and a public update can narrow.
        update_edit(update=update, member=alice, text="Changed", audience="connections")
        assert Update.objects.get(pk=update.pk).text == "Changed"
        public = posts["public"]
        CommentFactory(update=public, author=bob)
        update_edit(
            update=public, member=alice, text=public.text, audience="connections"
        )

    def test_others_cannot_edit_or_delete(self, alice, bob, bob_client, posts):
        connect(alice, bob)
        pk = posts["connections"].pk
        assert bob_client.get(f"/updates/{pk}/edit/").status_code == 404
        assert bob_client.post(f"/updates/{pk}/edit/", {"text": "x"}).status_code == 404
        assert bob_client.post(f"/updates/{pk}/delete/").status_code == 404
        assert Update.objects.filter(pk=pk, text=posts["connections"].text).exists()

    def test_delete_own_update_with_everything_attached(
        self, alice, bob, alice_client, posts
    ):
        connect(alice, bob)
        update = posts["connections"]
        comment_post(update=update, author=bob, text="Hi")
        like_toggle(update=update, member=bob)
        assert alice_client.get(f"/updates/{update.pk}/delete/").status_code == 200
        response = alice_client.post(f"/updates/{update.pk}/delete/", **HTMX)
        assert response.status_code == 200
        assert 'id="dialog" hx-swap-oob="true"' in response.content.decode()
        assert not Update.objects.filter(pk=update.pk).exists()
        assert not Comment.objects.exists()
        assert not Like.objects.exists()
        assert not FeedEntry.objects.filter(update=update.pk).exists()
        # A second click changes nothing and answers 404.
        assert alice_client.post(f"/updates/{update.pk}/delete/").status_code == 404

    def test_comment_inline_with_htmx(self, alice, bob, bob_client, posts):
        connect(alice, bob)
        pk = posts["connections"].pk
        response = bob_client.get(f"/updates/{pk}/comments/", **HTMX)
        assert "No comments yet." in response.content.decode()
        response = bob_client.post(
            f"/updates/{pk}/comments/", {"text": "Great news"}, **HTMX
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert "Great news" in html
        assert f'id="comment-count-{pk}" hx-swap-oob="true"' in html
        assert '<span class="visually-hidden">1 comment</span>' in html
        # Said in the page's message region, which screen readers read out.
        assert 'id="flash"' in html
        assert "Comment posted." in html
        # A double submit shows the one comment, counted once.
        response = bob_client.post(
            f"/updates/{pk}/comments/", {"text": "Great news"}, **HTMX
        )
        assert '<span class="visually-hidden">1 comment</span>' in (
            response.content.decode()
        )

    def test_comment_with_htmx_counts_from_the_comments_shown(
        self, alice, bob, bob_client, posts
    ):
        connect(alice, bob)
        pk = posts["connections"].pk
        CommentFactory(update=posts["connections"], author=alice)
        with CaptureQueriesContext(connection) as captured:
            response = bob_client.post(
                f"/updates/{pk}/comments/", {"text": "Great news"}, **HTMX
            )
        assert '<span class="visually-hidden">2 comments</span>' in (
            response.content.decode()
        )
        # Both comments are on the page the answer shows: they are the count.
        # Nor are the likes counted, which the answer does not show.
        sql = " ".join(query["sql"] for query in captured)
        assert "COUNT(" not in sql.upper()
        assert "connections_like" not in sql

    @pytest.mark.parametrize("text", ["More", " "])
    def test_comment_with_htmx_counts_the_comments_beyond_the_page(
        self, alice, bob, bob_client, posts, settings, text
    ):
        settings.RAPPORT_COMMENTS_PAGE_SIZE = 2
        connect(alice, bob)
        update = posts["connections"]
        carol = UserFactory()
        connect(alice, carol)
        for author in (alice, alice, bob, carol):
            CommentFactory(update=update, author=author)
        BlockFactory(blocker=bob, blocked=carol)
        response = bob_client.post(
            f"/updates/{update.pk}/comments/", {"text": text}, **HTMX
        )
        # Carol's comment is hidden from bob, who blocked her.
        count = "4 comments" if text.strip() else "3 comments"
        html = response.content.decode()
        assert f'<span class="visually-hidden">{count}</span>' in html
        assert "Older comments" in html

    def test_comment_without_javascript_and_empty_comment(
        self, alice, bob, bob_client, posts
    ):
        connect(alice, bob)
        pk = posts["connections"].pk
        response = bob_client.post(f"/updates/{pk}/comments/", {"text": "Hey"})
        assert response.status_code == 302
        assert response["Location"] == f"/updates/{pk}/#comments"
        response = bob_client.post(f"/updates/{pk}/comments/", {"text": " "})
        assert response.status_code == 422
        assert "Write something first." in response.content.decode()
        assert Comment.objects.count() == 1

    def test_like_toggles_and_counts(self, alice, bob, bob_client, posts):
        connect(alice, bob)
        pk = posts["connections"].pk
        response = bob_client.post(f"/updates/{pk}/like/", {"like": "1"}, **HTMX)
        html = response.content.decode()
        assert 'aria-pressed="true"' in html
        assert "1 like" in html
        # A double submit of the same form keeps the like.
        bob_client.post(f"/updates/{pk}/like/", {"like": "1"}, **HTMX)
        assert Like.objects.count() == 1
        response = bob_client.post(f"/updates/{pk}/like/", {"like": "0"}, **HTMX)
        html = response.content.decode()
        assert 'aria-pressed="false"' in html
        assert "1 like" not in html
        bob_client.post(f"/updates/{pk}/like/", {"like": "1"}, **HTMX)
        response = bob_client.post(f"/updates/{pk}/like/", {"like": "0"})
        assert response.status_code == 302
        assert not Like.objects.exists()

    def test_removed_by_moderators(self, alice, bob, bob_client, posts):
        connect(alice, bob)
        update = posts["connections"]
        comment = CommentFactory(update=update, author=bob, text="Rude")
        Update.objects.filter(pk=update.pk).update(removed_at=timezone.now())
        html = bob_client.get(f"/updates/{update.pk}/").content.decode()
        assert "Removed by moderators" in html
        assert update.text not in html
        response = bob_client.post(f"/updates/{update.pk}/comments/", {"text": "x"})
        assert response.status_code == 422
        Comment.objects.filter(pk=comment.pk).update(removed_at=timezone.now())
        Update.objects.filter(pk=update.pk).update(removed_at=None)
        html = bob_client.get(f"/updates/{update.pk}/").content.decode()
        assert "Rude" not in html
        assert "Removed by moderators" in html


class TestNamesAsTheViewerMaySee:
    """An update's author and its commenters are shown as each viewer may see
    them: a name and headline for members only are a handle to visitors."""

    @pytest.fixture
    def private_alice(self, alice):
        ProfileFactory(
            member=alice, name_audience="members", headline_audience="members"
        )
        return alice

    def test_visitor_sees_only_the_handle_on_a_public_update_of_a_members_only_name(
        self, client, private_alice
    ):
        update = UpdateFactory(
            author=private_alice, audience="public", text="Portfolio is up"
        )
        for path in ("/in/alice/", f"/updates/{update.pk}/"):
            html = client.get(path).content.decode()
            assert "Portfolio is up" in update_cards(html)
            assert "@alice" in update_cards(html)
            assert "Alice Martin" not in html
            assert "Product designer" not in html

    def test_page_of_an_update_is_titled_with_the_name_the_visitor_may_see(
        self, client, private_alice
    ):
        update = UpdateFactory(author=private_alice, audience="public")
        html = client.get(f"/updates/{update.pk}/").content.decode()
        assert "<title>Update by @alice · " in html
        assert "Update by @alice</h1>" in html

    def test_visitor_sees_only_the_handle_on_more_updates_of_a_profile(
        self, client, private_alice, settings
    ):
        settings.RAPPORT_UPDATES_PAGE_SIZE = 1
        UpdateFactory(author=private_alice, audience="public", text="Older one")
        UpdateFactory(author=private_alice, audience="public", text="Newer one")
        anonymous = AnonymousUser()
        cursor = updates_by(author=private_alice, viewer=anonymous).next_cursor
        html = client.get(f"/in/alice/updates/?after={cursor}", **HTMX)
        html = html.content.decode()
        assert "Older one" in html
        assert "@alice" in html
        assert "Alice Martin" not in html
        assert "Product designer" not in html

    def test_visitor_sees_only_the_handle_of_a_commenter_with_a_members_only_name(
        self, client, alice, bob
    ):
        connect(alice, bob)
        ProfileFactory(member=bob, name_audience="members")
        update = UpdateFactory(author=alice, audience="public")
        CommentFactory(update=update, author=bob, text="Nice one")
        html = client.get(f"/updates/{update.pk}/").content.decode()
        assert "Nice one" in html
        assert 'href="/in/bob/">@bob</a>' in html
        assert "Bob Okafor" not in html

    def test_members_see_the_name_and_headline_shown_to_members(
        self, private_alice, bob, bob_client, carol_client
    ):
        connect(private_alice, bob)
        update = UpdateFactory(author=private_alice, audience="public")
        CommentFactory(update=update, author=bob, text="Nice one")
        for client, path in (
            (carol_client, f"/updates/{update.pk}/"),
            (carol_client, "/in/alice/"),
            (bob_client, "/"),
        ):
            cards = update_cards(client.get(path).content.decode())
            assert "Alice Martin" in cards
            assert "Product designer" in cards
        html = carol_client.get(f"/updates/{update.pk}/").content.decode()
        assert "<title>Update by Alice Martin · " in html
        assert 'href="/in/bob/">Bob Okafor</a>' in html

    def test_public_preview_of_ones_profile_shows_only_the_handle_on_its_updates(
        self, private_alice, alice_client
    ):
        UpdateFactory(author=private_alice, audience="public", text="Portfolio is up")
        cards = update_cards(
            alice_client.get("/in/alice/?view_as=public").content.decode()
        )
        assert "Portfolio is up" in cards
        assert "@alice" in cards
        assert "Alice Martin" not in cards
        assert "Product designer" not in cards
        for view_as in ("", "member", "connection"):
            path = f"/in/alice/?view_as={view_as}"
            cards = update_cards(alice_client.get(path).content.decode())
            assert "Alice Martin" in cards
            assert "Product designer" in cards

    @pytest.mark.parametrize("size", [1, 15])
    def test_page_of_an_update_costs_the_same_queries_for_one_comment_and_many(
        self, alice, client, bob_client, size, django_assert_max_num_queries
    ):
        update = UpdateFactory(author=alice, audience="public")
        ProfileFactory(member=alice, name_audience="members")
        for _ in range(size):
            commenter = UserFactory()
            ProfileFactory(member=commenter, name_audience="members")
            CommentFactory(update=update, author=commenter)
        with django_assert_max_num_queries(2):
            assert client.get(f"/updates/{update.pk}/").status_code == 200
        with django_assert_max_num_queries(5):
            assert bob_client.get(f"/updates/{update.pk}/").status_code == 200


class TestHome:
    def test_feed_has_connections_and_own_updates_newest_first(
        self, alice, bob, carol, dave
    ):
        connect(alice, bob)
        now = timezone.now()
        old = UpdateFactory(author=bob, created=now - timedelta(days=2))
        mine = UpdateFactory(author=alice, created=now - timedelta(days=1))
        UpdateFactory(author=carol, audience="public")
        assert [u.pk for u in feed_for(member=alice)] == [mine.pk, old.pk]

    def test_feed_pages_with_load_more(self, alice, bob, alice_client):
        connect(alice, bob)
        now = timezone.now()
        for n in range(25):
            UpdateFactory(
                author=bob, text=f"Post {n}", created=now - timedelta(minutes=n)
            )
        html = alice_client.get("/").content.decode()
        assert html.count('class="card update-card"') == 20
        cursor = feed_for(member=alice).next_cursor
        assert f"?after={cursor}" in html
        rows = alice_client.get(f"/?after={cursor}", **HTMX).content.decode()
        assert rows.count('class="card update-card"') == 5
        assert "Post 24" in rows
        assert "Load more" not in rows
        # Without JavaScript the link opens the full page, from there on.
        page = alice_client.get(f"/?after={cursor}").content.decode()
        assert "<html" in page
        assert "Post 24" in page

    def test_new_connection_post_reaches_the_feed(self, alice, bob, bob_client):
        connect(alice, bob)
        update_post(author=alice, text="Fresh", audience="connections")
        assert "Fresh" in bob_client.get("/").content.decode()

    def test_connecting_brings_the_latest_updates_into_both_feeds(
        self, alice, bob, settings
    ):
        settings.RAPPORT_FEED_BACKFILL = 2
        now = timezone.now()
        mine = [
            UpdateFactory(author=alice, created=now - timedelta(days=n))
            for n in range(3)
        ]
        theirs = UpdateFactory(author=bob)
        connect(alice, bob)
        assert [u.pk for u in feed_for(member=bob)] == [
            theirs.pk,
            mine[0].pk,
            mine[1].pk,
        ]
        assert theirs.pk in {u.pk for u in feed_for(member=alice)}

    def test_large_network_is_written_by_the_task(
        self, alice, bob, settings, django_capture_on_commit_callbacks
    ):
        settings.RAPPORT_FEED_INLINE_FAN_OUT = 0
        connect(alice, bob)
        with django_capture_on_commit_callbacks(execute=True):
            update = update_post(author=alice, text="Big", audience="connections")
        assert FeedEntry.objects.filter(update=update, member=bob).exists()

    def test_empty_feed_suggests_people(self, alice, bob, carol, alice_client):
        connect(alice, bob)
        connect(bob, carol)
        html = alice_client.get("/").content.decode()
        assert "Nothing here yet" in html
        assert "Carol Nguyen" in html
        assert "Connect" in html

    @pytest.mark.parametrize("size", [1, 30])
    def test_query_budget_is_the_same_for_one_and_a_full_page(
        self, alice, alice_client, size, django_assert_max_num_queries
    ):
        for _ in range(size):
            friend = UserFactory()
            connect(alice, friend)
            update = UpdateFactory(author=friend)
            CommentFactory(update=update, author=alice)
            Like.objects.create(update=update, member=alice)
        with django_assert_max_num_queries(HOME_BUDGET - 2):
            response = alice_client.get("/")
        assert response.content.decode().count('class="card update-card"') == min(
            size, 20
        )
        cursor = feed_for(member=alice).next_cursor or "e30"
        with django_assert_max_num_queries(3):
            alice_client.get(f"/?after={cursor}", **HTMX)


class TestServices:
    def test_edit_refuses_someone_elses_update(self, alice, bob, posts):
        with pytest.raises(ValidationError):
            update_edit(update=posts["public"], member=bob, text="x", audience="public")
        with pytest.raises(ValidationError):
            update_delete(update=posts["public"], member=bob)

    def test_an_update_removed_after_it_was_read_takes_no_comment_like_or_edit(
        self, alice, bob, posts
    ):
        connect(alice, bob)
        update = posts["connections"]  # read before the moderators remove it
        Update.objects.filter(pk=update.pk).update(removed_at=timezone.now())
        for write in (
            lambda: comment_post(update=update, author=bob, text="Late"),
            lambda: like_toggle(update=update, member=bob, like=True),
            lambda: update_edit(
                update=update, member=alice, text="Edited", audience="public"
            ),
            lambda: update_delete(update=update, member=alice),
        ):
            with pytest.raises(ValidationError):
                write()
        assert not Comment.objects.exists()
        assert not Like.objects.exists()
        kept = Update.objects.get(pk=update.pk)
        assert (kept.text, kept.audience) == (update.text, update.audience)

    def test_fan_out_twice_writes_once(self, alice, bob):
        from connections.services.updates import feed_fan_out

        connect(alice, bob)
        update = update_post(author=alice, text="x")
        feed_fan_out(update_id=update.pk)
        assert FeedEntry.objects.filter(update=update).count() == 2

    @pytest.mark.parametrize("connections", [2, 3])
    def test_posting_reads_each_batch_of_the_feeds_once(
        self, alice, monkeypatch, connections
    ):
        from connections.services import updates as update_services

        monkeypatch.setattr(update_services, "FAN_OUT_BATCH", 2)
        others = UserFactory.create_batch(connections)
        for other in others:
            connect(alice, other)
        with CaptureQueriesContext(connection) as captured:
            update = update_post(author=alice, text="x")
        # The update is not read again after it is written, and a batch
        # shorter than two is the last one: 3 connections are read in two
        # batches; 2 connections, in a full batch and an empty one.
        reads = [
            query["sql"]
            for query in captured
            if query["sql"].startswith("SELECT")
            and (
                "connections_connection" in query["sql"]
                or "connections_update" in query["sql"]
            )
        ]
        # The count of connections, the double submit, and the batches.
        assert len(reads) == 2 + 2
        assert set(
            FeedEntry.objects.filter(update=update).values_list("member", flat=True)
        ) == {alice.pk, *(other.pk for other in others)}

    def test_double_comment_is_stored_once(self, alice, bob, posts):
        connect(alice, bob)
        for _ in range(2):
            comment_post(update=posts["public"], author=bob, text="Same")
        assert Comment.objects.count() == 1

    @pytest.mark.parametrize("who_blocks", ["author", "member"])
    def test_blocked_member_cannot_comment_through_the_service(
        self, alice, bob, posts, who_blocks
    ):
        if who_blocks == "author":
            BlockFactory(blocker=alice, blocked=bob)
        else:
            BlockFactory(blocker=bob, blocked=alice)
        with pytest.raises(ValidationError) as refused:
            comment_post(update=posts["public"], author=bob, text="Hello")
        assert refused.value.code == "unavailable"
        assert refused.value.messages == ["This update is no longer available."]
        assert not Comment.objects.exists()

    @pytest.mark.parametrize("like", [True, None])
    def test_blocked_member_cannot_like_through_the_service(
        self, alice, bob, posts, like
    ):
        BlockFactory(blocker=alice, blocked=bob)
        with pytest.raises(ValidationError) as refused:
            like_toggle(update=posts["public"], member=bob, like=like)
        assert refused.value.code == "unavailable"
        assert not Like.objects.exists()

    def test_stranger_cannot_comment_or_like_a_connections_update_through_the_service(
        self, carol, posts
    ):
        for write in (
            lambda: comment_post(update=posts["connections"], author=carol, text="x"),
            lambda: like_toggle(update=posts["connections"], member=carol),
        ):
            with pytest.raises(ValidationError, match="no longer available"):
                write()
        assert not Comment.objects.exists()
        assert not Like.objects.exists()

    def test_member_who_may_see_a_public_update_comments_and_likes_it(
        self, alice, carol, posts
    ):
        comment = comment_post(update=posts["public"], author=carol, text="Nice")
        assert comment_post(update=posts["public"], author=carol, text="Nice") == (
            comment
        )
        assert like_toggle(update=posts["public"], member=carol) is True
        assert like_toggle(update=posts["public"], member=carol) is False
        assert not Like.objects.exists()


def test_clients_for_other_members_are_independent(db):
    member = UserFactory()
    assert signed_in_client(member).get("/").status_code == 200


class TestProfile:
    def test_profile_shows_the_updates_each_viewer_may_see(
        self, alice, bob, alice_client, bob_client, carol_client, client, posts
    ):
        connect(alice, bob)
        connections_text = posts["connections"].text
        public_text = posts["public"].text
        for viewer in (alice_client, bob_client):
            html = viewer.get("/in/alice/").content.decode()
            assert connections_text in html
            assert public_text in html
        for viewer in (carol_client, client):
            html = viewer.get("/in/alice/").content.decode()
            assert connections_text not in html
            assert public_text in html

    def test_load_more_on_the_profile(self, alice, bob, bob_client):
        connect(alice, bob)
        now = timezone.now()
        for n in range(22):
            UpdateFactory(
                author=alice, text=f"Note {n}", created=now - timedelta(hours=n)
            )
        html = bob_client.get("/in/alice/").content.decode()
        assert html.count('class="card update-card"') == 20
        cursor = updates_by(author=alice, viewer=bob).next_cursor
        rows = bob_client.get(f"/in/alice/updates/?after={cursor}", **HTMX)
        assert rows.content.decode().count('class="card update-card"') == 2
        page = bob_client.get(f"/in/alice/?after={cursor}").content.decode()
        assert "Note 21" in page

    def test_load_more_of_a_preview_keeps_showing_what_that_viewer_sees(
        self, alice, alice_client
    ):
        ProfileFactory(member=alice, name_audience="members")
        now = timezone.now()
        for n in range(30):
            UpdateFactory(
                author=alice,
                audience="connections" if n % 5 == 4 else "public",
                text=f"{'Friends' if n % 5 == 4 else 'Open'} note {n}",
                created=now - timedelta(hours=n),
            )
        html = alice_client.get("/in/alice/?view_as=public").content.decode()
        assert "Friends note" not in update_cards(html)
        more = re.search(r'<li class="load-more"><a [^>]*>', html).group(0)
        href, hx_get = (
            re.search(rf'{attr}="([^"]+)"', more).group(1).replace("&amp;", "&")
            for attr in ("href", "hx-get")
        )
        rows = alice_client.get(hx_get, **HTMX).content.decode()
        page = alice_client.get(href).content.decode()
        for shown in (rows, update_cards(page)):
            assert "Open note 28" in shown
            assert "Friends note" not in shown
            assert "Alice Martin" not in shown  # as a visitor sees her
            assert "@alice" in shown

    @pytest.mark.parametrize("size", [1, 25])
    def test_profile_query_budget(
        self, alice, bob, bob_client, size, django_assert_max_num_queries
    ):
        connect(alice, bob)
        for _ in range(size):
            update = UpdateFactory(author=alice)
            CommentFactory(update=update, author=bob)
        with django_assert_max_num_queries(10):
            assert bob_client.get("/in/alice/").status_code == 200


def test_demo_data_has_updates_once(db):
    from django.core.management import call_command

    call_command("seed_demo", members=12)
    count = Update.objects.count()
    assert count == 5
    assert Comment.objects.exists()
    call_command("seed_demo", members=12)
    assert Update.objects.count() == count
