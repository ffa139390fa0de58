"""Demo data of the connections app, loaded by `manage.py seed_demo`."""

import colorsys
import io

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from connections.services.members import handle_slug

DEMO_PASSWORD = "rapport-demo"  # noqa: S105 - published demo credentials

PERSONAS = [
    ("alice@example.com", "Alice Martin", "Product designer at Northwind"),
    ("bob@example.com", "Bob Okafor", "Backend engineer · Python and PostgreSQL"),
    ("carol@example.com", "Carol Nguyen", "Community organiser"),
    ("dave@example.com", "Dave Fischer", "Head of sales, Fabrikam"),
    ("erin@example.com", "Erin Walsh", "Teacher and book club host"),
]


def seed_members(*, count, faker):
    """The demo members: five named personas, then Faker people. Idempotent.

    The Faker instance is seeded, so every run produces the same people; a
    member who already exists (matched by email) is reused as it is.
    """
    User = get_user_model()
    people = list(PERSONAS)
    emails = {email for email, _, _ in people}
    while len(people) < count:
        first, last = faker.first_name(), faker.last_name()
        email = f"{handle_slug(first)}.{handle_slug(last)}@example.org"
        if email in emails:
            continue
        emails.add(email)
        headline = f"{faker.job()} at {faker.company()}"[:120]
        people.append((email, f"{first} {last}", headline))
    existing = {user.email: user for user in User.objects.filter(email__in=emails)}
    members, created = [], 0
    for email, name, headline in people[:count]:
        user = existing.get(email)
        if user is None:
            user = User.objects.create_user(
                email=email,
                password=DEMO_PASSWORD,
                display_name=name,
                headline=headline,
            )
            created += 1
        EmailAddress.objects.get_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        members.append(user)
    return members, created


def silhouette(background: tuple, figure: tuple, side: int = 256) -> Image.Image:
    """A head and shoulders in `figure`'s colour on `background`: a stand-in
    for a portrait in demo data, the benchmark and the tests."""
    image = Image.new("RGB", (side, side), background)
    draw = ImageDraw.Draw(image)
    unit = side / 256
    draw.ellipse(tuple(round(v * unit) for v in (88, 52, 168, 140)), fill=figure)
    draw.ellipse(tuple(round(v * unit) for v in (40, 150, 216, 320)), fill=figure)
    return image


def silhouette_upload(background: tuple, figure: tuple) -> SimpleUploadedFile:
    """`silhouette()` as an uploaded PNG file."""
    out = io.BytesIO()
    silhouette(background, figure).save(out, "PNG")
    return SimpleUploadedFile("photo.png", out.getvalue(), content_type="image/png")


def demo_picture(rng) -> SimpleUploadedFile:
    """A silhouette in colours of its own, drawn from `rng`."""
    hue = rng.randrange(360)
    return silhouette_upload(
        _colour(hue, 0.35, 0.85), _colour((hue + 180) % 360, 0.45, 0.45)
    )


def _colour(hue: int, saturation: float, lightness: float) -> tuple[int, int, int]:
    red, green, blue = colorsys.hls_to_rgb(hue / 360, lightness, saturation)
    return (round(red * 255), round(green * 255), round(blue * 255))


NETWORK_SEED = 2026
NOTES = [
    "We met at the spring meetup — great talk on accessibility!",
    "Hi! We worked together on the Northwind project.",
    "Good to see you at the book club last week.",
    "",
]


def seed(*, members, faker, stdout):
    """A small, realistic network among the demo members. Idempotent.

    Connections of every kind, pending invitations both ways for the first
    three personas (alice, bob, carol) and one blocked pair (dave blocked the
    last member). Pairs that already have a connection, an invitation or a
    block are left as they are, so a second run creates nothing.
    """
    import random
    from datetime import timedelta

    from django.db.models import Q
    from django.utils import timezone

    from connections.models import Block, Connection, ConnectionRequest
    from connections.services.network import block_create, connection_pair_create

    seed_profiles(members=members, faker=faker, stdout=stdout)
    seed_moderation(members=members, stdout=stdout)
    if len(members) < 12:
        return
    rng = random.Random(NETWORK_SEED)
    now = timezone.now()
    alice, bob, carol, dave = members[:4]
    last = members[-1]
    invitations = [
        (members[5], alice, "colleague"),
        (alice, members[6], "event"),
        (members[7], bob, "classmate"),
        (bob, members[8], ""),
        (members[9], carol, "friend_family"),
        (carol, members[10], "event"),
        (members[11], alice, ""),
    ]
    reserved = {frozenset((a.pk, b.pk)) for a, b, _ in invitations}
    reserved |= {frozenset((dave.pk, last.pk)), frozenset((alice.pk, bob.pk))}

    pairs = [(alice, carol), (bob, carol), (carol, dave), (alice, members[4])]
    for index, member in enumerate(members):
        for other in members[index + 1 :]:
            if rng.random() < 0.18:
                pairs.append((member, other))

    ids = [member.pk for member in members]
    existing = {
        frozenset(pair)
        for pair in Connection.objects.filter(
            member__in=ids, other__in=ids
        ).values_list("member", "other")
    }
    existing |= {
        frozenset(pair)
        for pair in ConnectionRequest.objects.filter(
            sender__in=ids, recipient__in=ids
        ).values_list("sender", "recipient")
    }
    kinds = ["professional", "professional", "personal", "close", ""]
    created = 0
    for member, other in pairs:
        pair = frozenset((member.pk, other.pk))
        if pair in reserved or pair in existing:
            continue
        existing.add(pair)
        connection_pair_create(
            member=member,
            other=other,
            created=now
            - timedelta(days=rng.randint(2, 700), minutes=rng.randint(0, 1439)),
            kinds=(rng.choice(kinds), rng.choice(kinds)),
        )
        created += 1

    sent = 0
    for number, (sender, recipient, how) in enumerate(invitations):
        if frozenset((sender.pk, recipient.pk)) in existing:
            continue
        ConnectionRequest.objects.create(
            sender=sender,
            recipient=recipient,
            note=NOTES[number % len(NOTES)],
            how_we_met=how,
            created=now - timedelta(days=number + 1, hours=number * 3),
        )
        sent += 1

    blocked = 0
    if not Block.objects.filter(
        Q(blocker=dave, blocked=last) | Q(blocker=last, blocked=dave)
    ).exists():
        block_create(blocker=dave, blocked=last)
        blocked = 1
    stdout.write(
        f"Network: {created} new connections, {sent} new invitations, "
        f"{blocked} new block."
    )
    conversations = seed_conversations(members=members, now=now)
    stdout.write(f"Messages: {conversations} new conversations.")
    seed_updates(members=members, stdout=stdout)
    seed_keeping_in_touch(members=members, stdout=stdout)


# Alice's invitation by email to someone who is not a member yet.
DEMO_EMAIL_INVITATION = {
    "email": "grace.hopper@example.net",
    "name": "Grace Hopper",
    "note": "Grace, our design guild now meets here. Join us?",
}


def seed_keeping_in_touch(*, members, stdout):
    """Alice's reminders and her invitation by email. Idempotent.

    She keeps in touch with Carol every two weeks, and with the connection
    she has been quiet with the longest at a rhythm that has come round
    already, so Home shows a reminder; and she invited a friend who is not
    a member yet by email, so Invitations › Sent shows one of those too.
    """
    from datetime import timedelta

    from django.db.models import Q
    from django.db.models.functions import Coalesce
    from django.utils import timezone

    from connections.models import Block, Connection, EmailInvitation
    from connections.selectors.depth import KEEP_IN_TOUCH_WEEKS
    from connections.services.depth import connection_keep_in_touch_set
    from connections.services.network import (
        connection_pair_create,
        email_invitation_send,
    )

    alice = members[0]
    # A colleague Alice has not been in touch with for three months (made
    # after the demo's updates, which bring her oldest connections back to
    # life), so her keep-in-touch reminder has someone to show.
    quiet = members[13] if len(members) > 13 else None
    if (
        quiet is not None
        and not Connection.objects.filter(member=alice, other=quiet).exists()
        and not Block.objects.filter(
            Q(blocker=alice, blocked=quiet) | Q(blocker=quiet, blocked=alice)
        ).exists()
    ):
        connection_pair_create(
            member=alice,
            other=quiet,
            created=timezone.now() - timedelta(days=95),
            kinds=("professional", "professional"),
        )
    rhythms = 0
    if not Connection.objects.filter(
        member=alice, keep_in_touch_weeks__isnull=False
    ).exists():
        rows = Connection.objects.filter(member=alice).select_related("other")
        carol = rows.filter(other__email="carol@example.com").first()
        quietest = (
            rows.exclude(other__email="carol@example.com")
            .annotate(quiet_since=Coalesce("last_interaction", "created"))
            .order_by("quiet_since", "pk")
            .first()
        )
        if carol is not None:
            connection_keep_in_touch_set(member=alice, other=carol.other, weeks=2)
            rhythms += 1
        if quietest is not None:
            # The longest rhythm that has come round already, if any has.
            quiet = timezone.now() - quietest.quiet_since
            weeks = max(
                (w for w in KEEP_IN_TOUCH_WEEKS if timedelta(weeks=w) <= quiet),
                default=4,
            )
            connection_keep_in_touch_set(
                member=alice, other=quietest.other, weeks=weeks
            )
            rhythms += 1
    invited = 0
    if not EmailInvitation.objects.filter(inviter=alice).exists():
        email_invitation_send(inviter=alice, **DEMO_EMAIL_INVITATION)
        invited = 1
    stdout.write(
        f"Keeping in touch: {rhythms} new reminders, {invited} new invitation by email."
    )


# Demo conversations: (first member, second member, lines alternating from the
# first, days ago the conversation started, lines the first left unread).
CONVERSATIONS = [
    (
        2,
        0,
        [
            "Hi Alice! Are you coming to the community meetup on Thursday?",
            "Hi Carol, yes! Could I bring a colleague?",
            "Of course. The more the merrier.",
            "Great. Is there a page with the programme?",
            "Here: https://example.org/meetup — doors open at 18:30.",
            "Thanks! See you there.",
            "One more thing: could you say a few words about the design guild?\n"
            "Five minutes is plenty.",
        ],
        3,
        1,
    ),
    (
        0,
        4,
        [
            "Erin, thanks for hosting the book club last week.",
            "My pleasure! Next month we read Piranesi.",
            "Perfect, I'll order it today.",
        ],
        12,
        0,
    ),
    (
        1,
        2,
        [
            "Carol, do you have the slides from the Postgres talk?",
            "I'll ask the speaker and send them over.",
        ],
        1,
        0,
    ),
    (
        3,
        2,
        ["Hello Carol, can we set up a call about the sponsorship?"],
        0,
        0,
    ),
]


def seed_conversations(*, members, now) -> int:
    """A few conversations between connected demo members. Idempotent.

    Written directly (the send service dates messages now and counts the
    per-minute limit); sides, last messages and unread counts as it keeps
    them. A pair that already has a conversation or is not connected is
    skipped.
    """
    from datetime import timedelta

    from connections.models import (
        Connection,
        Conversation,
        ConversationMember,
        Message,
    )
    from connections.services.depth import interaction_record

    created = 0
    for first, second, lines, days_ago, left_unread in CONVERSATIONS:
        a, b = members[first], members[second]
        low, high = sorted((a.pk, b.pk))
        if Conversation.objects.filter(member_low_id=low, member_high_id=high).exists():
            continue
        if not Connection.objects.filter(member=a, other=b).exists():
            continue
        conversation = Conversation.objects.create(
            member_low_id=low, member_high_id=high
        )
        start = now - timedelta(days=days_ago, hours=2)
        messages = [
            Message.objects.create(
                conversation=conversation,
                sender=(a, b)[n % 2],
                body=line,
                created=start + timedelta(minutes=37 * n),
                client_token=f"demo-{conversation.pk}-{n}",
            )
            for n, line in enumerate(lines)
        ]
        for message in messages:  # as the send service does, for the depth
            interaction_record(
                actor=message.sender,
                target=b if message.sender == a else a,
                kind="message",
                source=f"message:{message.pk}",
                at=message.created,
            )
        last = messages[-1]
        conversation.last_message = last
        conversation.save(update_fields=["last_message"])
        read_by = {a: last.pk, b: last.pk}
        unread = {a: 0, b: 0}
        if left_unread:
            # The second member read up to the last lines they did not see yet.
            reader = b if last.sender_id == a.pk else a
            read_by[reader] = messages[-1 - left_unread].pk
            unread[reader] = left_unread
        for member, other in ((a, b), (b, a)):
            ConversationMember.objects.create(
                conversation=conversation,
                member=member,
                other=other,
                last_activity=last.created,
                unread_count=unread[member],
                last_read_id=read_by[member],
            )
        created += 1
    return created


PROFILE_SEED = 606
CITIES = [
    "Lyon, France",
    "Lagos, Nigeria",
    "Leeds, UK",
    "Montréal, Canada",
    "Hamburg, Germany",
    "Austin, Texas",
    "Ho Chi Minh City, Vietnam",
]
PERSONA_PROFILES = {
    "alice@example.com": {
        "location": "Lyon, France",
        "about": (
            "I design tools people enjoy using: research first, then sketches, "
            "then prototypes that survive real users.\n\n"
            "Outside work I run the local accessibility meetup."
        ),
        "website": "https://alice.example.com",
        "phone": "+33 4 72 00 00 01",
        "work": [
            ("Northwind", "Product designer", (2021, 3), None),
            ("Fabrikam", "UX designer", (2017, 9), (2021, 2)),
        ],
    },
    "bob@example.com": {
        "location": "Lagos, Nigeria",
        "about": "Backend engineer. I like boring technology and fast queries.",
        "website": "https://bob.example.com",
        "phone": "+234 1 000 0002",
        "work": [("Contoso", "Backend engineer", (2019, 1), None)],
    },
    "carol@example.com": {
        "location": "Montréal, Canada",
        "about": "I bring people together: meetups, book clubs, hack days.",
        "phone": "+1 514 555 0103",
        "work": [("Civic Hall", "Community organiser", (2020, 6), None)],
    },
}


def seed_profiles(*, members, faker, stdout):
    """Realistic profiles for the demo members who have none yet. Idempotent.

    The personas get written profiles; the others a location, a short
    "about", a phone and one or two positions, through the services. The
    audiences keep their defaults, except that a few members show their
    phone to members and one hides their birthday. Two members in three
    have a photo (a drawn silhouette); the others show their initials.
    """
    import datetime
    import random

    from connections.models import Profile
    from connections.services.profiles import (
        ProfileData,
        profile_photo_set,
        profile_update,
        work_entry_add,
    )

    rng = random.Random(PROFILE_SEED)
    have = set(
        Profile.objects.filter(member__in=members).values_list("member", flat=True)
    )
    written = 0
    for index, member in enumerate(members):
        if member.pk in have:
            continue
        preset = PERSONA_PROFILES.get(member.email, {})
        audiences = {}
        if index % 5 == 1:
            audiences["phone"] = "members"
        if index % 7 == 3:
            audiences["birthday"] = "only_me"
        profile_update(
            member=member,
            data=ProfileData(
                display_name=member.display_name,
                headline=member.headline,
                location=preset.get("location", rng.choice(CITIES)),
                about=preset.get("about", faker.paragraph(nb_sentences=3)),
                website=preset.get("website", ""),
                emails=[member.email],
                phone=preset.get("phone", f"+1 555 01{rng.randrange(100):02d}"),
                birthday_day=rng.randint(1, 28),
                birthday_month=rng.randint(1, 12),
                birthday_year=rng.choice([None, rng.randint(1960, 2000)]),
                findable_by_email=member.findable_by_email,
                audiences=audiences,
            ),
        )
        work = preset.get("work") or [
            (faker.company(), faker.job()[:100], (rng.randint(2015, 2023), 1), None)
        ]
        for organization, title, started, ended in work:
            work_entry_add(
                member=member,
                organization=organization,
                title=title,
                started=datetime.date(*started, 1),
                ended=datetime.date(*ended, 1) if ended else None,
            )
        if index % 3 != 2:
            photo_rng = random.Random(f"rapport-demo-member-photo:{member.email}")
            profile_photo_set(member=member, upload=demo_picture(photo_rng))
        written += 1
    stdout.write(f"Profiles: {written} new profiles.")


DEMO_UPDATES = [
    ("Our team just shipped the new onboarding flow. Feedback welcome!", "public"),
    ("Slides from my talk on Postgres indexes: https://example.org/slides", "public"),
    ("Looking for a good book on negotiation. Recommendations?", "connections"),
    ("Book club meets Thursday at 7 — this month: The Left Hand of Darkness.", ""),
    ("Hiring two engineers in Lisbon. Ask me anything.", "connections"),
]
DEMO_COMMENTS = ["Congratulations!", "Count me in.", "Thanks for sharing this."]


def seed_updates(*, members, stdout):
    """A few updates among connected demo members, with comments and likes.

    Goes through the services, so feeds and the depth of each connection are
    what posting, commenting and liking make them. Skipped when the demo
    members already posted (a second run creates nothing).
    """
    from datetime import timedelta

    from django.utils import timezone

    from connections.models import Connection, FeedEntry, Update
    from connections.services.updates import comment_post, like_toggle, update_post

    authors = members[: len(DEMO_UPDATES)]
    if Update.objects.filter(author__in=authors).exists():
        return
    now = timezone.now()
    posted = 0
    for number, (author, (text, audience)) in enumerate(
        zip(authors, DEMO_UPDATES, strict=False)
    ):
        update = update_post(
            author=author, text=text, audience=audience or "connections"
        )
        moment = now - timedelta(hours=5 * number + 1)
        Update.objects.filter(pk=update.pk).update(created=moment)
        FeedEntry.objects.filter(update=update).update(created=moment)
        friends = list(
            Connection.objects.filter(member=author)
            .select_related("other")
            .order_by("created")[:3]
        )
        for index, row in enumerate(friends):
            like_toggle(update=update, member=row.other, like=True)
            if index < 2:
                comment_post(
                    update=update,
                    author=row.other,
                    text=DEMO_COMMENTS[(number + index) % len(DEMO_COMMENTS)],
                )
        posted += 1
    stdout.write(f"Updates: {posted} new updates with comments and likes.")


MODERATOR_EMAIL = "staff@example.com"


def seed_moderation(*, members, stdout):
    """A moderator and two open reports for the queue. Idempotent.

    The moderator signs in with the demo password and, like every staff
    member, sets up two-factor authentication before the admin opens.
    """
    from django.contrib.auth.models import Permission

    from connections.models import Report

    User = get_user_model()
    staff = User.objects.filter(email=MODERATOR_EMAIL).first()
    if staff is None:
        staff = User.objects.create_user(
            email=MODERATOR_EMAIL,
            password=DEMO_PASSWORD,
            display_name="Sam Staff",
            headline="Moderator",
            is_staff=True,
        )
        EmailAddress.objects.get_or_create(
            user=staff,
            email=MODERATOR_EMAIL,
            defaults={"verified": True, "primary": True},
        )
    staff.user_permissions.add(
        Permission.objects.get(
            codename="moderate", content_type__app_label="connections"
        )
    )
    if len(members) < 8:
        return
    reports = [
        (members[1], members[6], "spam", "Sent me the same sales pitch three times."),
        (members[4], members[6], "fake_profile", "The photo is a stock picture."),
        (members[2], members[7], "harassment", ""),
    ]
    for reporter, member, reason, details in reports:
        Report.objects.get_or_create(
            reporter=reporter,
            member=member,
            subject=Report.Subject.MEMBER,
            defaults={"reason": reason, "details": details},
        )
    if stdout is not None:
        stdout.write(
            f"Moderator: {MODERATOR_EMAIL} (set up two-factor to open /admin/)."
        )
