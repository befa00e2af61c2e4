"""The tallies move here from feedback (feedback/0008 created their tables): state only, no table is rebuilt;
they keep their feedback_* table names, indexes and constraints."""

from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('feedback', '0008_daily_tally'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='StaleTallyDay',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('day', models.DateField()),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                    ],
                    options={
                        'db_table': 'feedback_staletallyday',
                    },
                ),
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
                    options={
                        'db_table': 'feedback_casetally',
                        'indexes': [models.Index(fields=['dim', 'day'], name='tally_dim_day')],
                        'constraints': [models.UniqueConstraint(fields=('day', 'dim', 'key'), name='tally_day_dim_key_unique'), models.CheckConstraint(condition=models.Q(('dim__in', ['city', 'agency', 'ward', 'topic'])), name='tally_dim_valid'), models.CheckConstraint(condition=models.Q(models.Q(('dim', 'city'), _negated=True), ('key', 0), _connector='OR'), name='tally_city_key_0')],
                    },
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
                    options={
                        'db_table': 'feedback_opentally',
                        'constraints': [models.UniqueConstraint(fields=('dim', 'key'), name='open_tally_dim_key_unique')],
                    },
                ),
            ],
        ),
    ]
