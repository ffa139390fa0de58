"""Demo data of the connections app, loaded by `manage.py seed_demo`."""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

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


def seed(*, members, faker, stdout):
    """Network data among the demo members; later issues add it here."""
