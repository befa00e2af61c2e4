"""The daily tally of the dashboard's figures, and every answer records when it was given.

- Finished cases (rejected, closed) without a resolution time get the time of the event that finished them
  (or, failing that, their closing or last-change time), then a constraint keeps it so.
- The tally tables (per day, and the all-time open counts) are created and every receipt day that has cases is
  marked stale: the first read of the figures computes them, or `manage.py rebuild_tally` does it at once.
"""
from django.conf import settings
from django.db import migrations, models
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce, TruncDate
from zoneinfo import ZoneInfo

FINISHED = ["closed", "rejected", "resolved"]


def backfill_resolved_at(apps, schema_editor):
    Case = apps.get_model("feedback", "Case")
    CaseEvent = apps.get_model("feedback", "CaseEvent")
    finished_at = (CaseEvent.objects.filter(case=OuterRef("pk"), to_status__in=FINISHED)
                   .order_by("created_at", "pk").values("created_at")[:1])
    Case.objects.filter(status__in=FINISHED, resolved_at__isnull=True).update(
        resolved_at=Coalesce(Subquery(finished_at), F("closed_at"), F("updated_at")))


def mark_every_day_stale(apps, schema_editor):
    Case = apps.get_model("feedback", "Case")
    StaleTallyDay = apps.get_model("feedback", "StaleTallyDay")
    days = (Case.objects.order_by().annotate(d=TruncDate("received_at", tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")))
            .values_list("d", flat=True).distinct())
    StaleTallyDay.objects.bulk_create([StaleTallyDay(day=d) for d in sorted(days)], batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ('agencies', '0002_rule_clash_message'),
        ('feedback', '0007_case_timed_hours_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='CaseTally',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('dim', models.CharField(choices=[('city', 'whole city'), ('agency', 'agency'), ('ward', 'ward'), ('topic', 'topic')], max_length=6)),
                ('key', models.PositiveIntegerField(default=0)),
                ('received', models.PositiveIntegerField(default=0)),
                ('handled', models.PositiveIntegerField(default=0)),
                ('fixed', models.PositiveIntegerField(default=0)),
                ('rejected', models.PositiveIntegerField(default=0)),
                ('on_time', models.PositiveIntegerField(default=0)),
                ('finished_late', models.PositiveIntegerField(default=0)),
                ('open', models.PositiveIntegerField(default=0)),
                ('open_dated', models.PositiveIntegerField(default=0)),
                ('unanswered_dated', models.PositiveIntegerField(default=0)),
                ('accept_on_time', models.PositiveIntegerField(default=0)),
                ('accept_late_answered', models.PositiveIntegerField(default=0)),
                ('timed', models.PositiveIntegerField(default=0)),
                ('hours_sum', models.FloatField(default=0)),
                ('rated', models.PositiveIntegerField(default=0)),
                ('rating_sum', models.PositiveIntegerField(default=0)),
                ('satisfied', models.PositiveIntegerField(default=0)),
                ('reopened', models.PositiveIntegerField(default=0)),
                ('answered', models.PositiveIntegerField(default=0)),
            ],
        ),
        migrations.CreateModel(
            name='OpenTally',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('dim', models.CharField(choices=[('city', 'whole city'), ('agency', 'agency'), ('ward', 'ward'), ('topic', 'topic')], max_length=6)),
                ('key', models.PositiveIntegerField(default=0)),
                ('open_dated', models.PositiveIntegerField(default=0)),
                ('unanswered_dated', models.PositiveIntegerField(default=0)),
            ],
        ),
        migrations.CreateModel(
            name='StaleTallyDay',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('created_at', models.DateTimeField(auto_now_add=True)),
            ],
        ),
        migrations.RemoveConstraint(
            model_name='case',
            name='resolved_case_has_resolved_at',
        ),
        migrations.RunPython(backfill_resolved_at, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('status__in', ['assigned', 'in_progress', 'received', 'reopened'])), fields=['received_at'], include=('agency', 'ward', 'topic', 'due_at', 'accept_due_at', 'accepted_at', 'resolved_at'), name='case_open_clock'),
        ),
        migrations.AddConstraint(
            model_name='case',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status__in', ['closed', 'rejected', 'resolved']), _negated=True), ('resolved_at__isnull', False), _connector='OR'), name='finished_case_has_resolved_at'),
        ),
        migrations.AddIndex(
            model_name='casetally',
            index=models.Index(fields=['dim', 'day'], name='tally_dim_day'),
        ),
        migrations.AddConstraint(
            model_name='casetally',
            constraint=models.UniqueConstraint(fields=('day', 'dim', 'key'), name='tally_day_dim_key_unique'),
        ),
        migrations.AddConstraint(
            model_name='casetally',
            constraint=models.CheckConstraint(condition=models.Q(('dim__in', ['city', 'agency', 'ward', 'topic'])), name='tally_dim_valid'),
        ),
        migrations.AddConstraint(
            model_name='casetally',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('dim', 'city'), _negated=True), ('key', 0), _connector='OR'), name='tally_city_key_0'),
        ),
        migrations.AddConstraint(
            model_name='opentally',
            constraint=models.UniqueConstraint(fields=('dim', 'key'), name='open_tally_dim_key_unique'),
        ),
        migrations.RunPython(mark_every_day_stale, migrations.RunPython.noop),
    ]
