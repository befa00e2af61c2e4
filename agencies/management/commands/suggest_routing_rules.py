"""Recompute the suggested routing rules from staff transfers now (the nightly task does the same)."""
from django.core.management.base import BaseCommand

from agencies.learning import refresh_suggestions


class Command(BaseCommand):
    help = "Offer routing rules from repeated staff transfers (agencies/learning.py)."

    def handle(self, *args, **options):
        count = refresh_suggestions()
        self.stdout.write(f"{count} open routing suggestion(s).")
