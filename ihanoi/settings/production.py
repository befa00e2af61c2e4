"""Production: DEBUG is off whatever the environment says, and nothing has a silent default — a missing secret
or service stops start-up with ImproperlyConfigured naming the variable.

HTTPS is terminated by a reverse proxy (nginx, a load balancer) that must set ``X-Forwarded-Proto: https`` and
overwrite any such header from the client: Django trusts it (SECURE_PROXY_SSL_HEADER) to know the request was
secure, to redirect plain HTTP and to mark cookies secure. Never expose gunicorn directly to the Internet.
"""
from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403
from .base import REDIS_URL, STORAGES, env

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
SITE_URL = env("SITE_URL").rstrip("/")  # the public https:// address, used for links in emails
for _name in ("DATABASE_URL", "EMAIL_URL"):
    env(_name)  # required: raises ImproperlyConfigured when missing
if not REDIS_URL:
    raise ImproperlyConfigured("Set the REDIS_URL environment variable (Celery broker and cache in production).")
if not SITE_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured("SITE_URL must be an absolute URL such as https://phananh.example.vn")
del _name

STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}

# --- HTTPS behind a TLS-terminating proxy ---------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Cookies only over HTTPS, never read by scripts (the CSRF cookie stays readable: Swagger UI sends it back as
# the X-CSRFToken header), and not sent on cross-site subrequests or POSTs.
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = True
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
