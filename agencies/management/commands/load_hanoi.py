from django.core.management import call_command
from django.core.management.base import BaseCommand

from agencies.seed import WARDS_GEOJSON, load_hanoi


class Command(BaseCommand):
    help = "Load Hanoi's 126 wards, the agencies, topics and routing rules (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--geojson", default=str(WARDS_GEOJSON), help="Ward boundaries (GeoJSON).")

    def handle(self, *args, geojson, **options):
        written = load_hanoi(geojson)
        summary = ", ".join(f"{k}: {v} written" for k, v in written.items())
        self.stdout.write(self.style.SUCCESS(f"Hanoi data loaded ({summary})."))
        call_command("train_topic_model", if_missing=True, stdout=self.stdout)  # the first model (< 1 s)
