from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from agencies.demo import DEMO_PASSWORD, create_demo_accounts


class Command(BaseCommand):
    help = "Create the demo accounts (citizen, ward officer and manager, department officer, dispatcher, leader)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Allow with DEBUG off.")

    def handle(self, *args, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError("Refusing to create demo accounts with DEBUG off (use --force).")
        accounts = create_demo_accounts()
        self.stdout.write(self.style.SUCCESS(f"Demo accounts (password: {DEMO_PASSWORD}):"))
        for acc in accounts:
            self.stdout.write(f"  {acc.username:<12} {acc.label}")
