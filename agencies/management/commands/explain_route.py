"""`manage.py explain_route --topic public-lighting --ward 00070`: which agency gets a report of this topic in
this ward, why (the reason a case would carry), and every rule that was considered, in the order tried."""
from django.core.management.base import BaseCommand, CommandError

from agencies.models import Topic
from agencies.routing import candidate_rules, explain, find_ward, route


class Command(BaseCommand):
    help = "Which agency gets topic T in ward W, and why (no SQL needed)."

    def add_arguments(self, parser):
        parser.add_argument("--topic", required=True, help="Topic code, e.g. public-lighting.")
        parser.add_argument("--ward", required=True, help="Ward code (00070) or name (Hoàn Kiếm, Phường Hoàn Kiếm).")

    def handle(self, *args, topic, ward, **options):
        found_topic = Topic.objects.filter(code=topic.strip()).first()
        if found_topic is None:
            raise CommandError(f"No topic with the code {topic!r}.")
        found_ward = find_ward(ward)
        if found_ward is None:
            raise CommandError(f"No ward with the code or name {ward!r}.")
        decision = route(topic=found_topic, ward=found_ward)
        self.stdout.write(f"{found_topic.code} in {found_ward.code} {found_ward.full_name}: "
                          + (str(decision.agency) if decision.agency else "dispatcher queue"))
        self.stdout.write(f"reason: {explain(decision.steps, translate=False)}")
        self.stdout.write("rules considered (the first active one wins):")
        for rule in candidate_rules(topic=found_topic, ward=found_ward):
            where = f"ward {found_ward.code}" if rule.ward_id else "city-wide"
            chosen = " ← chosen" if decision.rule and rule.pk == decision.rule.pk else ""
            self.stdout.write(f"  #{rule.pk} {where} priority {rule.priority} {rule.target}"
                              f" {rule.agency or ''}{chosen}".rstrip())
