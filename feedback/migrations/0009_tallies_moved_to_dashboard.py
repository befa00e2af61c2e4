"""The tallies now belong to the dashboard app (dashboard/0001): state only, the tables stay."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('feedback', '0008_daily_tally'),
        ('dashboard', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name='CaseTally'),
                migrations.DeleteModel(name='OpenTally'),
                migrations.DeleteModel(name='StaleTallyDay'),
            ],
        ),
    ]
