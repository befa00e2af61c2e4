"""Recompute the dashboard's daily tally from the cases (after a bulk load, raw SQL writes, or to check it)."""
from django.core.management.base import BaseCommand

from dashboard import figures, tally


class Command(BaseCommand):
    help = "Recompute the daily tally of the dashboard's figures from every case."

    def handle(self, *args, **options):
        def progress(month, written):
            if options["verbosity"] > 1:
                self.stdout.write(f"  {month:%Y-%m}: {written:,} rows so far")

        written = tally.rebuild(progress=progress)
        figures.bump_version()
        self.stdout.write(self.style.SUCCESS(f"Tally rebuilt: {written:,} rows."))
