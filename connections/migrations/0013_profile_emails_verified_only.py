from django.db import migrations

CHUNK = 500


def prune_profile_emails(apps, schema_editor):
    """Addresses given up before profiles followed email changes leave them."""
    Profile = apps.get_model("connections", "Profile")
    EmailAddress = apps.get_model("account", "EmailAddress")
    shown = Profile.objects.exclude(emails=[]).order_by("pk")
    last = 0
    while True:
        profiles = list(shown.filter(pk__gt=last)[:CHUNK])
        if not profiles:
            return
        verified = {}
        for member_id, email in EmailAddress.objects.filter(
            user_id__in=[profile.member_id for profile in profiles], verified=True
        ).values_list("user_id", "email"):
            verified.setdefault(member_id, set()).add(email.lower())
        for profile in profiles:
            theirs = verified.get(profile.member_id, set())
            kept = [email for email in profile.emails or [] if email in theirs]
            if kept != profile.emails:
                profile.emails = kept
                profile.save(update_fields=["emails"])
        last = profiles[-1].pk


class Migration(migrations.Migration):

    dependencies = [
        ('connections', '0012_audit_close_action'),
        ('account', '0009_emailaddress_unique_primary_email'),
    ]

    operations = [
        migrations.RunPython(prune_profile_emails, migrations.RunPython.noop),
    ]
