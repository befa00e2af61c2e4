"""The Celery application: settings come from Django (CELERY_* names), tasks are autodiscovered."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ihanoi.settings.production")

app = Celery("ihanoi")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
