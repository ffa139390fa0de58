"""factory-boy factories for the whole suite."""

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from connections.services.members import handle_slug

DEFAULT_PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    """A member with a verified primary email, ready to sign in."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    display_name = factory.Faker("name")
    email = factory.LazyAttributeSequence(
        lambda o, n: f"{handle_slug(o.display_name).replace('-', '.')}.{n}@example.com"
    )
    handle = factory.LazyAttributeSequence(
        lambda o, n: f"{handle_slug(o.display_name)[:20]}-{n}".strip("-")
    )
    headline = factory.Faker("job")
    is_active = True

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or DEFAULT_PASSWORD)
        if create:
            self.save(update_fields=["password"])

    @factory.post_generation
    def search_terms(self, create, extracted, **kwargs):
        """Index the member for member search, as the services do."""
        if create:
            from connections.services.profiles import member_search_terms_refresh

            member_search_terms_refresh(member=self)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.get_or_create(
                user=self,
                email=self.email,
                defaults={"verified": True, "primary": True},
            )


class ConnectionRequestFactory(factory.django.DjangoModelFactory):
    """A pending invitation (set `status` and `responded` for an answered one)."""

    class Meta:
        model = "connections.ConnectionRequest"

    sender = factory.SubFactory(UserFactory)
    recipient = factory.SubFactory(UserFactory)
    note = ""


class BlockFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "connections.Block"

    blocker = factory.SubFactory(UserFactory)
    blocked = factory.SubFactory(UserFactory)


def connect(a, b, **kwargs):
    """Connect two members directly (both rows), as an accepted invitation would."""
    from connections.services.network import connection_pair_create

    return connection_pair_create(member=a, other=b, **kwargs)


class LabelFactory(factory.django.DjangoModelFactory):
    """One of a member's contact labels."""

    class Meta:
        model = "contacts.Label"

    owner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Label {n}")


class ContactFactory(factory.django.DjangoModelFactory):
    """A contact created through the service, as the app creates them.

    `emails` and `phones` take plain strings; `labels` takes Label objects;
    `trashed=True` moves the new contact to the Trash.
    """

    class Meta:
        model = "contacts.Contact"

    owner = factory.SubFactory(UserFactory)
    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")

    @classmethod
    def _create(
        cls,
        model_class,
        *,
        owner,
        emails=(),
        phones=(),
        addresses=(),
        websites=(),
        labels=(),
        trashed=False,
        **fields,
    ):
        from contacts.services.contacts import (
            AddressEntry,
            ContactData,
            EmailEntry,
            PhoneEntry,
            WebsiteEntry,
            contact_create,
        )
        from contacts.services.trash import contact_trash

        data = ContactData(
            **fields,
            emails=[EmailEntry(value) for value in emails],
            phones=[PhoneEntry(value) for value in phones],
            addresses=[
                entry if isinstance(entry, AddressEntry) else AddressEntry(city=entry)
                for entry in addresses
            ],
            websites=[WebsiteEntry(url) for url in websites],
            labels=list(labels),
        )
        contact = contact_create(owner=owner, data=data)
        if trashed:
            contact_trash(contact=contact)
        return contact


class UpdateFactory(factory.django.DjangoModelFactory):
    """An update, put in the feeds of its author and their connections."""

    class Meta:
        model = "connections.Update"

    author = factory.SubFactory(UserFactory)
    text = factory.Faker("sentence")
    audience = "connections"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from connections.models import FeedEntry
        from connections.services.updates import feed_fan_out

        update = super()._create(model_class, *args, **kwargs)
        FeedEntry.objects.create(
            member=update.author, update=update, created=update.created
        )
        feed_fan_out(update_id=update.pk)
        return update


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "connections.Comment"

    update = factory.SubFactory(UpdateFactory)
    author = factory.SubFactory(UserFactory)
    text = factory.Faker("sentence")


class ProfileFactory(factory.django.DjangoModelFactory):
    """A member's profile row; audiences default to DESIGN.md's."""

    class Meta:
        model = "connections.Profile"
        django_get_or_create = ("member",)

    member = factory.SubFactory(UserFactory)


class WorkEntryFactory(factory.django.DjangoModelFactory):
    """A position in a member's work history (make the profile first)."""

    class Meta:
        model = "connections.WorkEntry"

    member = factory.SubFactory(UserFactory)
    organization = factory.Faker("company")
    title = factory.Faker("job")


def send_message(sender, recipient, body="Hello!", **kwargs):
    """A message sent through the service (the two must be connected)."""
    import secrets

    from connections.services.messaging import message_send

    return message_send(
        sender=sender,
        recipient=recipient,
        body=body,
        client_token=kwargs.pop("client_token", secrets.token_urlsafe(16)),
        **kwargs,
    )


def bulk_messages(a, b, count, *, start=None, step_minutes=7):
    """`count` messages alternating between a and b, written in bulk.

    Dated `step_minutes` apart ending now (or at `start` + count steps), with
    the conversation's sides and last message kept as the service keeps them.
    """
    from datetime import timedelta

    from django.utils import timezone

    from connections.models import Conversation, ConversationMember, Message

    low, high = sorted((a.pk, b.pk))
    conversation, created = Conversation.objects.get_or_create(
        member_low_id=low, member_high_id=high
    )
    if created:
        ConversationMember.objects.bulk_create(
            [
                ConversationMember(conversation=conversation, member=a, other=b),
                ConversationMember(conversation=conversation, member=b, other=a),
            ]
        )
    now = timezone.now()
    start = start or now - timedelta(minutes=step_minutes * count)
    messages = Message.objects.bulk_create(
        [
            Message(
                conversation=conversation,
                sender=a if n % 2 == 0 else b,
                body=f"Message number {n}",
                created=start + timedelta(minutes=step_minutes * n),
                client_token=f"bulk-{conversation.pk}-{n}",
            )
            for n in range(count)
        ],
        batch_size=500,
    )
    last = Message.objects.filter(conversation=conversation).order_by("-id").first()
    conversation.last_message = last
    conversation.save(update_fields=["last_message"])
    ConversationMember.objects.filter(conversation=conversation).update(
        last_activity=last.created, last_read_id=last.pk
    )
    return messages


class ReportFactory(factory.django.DjangoModelFactory):
    """An open report about a member."""

    class Meta:
        model = "connections.Report"

    reporter = factory.SubFactory(UserFactory)
    member = factory.SubFactory(UserFactory)
    reason = "spam"
    details = ""
