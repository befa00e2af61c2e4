"""Settings by mode, the cookiecutter-django way: pick one with DJANGO_SETTINGS_MODULE.

- ``ihanoi.settings.production`` — the default of manage.py, wsgi, asgi and the Celery app: DEBUG off, and every
  secret and service (SECRET_KEY, ALLOWED_HOSTS, SITE_URL, DATABASE_URL, REDIS_URL, EMAIL_URL) required.
- ``ihanoi.settings.development`` — the embedded default that ``bin/run`` selects explicitly: SQLite, filesystem
  Celery broker, console email, a development secret key.
- ``ihanoi.settings.test`` — pytest (pyproject.toml): the development defaults plus fast password hashing.
"""
