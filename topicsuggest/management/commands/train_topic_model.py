from django.core.management.base import BaseCommand

from topicsuggest.training import ALGORITHMS, DEFAULT_ALGORITHM, train_and_store


class Command(BaseCommand):
    help = "Train the topic suggestion model (seed phrases + staff topic corrections) and store a new version."

    def add_arguments(self, parser):
        parser.add_argument("--algorithm", default=DEFAULT_ALGORITHM, choices=ALGORITHMS)
        parser.add_argument("--if-missing", action="store_true", help="Only when no model is stored yet.")

    def handle(self, *args, algorithm, if_missing, **options):
        from topicsuggest.models import TopicModel

        if if_missing and TopicModel.objects.exists():
            self.stdout.write("Topic model present; not retrained.")
            return
        m = train_and_store(algorithm=algorithm)
        accuracy = f"{m.accuracy:.1%}" if m.accuracy is not None else "-"
        self.stdout.write(self.style.SUCCESS(
            f"Topic model #{m.pk} ({m.algorithm}): {m.seed_rows} seed rows, {m.correction_rows} corrections, "
            f"{m.features} features, {m.size_bytes} bytes, held-out accuracy {accuracy}, {m.train_seconds:.2f} s."))
