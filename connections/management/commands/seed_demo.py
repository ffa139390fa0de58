"""Load the demo community: members, then whatever each app adds on top.

Idempotent: running it again changes nothing that is already there. Each app
of the project may provide `<app>/demo.py` with `seed(*, members, faker,
stdout)`; they run in INSTALLED_APPS order, after the members exist.
"""

import importlib
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from faker import Faker

from connections.demo import DEMO_PASSWORD, seed_members


def project_demo_modules():
    """The `demo` module of each of the project's own apps, in app order."""
    base = Path(settings.BASE_DIR).resolve()
    for config in apps.get_app_configs():
        if not Path(config.path).resolve().is_relative_to(base):
            continue
        try:
            yield importlib.import_module(f"{config.name}.demo")
        except ModuleNotFoundError:
            continue


class Command(BaseCommand):
    help = "Create the demo members and their data (safe to run twice)."

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=30)

    def handle(self, *args, members, **options):
        faker = Faker(["en_US", "en_GB", "fr_FR", "de_DE", "es_ES"])
        faker.seed_instance(2026)
        with transaction.atomic():
            demo_members, created = seed_members(count=members, faker=faker)
            for module in project_demo_modules():
                module.seed(members=demo_members, faker=faker, stdout=self.stdout)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo community ready: {len(demo_members)} members ({created} new)."
            )
        )
        self.stdout.write(f"Sign in with any of these, password {DEMO_PASSWORD!r}:")
        for member in demo_members[:5]:
            self.stdout.write(f"  {member.email:<22} {member.display_name}")
