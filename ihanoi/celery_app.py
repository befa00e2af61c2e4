"""The Celery application: settings come from Django (CELERY_* names), tasks are autodiscovered.

Database connections in a worker live as in a web process: kept between tasks for CONN_MAX_AGE and checked
before reuse (CONN_HEALTH_CHECKS). Celery's Django fixup closes every connection around every task unless
CELERY_DB_REUSE_MAX is set (ihanoi/settings/base.py), which cost a new PostgreSQL session per task — about 5 ms
of PostgreSQL CPU for each report's receipt, more than the report's own INSERTs. So the fixup closes them only
every CELERY_DB_REUSE_MAX tasks, and each task starts and ends with Django's own `close_old_connections()`, as a
request does.
"""
import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ihanoi.settings.production")

app = Celery("ihanoi")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect(dispatch_uid="ihanoi-db-prerun")
@task_postrun.connect(dispatch_uid="ihanoi-db-postrun")
def _close_old_connections(task=None, **_kwargs) -> None:
    """A connection past CONN_MAX_AGE, or broken, is closed (the next query opens a new one), as Django does at
    the start and end of each request. Not for eager tasks: they run inside the caller's transaction."""
    if task is not None and getattr(task.request, "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()
