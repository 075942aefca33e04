"""Django settings. Everything configurable comes from the environment through greentech.config."""

import os
import sys

try:  # A modern SQLite (FTS5, JSON, extension loading) when the wheel is there; stdlib sqlite3 otherwise.
    import pysqlite3

    sys.modules["sqlite3"] = pysqlite3
except ImportError:  # pragma: no cover - non-Linux development machines
    pass

from django.utils.translation import gettext_lazy as _

from greentech import config

_env = config.load()

BASE_DIR = config.PACKAGE_DIR
VAR_DIR = _env.var
DEBUG = _env.debug
SECRET_KEY = _env.secret_key
ALLOWED_HOSTS = _env.allowed_hosts
CSRF_TRUSTED_ORIGINS = _env.csrf_trusted_origins

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "django_prometheus",
    "django_htmx",
    "greentech.core",
    "greentech.taxonomy",
    "greentech.registry",
    "greentech.accounts",
    "greentech.recognitions",
    "greentech.inbox",
    "greentech.classification",
    "greentech.market",
    "greentech.deals",
    "greentech.patents",
    "greentech.roadmap",
    "greentech.portal",
    "import_export",  # after the platform's apps: its own import/export commands must not shadow ours
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "greentech.core.health.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "greentech.core.middleware.PortalLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "greentech.core.audit.AuditContextMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "greentech.urls"
WSGI_APPLICATION = "greentech.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "greentech.portal.context_processors.platform",
            ],
        },
    },
]

DATABASES = {"default": _env.database}

# per-process memory: what is cached across requests is keyed by stamps read from the database
# (core.freshness), so every app server sees a change at its next request without a shared cache
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": 5000},
    }
}
# A cache every app server shares, for what must hold across processes and machines: the sign-in and sign-up attempt
# limits (accounts.limits). Django's database cache on the embedded default (its table is made by `migrate` /
# `greentech init`); Redis in production with GREENTECH_CACHE_URL=redis://host:6379/0 (the `redis` package).
_shared_cache_url = os.environ.get("GREENTECH_CACHE_URL", "").strip()
CACHES["shared"] = (
    {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _shared_cache_url, "KEY_PREFIX": "greentech"}
    if _shared_cache_url.startswith(("redis://", "rediss://", "unix://"))
    else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "greentech_shared_cache"}
)
# The proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated): the client address of a
# request is its REMOTE_ADDR unless that is one of these (default: a proxy on this machine, nginx in front of
# gunicorn). GREENTECH_TRUSTED_PROXIES="" believes no header.
GREENTECH_TRUSTED_PROXIES = [
    entry.strip() for entry in os.environ.get("GREENTECH_TRUSTED_PROXIES", "127.0.0.1,::1").split(",") if entry.strip()
]
# every password sign-in (portal, admin) passes the attempt limits
AUTHENTICATION_BACKENDS = ["greentech.accounts.limits.LimitedModelBackend"]
# GREENTECH_RENDER_CACHE=0 renders every anonymous list page and API list afresh (to measure without the cache)
GREENTECH_RENDER_CACHE = _env.render_cache
# the job engine (core.jobs): Huey on SQLite (embedded default), on Redis (production), or immediate (tests)
GREENTECH_JOBS_URL = _env.jobs_url
# /metrics answers loopback clients without a proxy, or a request with "Authorization: Bearer <token>"
GREENTECH_METRICS_TOKEN = _env.metrics_token
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "portal:home"
# Bootstrap names the error alert "danger" (the templates render alert-{{ message.tags }})
MESSAGE_TAGS = {40: "danger"}  # django.contrib.messages.constants.ERROR
LOGOUT_REDIRECT_URL = "portal:home"

# Chinese first: zh-hans is the default; English is the second language.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every start when it is missing
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if "pytest" in sys.modules:  # tests render templates without running collectstatic first
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["greentech.core.drf.RestrictedPermission"],
    # JSON nested too deeply is a 400 (core.drf.JSONParser), not a RecursionError
    "DEFAULT_PARSER_CLASSES": [
        "greentech.core.drf.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "greentech.core.drf.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "greentech.core.drf.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Liaoning Green Technology Innovation Platform API",
    "DESCRIPTION": "辽宁省绿色技术创新服务平台 REST API. Session or token authentication (Authorization: Token KEY).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # choice sets that share a field name get names of their own
    "ENUM_NAME_OVERRIDES": {
        "DealStageEnum": "greentech.deals.models.Stage",
        "OfferStageEnum": "greentech.market.models.Offer.Stage",
        "ListingStatusEnum": "greentech.market.models.Status",
        "TransactionModeEnum": "greentech.market.models.Mode",
        "ProgressStatusEnum": "greentech.roadmap.models.ProgressReport.Status",
    },
}

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# Roadmap warnings: "due soon" this many days before a deliverable's end; "missing report" after this many days
# without one while it runs.
GREENTECH_ROADMAP_DUE_SOON_DAYS = _env.roadmap_due_soon_days
GREENTECH_ROADMAP_REPORT_INTERVAL_DAYS = _env.roadmap_report_interval_days
GREENTECH_ROADMAP_WEIGHTS = _env.roadmap_weights
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "greentech.core.health.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"},
        # GREENTECH_LOG_FORMAT=json: one JSON object per line (python-json-logger), for a log collector
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(process)d %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": _env.log_format, "filters": ["request_id"]}
    },
    "root": {"handlers": ["console"], "level": _env.log_level},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "bm25s": {"level": "WARNING"}},
}
