"""Settings shared by every mode (ihanoi/settings/{development,test,production}.py import this).

Everything comes from the environment (django-environ). The values that differ by mode — DEBUG, SECRET_KEY,
ALLOWED_HOSTS, SITE_URL, static storage, HTTPS — are set by the mode's module, never here. The defaults left
here (SQLite, filesystem broker, console email) are the embedded default's; production.py refuses them.
"""
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

VAR_DIR = Path(env("VAR_DIR", default=str(BASE_DIR / "var")))

DEBUG = False
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "ihanoi.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "leaflet",
    "agencies",
    "feedback",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "ihanoi.urls"
WSGI_APPLICATION = "ihanoi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database: SQLite by default, PostgreSQL via DATABASE_URL -------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: Celery broker and cache when REDIS_URL is set -------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
# Publishing must fail fast when the broker is down: the outbox keeps the work and a periodic task retries.
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_BROKER_CONNECTION_TIMEOUT = 1.0  # seconds (Celery's default is 4): an enqueue in a request never hangs
if REDIS_URL:
    # A Redis outage must not refuse a request (ihanoi/cache.py): short timeouts, then misses and dropped writes.
    CACHES = {"default": {"BACKEND": "ihanoi.cache.FailSoftRedisCache", "LOCATION": REDIS_URL,
                          "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.5}}}
    CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
    CELERY_BROKER_TRANSPORT_OPTIONS |= {"socket_connect_timeout": 1.0, "socket_timeout": 5.0}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
    _broker_dir = VAR_DIR / "celery" / "broker"
    _broker_dir.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS |= {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "control_folder": str(VAR_DIR / "celery" / "control"),  # broadcast exchanges, not the cwd
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "Asia/Ho_Chi_Minh"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celery" / "beat-schedule")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# A queue of its own lets a test (or a second portal on the same Redis) run an isolated worker.
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="celery")
# Deadline sweeps (feedback/sweeps.py). Times are Asia/Ho_Chi_Minh (CELERY_TIMEZONE). A sweep still queued
# when the next one is due is dropped (expires): sweeps catch up by themselves.
SWEEP_INTERVAL = env.float("IHANOI_SWEEP_INTERVAL", default=300.0)
CELERY_BEAT_SCHEDULE: dict = {
    "drain-outbox": {"task": "feedback.tasks.drain_outbox", "schedule": min(60.0, SWEEP_INTERVAL)},
    "sweep-overdue": {
        "task": "feedback.tasks.sweep_overdue", "schedule": SWEEP_INTERVAL, "options": {"expires": SWEEP_INTERVAL},
    },
    "due-soon-reminders": {
        "task": "feedback.tasks.send_due_soon_reminders",
        "schedule": crontab(minute=0, hour="8-16"),  # every hour in office hours (make-up Saturdays too)
        "options": {"expires": 3000},
    },
    "escalate-overdue": {
        "task": "feedback.tasks.escalate_overdue", "schedule": crontab(minute="*/15"), "options": {"expires": 800},
    },
    "daily-digest": {
        "task": "feedback.tasks.send_daily_digests", "schedule": crontab(hour=7, minute=30),
        "options": {"expires": 6 * 3600},
    },
    # the days whose cases changed, recomputed between reads (feedback/tally.py; reads refresh what is left)
    "refresh-tally": {"task": "feedback.tasks.refresh_tally", "schedule": 30.0, "options": {"expires": 30}},
    "make-missing-thumbnails": {"task": "feedback.tasks.make_missing_thumbnails", "schedule": 300.0},
    "purge-pending-photos": {"task": "feedback.tasks.purge_pending_photos", "schedule": 24 * 3600.0},
}

# --- Auth -------------------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# --- i18n: Vietnamese by default, English on request --------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Originals of citizens' photos (with EXIF/GPS) are kept outside MEDIA_ROOT and never served.
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": None},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 60 * 1024 * 1024
PHOTO_MAX_BYTES = env.int("PHOTO_MAX_BYTES", default=10 * 1024 * 1024)
PHOTO_MAX_PIXELS = env.int("PHOTO_MAX_PIXELS", default=40_000_000)
PHOTOS_PER_REPORT = 5

# --- Email -------------------------------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="iHanoi <no-reply@ihanoi.localhost>")

# --- Map ---------------------------------------------------------------------------------------------------------
LEAFLET_CONFIG = {
    "DEFAULT_CENTER": (21.0285, 105.8542),
    "DEFAULT_ZOOM": 13,
    "MIN_ZOOM": 9,
    "MAX_ZOOM": 19,
    "TILES": [
        (
            "OpenStreetMap",
            env("MAP_TILES_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png"),
            {"attribution": env("MAP_TILES_ATTRIBUTION", default="&copy; OpenStreetMap contributors"), "maxZoom": 19},
        )
    ],
    "RESET_VIEW": False,
}

# --- API ---------------------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: an app without valid credentials gets 401 with `WWW-Authenticate: Token`.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "feedback.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "feedback.api.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        # Anonymous report creation through /api/v1/reports/, per client IP.
        "anon_report": env("API_ANON_REPORT_RATE", default="20/hour"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "iHanoi feedback portal API",
    "DESCRIPTION": "REST API for the iHanoi apps (/api/v1/). Partner systems use Open311 GeoReport v2 at "
    "/api/georeport/v2/ (see the README).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",  # Swagger UI assets served from our static files, never from a CDN
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "WardKindEnum": "agencies.models.WardKind",
        "PhotoKindEnum": "feedback.models.PhotoKind",
        "CaseStatusEnum": "feedback.lifecycle.CaseStatus",
        "EventKindEnum": "feedback.lifecycle.EventKind",
        "OutcomeEnum": "feedback.lifecycle.Outcome",
        "ResolvedOutcomeEnum": "feedback.api.serializers.RESOLVED_CHOICES",
        "RejectedOutcomeEnum": "feedback.api.serializers.REJECTED_CHOICES",
    },
}
OPEN311_JURISDICTION_ID = env("OPEN311_JURISDICTION_ID", default="hanoi")

# --- Case rules ------------------------------------------------------------------------------------------------
ACCEPT_WITHIN_WORKING_HOURS = env.int("ACCEPT_WITHIN_WORKING_HOURS", default=8)
REOPEN_WINDOW_DAYS = env.int("REOPEN_WINDOW_DAYS", default=7)
URGENT_RESOLVE_WORKING_HOURS = env.int("URGENT_RESOLVE_WORKING_HOURS", default=4)
COMPLEX_MIN_WORKING_DAYS = env.int("COMPLEX_MIN_WORKING_DAYS", default=10)
DUE_SOON_WORKING_DAYS = env.int("DUE_SOON_WORKING_DAYS", default=1)
ESCALATE_AFTER_WORKING_DAYS = env.int("ESCALATE_AFTER_WORKING_DAYS", default=2)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
