import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ihanoi.settings.production")
application = get_asgi_application()

from ihanoi.warmup import warm_up  # noqa: E402 (needs the apps loaded)

warm_up()  # the worker's one-time costs before its first visitor, not during
