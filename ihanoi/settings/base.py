"""Settings shared by every mode (ihanoi/settings/{development,test,production}.py import this).

Everything comes from the environment (django-environ). The values that differ by mode — DEBUG, SECRET_KEY,
ALLOWED_HOSTS, SITE_URL, static storage, HTTPS — are set by the mode's module, never here. The defaults left
here (SQLite, filesystem broker, console email) are the embedded default's; production.py refuses them.

Over 300 lines: settings are a flat list, grouped by subject with comments.
"""
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _
from kombu import Queue

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
    "axes",  # login lockout (AccessAttempt rows, shown in the admin)
    "csp",  # Content-Security-Policy header and the per-response script nonce
    "django_ratelimit",  # per-IP counters of the anonymous web forms (feedback/ratelimits.py); its cache checks
    "agencies",
    "feedback",
    "dashboard",
    "topicsuggest",
    "offline",  # offline-safe report form: web app manifest, service worker, idempotency keys
    "notify_channels",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "ihanoi.page_cache.SharedPageMiddleware",  # the cached copy of a public page without a form, answered here
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ihanoi.middleware.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "ihanoi.db_router.ReplicaMiddleware",  # read replica (city-scale topology): no-op without DATABASE_REPLICA_URL
    "axes.middleware.AxesMiddleware",  # last: turns a lockout flagged during authenticate() into the 429 page
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

# --- Read replica (city-scale topology): off unless DATABASE_REPLICA_URL is set --------------------------------
# ihanoi/db_router.py sends the dashboard's, board's, map's and public lists' reads to "replica" and everything
# else (writes, reads in a transaction, a request that has just written) to "default".
DATABASE_REPLICA_URL = env("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = env.db_url_config(DATABASE_REPLICA_URL)
    DATABASES["replica"] |= {
        "ATOMIC_REQUESTS": False, "CONN_MAX_AGE": DATABASES["default"].get("CONN_MAX_AGE", 0),
        "CONN_HEALTH_CHECKS": True, "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["ihanoi.db_router.ReplicaRouter"]
# a request that wrote (any method but GET/HEAD) reads the primary for this long through a cookie (replica lag)
REPLICA_STICKY_SECONDS = env.int("REPLICA_STICKY_SECONDS", default=10)
# --- end read replica ------------------------------------------------------------------------------------------

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
# The worker keeps its database connections between tasks (ihanoi/celery_app.py); Celery's Django fixup closes them
# only every this many tasks (unset, it closed them around every task: a new PostgreSQL session per task).
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1000)
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
# Deadline sweeps (feedback/services/sweeps.py). Times are Asia/Ho_Chi_Minh (CELERY_TIMEZONE). A sweep still queued
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
    "close-answered": {  # resolved cases whose REOPEN_WINDOW_DAYS ended
        "task": "feedback.tasks.close_answered_cases", "schedule": crontab(minute="*/15"), "options": {"expires": 800},
    },
    "daily-digest": {
        "task": "feedback.tasks.send_daily_digests", "schedule": crontab(hour=7, minute=30),
        "options": {"expires": 6 * 3600},
    },
    # the days whose cases changed, recomputed between reads (dashboard/tally.py; reads refresh what is left)
    "refresh-tally": {"task": "dashboard.tasks.refresh_tally", "schedule": 30.0, "options": {"expires": 30}},
    "make-missing-thumbnails": {"task": "feedback.tasks.make_missing_thumbnails", "schedule": 300.0},
    "purge-pending-photos": {"task": "feedback.tasks.purge_pending_photos", "schedule": 24 * 3600.0},
    # the topic suggestion model learns the day's staff topic corrections (topicsuggest/training.py)
    "train-topic-model": {
        "task": "topicsuggest.tasks.train_topic_model", "schedule": crontab(hour=2, minute=30),
        "options": {"expires": 6 * 3600},
    },
    # staff transfer patterns offered as routing rules in the admin (agencies/learning.py)
    "suggest-routing-rules": {
        "task": "agencies.tasks.suggest_routing_rules", "schedule": crontab(hour=3, minute=0),
        "options": {"expires": 6 * 3600},
    },
}
# Topic suggestion (topicsuggest/): the report form suggests a topic from this confidence up; the staff case
# page flags a case as maybe misfiled from the second one up; /suggest-topic/ answers this many calls per
# minute per client address.
TOPIC_SUGGEST_MIN_CONFIDENCE = env.float("TOPIC_SUGGEST_MIN_CONFIDENCE", default=0.5)
TOPIC_MISFILED_MIN_CONFIDENCE = env.float("TOPIC_MISFILED_MIN_CONFIDENCE", default=0.6)
TOPIC_SUGGEST_RATE_PER_MINUTE = env.int("TOPIC_SUGGEST_RATE_PER_MINUTE", default=60)

# --- Notification channels (notify_channels/): SMS and Zalo are off unless configured here -------------------
# SMS: a generic HTTP gateway, JSON POST {"from", "to", "text"} with a bearer token (README "Notification
# channels"). Zalo: the Official Account API (v3.0/oa/message/cs) with the OA access token. Failed SMS/Zalo
# messages are retried after these delays (seconds), then marked failed.
SMS_GATEWAY_URL = env("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_TOKEN = env("SMS_GATEWAY_TOKEN", default="")
SMS_SENDER_ID = env("SMS_SENDER_ID", default="iHanoi")
ZALO_OA_API_URL = env("ZALO_OA_API_URL", default="https://openapi.zalo.me")
ZALO_OA_ACCESS_TOKEN = env("ZALO_OA_ACCESS_TOKEN", default="")
NOTIFY_HTTP_TIMEOUT = env.float("NOTIFY_HTTP_TIMEOUT", default=5.0)
NOTIFY_RETRY_BACKOFF = [int(s) for s in env.list("NOTIFY_RETRY_BACKOFF", default=["60", "300", "1800", "7200"])]
# --- end notification channels -----------------------------------------------------------------------------

# --- Celery queues (city-scale topology): one queue per kind of work, so a backlog of one never delays another --
# A worker takes the queues named in CELERY_QUEUES (bin/prod worker; default: all of them). With an isolated
# CELERY_TASK_DEFAULT_QUEUE (tests, a second portal on the same Redis) every queue is prefixed with it.
CELERY_QUEUE_GROUPS = ("notifications", "sweeps", "images")
_queue_prefix = "" if CELERY_TASK_DEFAULT_QUEUE == "celery" else f"{CELERY_TASK_DEFAULT_QUEUE}."
CELERY_TASK_QUEUES = [
    Queue(name, routing_key=name) for name in (CELERY_TASK_DEFAULT_QUEUE, *(f"{_queue_prefix}{group}" for group in CELERY_QUEUE_GROUPS))
]
_QUEUE_OF_TASK = {
    "notifications": ("send_outbox_message", "send_outbox_messages", "drain_outbox", "send_daily_digests"),
    "sweeps": ("sweep_overdue", "escalate_overdue", "send_due_soon_reminders", "close_answered_cases"),
    "images": ("make_photo_thumbnail", "make_missing_thumbnails", "purge_pending_photos"),
}  # anything else (refresh_tally, tasks added later) stays on the default queue
CELERY_TASK_ROUTES = {
    f"feedback.tasks.{task}": {"queue": f"{_queue_prefix}{group}"}
    for group, tasks in _QUEUE_OF_TASK.items() for task in tasks
}
# --- end Celery queues -------------------------------------------------------------------------------------

# --- Auth -------------------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Axes first: it refuses a locked-out username+IP before ModelBackend checks the password.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]  # one person's typos never lock out a whole office NAT
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "ihanoi.client_ip.client_ip"
AXES_LOCKOUT_CALLABLE = "ihanoi.lockout.lockout_response"  # the login page again, in the reader's language
AXES_VERBOSE = False
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
# Files a browser asks for at the site root (/favicon.ico), served there by WhiteNoise in every mode.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
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

# --- Object storage (city-scale topology): S3-compatible through django-storages, off unless a bucket is set ---
# Public bucket: photos without EXIF and thumbnails, read by anyone. Private bucket (or the prefix
# AWS_PRIVATE_LOCATION of the same bucket): originals with EXIF/GPS and pending uploads, never public; staff
# get a presigned GET valid PRIVATE_URL_TTL seconds (feedback/private_media.py). See ihanoi/object_storage.py.
PRIVATE_URL_TTL = env.int("PRIVATE_URL_TTL", default=300)
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    from ihanoi.object_storage import s3_storages

    STORAGES |= s3_storages(
        bucket=AWS_STORAGE_BUCKET_NAME,
        private_bucket=env("AWS_PRIVATE_BUCKET_NAME", default=""),
        private_location=env("AWS_PRIVATE_LOCATION", default="private"),
        endpoint_url=env("AWS_S3_ENDPOINT_URL", default=""),
        region=env("AWS_S3_REGION_NAME", default=""),
        access_key=env("AWS_ACCESS_KEY_ID", default=""),
        secret_key=env("AWS_SECRET_ACCESS_KEY", default=""),
        public_acl=env("AWS_PUBLIC_ACL", default="public-read"),
        custom_domain=env("AWS_S3_CUSTOM_DOMAIN", default=""),
        ttl=PRIVATE_URL_TTL,
    )
# --- end object storage ----------------------------------------------------------------------------------------
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 60 * 1024 * 1024
PHOTO_MAX_BYTES = env.int("PHOTO_MAX_BYTES", default=10 * 1024 * 1024)
PHOTO_MAX_PIXELS = env.int("PHOTO_MAX_PIXELS", default=40_000_000)
PHOTOS_PER_REPORT = 5

# --- Email -------------------------------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="iHanoi <no-reply@ihanoi.localhost>")
# Seconds an SMTP connection may hang before the send fails (and the outbox retries it): without it a relay that
# stops answering holds a Celery worker forever.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=EMAIL_CONFIG.get("EMAIL_TIMEOUT") or 20)

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


def _csp_source(url: str) -> str:
    """The CSP source of a tile URL template: its scheme and host, "{s}." subdomains as a "*." wildcard."""
    parts = urlsplit(url)
    return f"{parts.scheme}://" + re.sub(r"^\{[^}]*\}\.", "*.", parts.netloc)


# --- Security headers (every mode; production.py adds HSTS, HTTPS redirects and secure cookies) -------------------
# Only what the pages use: our own scripts (vendored, static/) plus a per-response nonce for the map set-up that
# django-leaflet writes inline; styles and fonts from static/; images from us, the tile server, and data:/blob:
# (photo previews before upload, Swagger UI's and Leaflet's icons). No inline event handler or style attribute.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:", _csp_source(LEAFLET_CONFIG["TILES"][0][1])],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Django's defaults, named: the tile server gets our origin as Referer (its usage policy asks for one), nothing more.
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

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
# benchmarks/http_load.py: /bench/floor/, a bare view inserting one row (ihanoi/bench_floor.py); off by default
BENCH_FLOOR = env.bool("IHANOI_BENCH_FLOOR", default=False)

# --- Client IP and rate limits ---------------------------------------------------------------------------------
# How many reverse proxies in front of gunicorn append to X-Forwarded-For: 0 = the client is REMOTE_ADDR (a
# client-sent X-Forwarded-For is ignored); n = the n-th address from the end of X-Forwarded-For. One rule for
# DRF's throttles (NUM_PROXIES), the web-form limits and the login lockout (ihanoi/client_ip.py).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
REST_FRAMEWORK["NUM_PROXIES"] = TRUSTED_PROXY_COUNT
# Anonymous POSTs of the web pages, per client IP (an IPv6 client per /64), counted in the Django cache (Redis in
# production); DRF's rate format. A cache failure lets the request through (feedback/ratelimits.py).
WEB_REPORT_RATE = env("WEB_REPORT_RATE", default="20/hour")  # /report/, like API_ANON_REPORT_RATE for the API
WEB_TRACKING_ACTION_RATE = env("WEB_TRACKING_ACTION_RATE", default="30/hour")  # "me too", rating, reopening
RATELIMIT_IP_META_KEY = "ihanoi.client_ip.client_ip"
RATELIMIT_FAIL_OPEN = True
# Django's own RedisCache (atomic INCR) is simply not on django-ratelimit's list of known backends.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]

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

# Routing that learns from transfers (agencies/learning.py): a (topic, ward) whose cases staff moved from one
# agency to the same other one at least this many times in the window, and for at least this share of that
# topic's cases in that ward, is offered in the admin as a routing rule (nightly, "suggest-routing-rules").
ROUTING_SUGGEST_MIN_TRANSFERS = env.int("ROUTING_SUGGEST_MIN_TRANSFERS", default=10)
ROUTING_SUGGEST_WINDOW_DAYS = env.int("ROUTING_SUGGEST_WINDOW_DAYS", default=90)
ROUTING_SUGGEST_MIN_SHARE = env.float("ROUTING_SUGGEST_MIN_SHARE", default=0.5)
