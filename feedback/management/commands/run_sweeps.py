"""Run the deadline sweeps by hand (operators): all of them, or --only one; prints what each did."""
from django.core.management.base import BaseCommand

from feedback.services.sweeps import SWEEPS


class Command(BaseCommand):
    help = "Run the deadline sweeps now: overdue flags, due-soon reminders, escalation, daily digest."

    def add_arguments(self, parser):
        parser.add_argument("--only", choices=sorted(SWEEPS), action="append",
                            help="Run only this sweep (repeatable). Default: all, in order.")

    def handle(self, *args, only=None, **options):
        for name, sweep in SWEEPS.items():
            if only and name not in only:
                continue
            counts = sweep()
            figures = ", ".join(f"{k}={v}" for k, v in counts.items())
            self.stdout.write(f"{name}: {figures}")
