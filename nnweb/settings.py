"""Settings for nnweb, read from environment variables with embedded defaults.

With nothing set, nnweb runs embedded: a SQLite file under var/, an in-memory channel
layer, a local-memory cache and local media files. Set DATABASE_URL (PostgreSQL) and
REDIS_URL to scale out. Every variable is listed in README.md ("Configuration").
"""

from __future__ import annotations

import os
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("NNWEB_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    value = value.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"Environment variable {name}={value!r} is not a boolean (use 1/0).")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"Environment variable {name}={value!r} is not an integer."
        ) from exc


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


# --- Core -------------------------------------------------------------------------------

# Off unless asked for: Django's debug pages show settings and URLs to whoever hits an error.
DEBUG = env_bool("DEBUG", False)


def _secret_key() -> str:
    """SECRET_KEY from the environment, else generated once into var/secret_key (mode 0600)."""
    key = os.environ.get("SECRET_KEY", "")
    if key:
        return key
    path = VAR_DIR / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    import secrets

    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process wrote it first
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


SECRET_KEY = _secret_key()

# The host `make run` binds (HOST). On a loopback address the local names are served; any
# other address must say which names it answers to (ALLOWED_HOSTS), or nnweb refuses to start.
LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
BIND_HOST = os.environ.get("HOST", "127.0.0.1")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
if not ALLOWED_HOSTS:
    if BIND_HOST not in {"127.0.0.1", "localhost", "::1", "[::1]"}:
        raise ImproperlyConfigured(
            f"HOST={BIND_HOST} is not a loopback address: set ALLOWED_HOSTS to the host names "
            "nnweb is reached by (comma-separated)."
        )
    ALLOWED_HOSTS = LOOPBACK_HOSTS
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "drf_standardized_errors",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "nnweb.core",
    "nnweb.accounts",
    "nnweb.playground",
    "nnweb.datasets",
    "nnweb.training",
    "nnweb.modelzoo",
    "nnweb.segmentation",
    "nnweb.lessons",
    "lti_tool",
    "nnweb.classes",
    "frontend",
]

MIDDLEWARE = [
    # Outermost: a locked or unreachable database answers JSON 503 + Retry-After (scale).
    "nnweb.core.db_busy.DatabaseBusyMiddleware",
    # First, so that it also answers JSON for errors raised in the middlewares below it.
    "nnweb.core.errors.ApiErrorMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    # Last, as django-axes asks: it answers the login form's lock-out.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "nnweb.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "frontend.context_processors.nnweb",
            ],
        },
    },
]

WSGI_APPLICATION = None
ASGI_APPLICATION = "nnweb.asgi.application"

# --- Database ---------------------------------------------------------------------------

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'nnweb.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if DATABASES["default"]["NAME"] and DATABASES["default"]["NAME"] != ":memory:":
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets the web process read while the db_worker writes progress.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault(
        "init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
    # Seconds a writer waits for another process's write lock (web requests wait less:
    # NNWEB_DB_BUSY below; the worker retries after it: nnweb/training/.../worker.py).
    DATABASES["default"]["OPTIONS"].setdefault("timeout", env_int("NNWEB_SQLITE_BUSY_TIMEOUT", 20))
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
    # Tests use a file (not an in-memory) database, one per test process, so that a real
    # `db_worker` subprocess can share it (tests/web/training/test_worker.py).
    DATABASES["default"].setdefault("TEST", {}).setdefault(
        "NAME", str(Path(tempfile.gettempdir()) / f"nnweb-test-{os.getpid()}.sqlite3")
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Channels and cache ------------------------------------------------------------------

REDIS_URL = os.environ.get("REDIS_URL", "")

if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # redis-py 8 reads with a 5 s socket timeout by default, the same as channels_redis'
            # blocking BZPOPMIN; a longer socket timeout keeps idle consumers from erroring.
            # Its pools also stop at 100 connections and then raise instead of waiting: a class
            # of 200 opening their playgrounds at once (each joining its class group) needs more.
            "CONFIG": {
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "socket_timeout": 15,
                        "max_connections": env_int("NNWEB_REDIS_MAX_CONNECTIONS", 1000),
                    }
                ],
                "prefix": "nnweb",
            },
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "nnweb",
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "nnweb",
        }
    }

# --- Background tasks (django.tasks API; django-tasks-db backend, `manage.py db_worker`) ---

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        # An empty list accepts every queue name; run workers with --queue-name '*'
        # or with the queues they should serve.
        "QUEUES": [],
    }
}

# --- Auth -------------------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes bounds password guessing on the login form and the token endpoint alike (both go
# through authenticate()): after AXES_FAILURE_LIMIT failures for one user name from one address,
# that pair is locked out for AXES_COOLOFF_TIME; the message says when to try again.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("NNWEB_LOGIN_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("NNWEB_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "nnweb.accounts.lockout.lockout_response"
# One trusted-proxy count for axes and DRF's throttles alike: X-Forwarded-For is believed only
# when nnweb runs behind that many proxies (NNWEB_TRUSTED_PROXIES; 0 = use the peer address).
TRUSTED_PROXIES = env_int("NNWEB_TRUSTED_PROXIES", 0)
if TRUSTED_PROXIES:
    AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXIES
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# --- I18N -------------------------------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and media -------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
if DEBUG:
    # WhiteNoise warns about a missing STATIC_ROOT even when it serves from the finders.
    try:
        STATIC_ROOT.mkdir(parents=True, exist_ok=True)
    except OSError:
        pass
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed names once `collectstatic` (make run with DEBUG off) has written its manifest.
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG and (STATIC_ROOT / "staticfiles.json").exists()
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Vite writes content-hashed names already; WhiteNoise may cache them forever.
WHITENOISE_IMMUTABLE_FILE_TEST = r"^.+/frontend/build/assets/.+$"
VITE_MANIFEST_PATH = (
    BASE_DIR / "frontend" / "static" / "frontend" / "build" / ".vite" / "manifest.json"
)
VITE_BASE_URL = STATIC_URL + "frontend/build/"

DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 10 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = env_int("FILE_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)

# --- Security ---------------------------------------------------------------------------
# HTTPS-only settings follow HTTPS (served over https, directly or behind a proxy), not DEBUG,
# so that plain http on loopback works with DEBUG off and the browser tests' live server too.

HTTPS = env_bool("HTTPS", False)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", HTTPS)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", HTTPS)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", HTTPS)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", HTTPS)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", HTTPS)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp 4 format). Scripts only from our own origin, never inline:
# the pages are Vite modules and their data travels in json_script blocks (not executed).
# Styles from our own origin; style *attributes* are allowed because KaTeX's HTML output sets
# heights, margins and widths in style="..." attributes (style-src-attr), while <style>
# elements stay refused (style-src-elem 'self'). Images may be data:/blob: URLs (canvas
# snapshots, generated PNGs). frame-ancestors 'none', except the embeddable playground view,
# which replaces it with 'self' (frontend/pages/playground.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-elem": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Permissions-Policy: nnweb uses none of these browser features.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
}

# --- REST API ---------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    # Closed by default: what each view allows is its own decision, stated on the view as
    # ``permission_classes`` (AllowAny said explicitly where anonymous visitors read: lessons,
    # the playground, the model zoo), so a view that forgets refuses everyone instead of
    # opening to all (tests/web/test_conventions.py also fails on such a view). Visibility is
    # a queryset's business: what you may not see is a 404.
    "DEFAULT_PERMISSION_CLASSES": ["nnweb.core.permissions.DenyAll"],
    # Counted atomically in the cache (nnweb.core.throttles), so concurrent requests all count.
    "DEFAULT_THROTTLE_CLASSES": [
        "nnweb.core.throttles.AnonRateThrottle",
        "nnweb.core.throttles.UserRateThrottle",
    ],
    "NUM_PROXIES": TRUSTED_PROXIES,
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("THROTTLE_ANON", "120/min"),
        "user": os.environ.get("THROTTLE_USER", "600/min"),
        # Scoped rates for expensive endpoints (nnweb.core.throttles).
        "burst": os.environ.get("THROTTLE_BURST", "60/min"),
        "heavy": os.environ.get("THROTTLE_HEAVY", "20/min"),
        # Token and login attempts from scripts.
        "auth": os.environ.get("THROTTLE_AUTH", "20/min"),
    },
    # One error shape for every API error (nnweb.core.errors): drf-standardized-errors.
    "EXCEPTION_HANDLER": "drf_standardized_errors.handler.exception_handler",
    # JSON bodies nested deeper than a few levels are refused (nnweb.core.parsers).
    "DEFAULT_PARSER_CLASSES": [
        "nnweb.core.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Documents the error responses (400 with each field's codes, 401, 403, 404, 429...).
    "DEFAULT_SCHEMA_CLASS": "drf_standardized_errors.openapi.AutoSchema",
}

DRF_STANDARDIZED_ERRORS = {
    "EXCEPTION_HANDLER_CLASS": "nnweb.core.errors.ExceptionHandler",
    "ALLOWED_ERROR_STATUS_CODES": ["400", "401", "403", "404", "405", "406", "413", "415", "429"],
    # One documented error component for every status (code is a plain string, not an enum
    # per field, so views may add their own codes without the schema going stale).
    "ERROR_SCHEMAS": {
        code: "nnweb.core.serializers.ErrorResponseSerializer"
        for code in ["400", "401", "403", "404", "405", "406", "413", "415", "429", "500"]
    },
}

SPECTACULAR_SETTINGS = {
    "TITLE": "nnweb API",
    "DESCRIPTION": "REST API of nnweb: lessons, playground, datasets, training, models, "
    "segmentation. Browser clients use session auth with CSRF; scripts use a token from "
    "POST /api/accounts/token/ in an `Authorization: Token <key>` header.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI from the installed sidecar package, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # `check --deploy` is about the deployment; the schema is checked by tests/web/core.
    "ENABLE_DJANGO_DEPLOY_CHECK": False,
    # Websocket message shapes as named components (OpenAPI has no websocket operations);
    # added after the enum pass, so their `type` constants stay inline literal enums.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "nnweb.core.ws_schema.add_websocket_messages",
    ],
    # Data sets and models share one visibility choice set: one enum in the schema.
    "ENUM_NAME_OVERRIDES": {
        "VisibilityEnum": "nnweb.datasets.models.Dataset.Visibility",
        "TaskEnum": "nnweb.datasets.models.Dataset.Task",  # TrainedModel.Task is the same one
        "HiddenActivationEnum": "nnweb.training.networks.HIDDEN_ACTIVATIONS",
    },
}

# --- Classes ----------------------------------------------------------------------------

SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {})["AssignmentKindEnum"] = (
    "nnweb.classes.models.Assignment.Kind"
)

# The playground's "problem" and the datasets' "task" share one choice set: one enum name.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]["ProblemKindEnum"] = "nnweb.playground.config.PROBLEMS"
# The controls a classroom link hides: one enum for the link, its request and the options.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]["HideableControlEnum"] = (
    "nnweb.playground.controls.HIDEABLE_CONTROLS"
)
# "state" and "gradcheck" are both an action's name and its reply's type: one enum each.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]["PlaygroundStateEnum"] = ["state"]
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]["PlaygroundGradcheckEnum"] = ["gradcheck"]

# --- nnweb limits (protect the server; apps read these instead of hard-coding) ------------

NNWEB_LIMITS = {
    # Playground / stepping a network interactively.
    "MAX_LAYERS": env_int("NNWEB_MAX_LAYERS", 8),
    "MAX_UNITS_PER_LAYER": env_int("NNWEB_MAX_UNITS_PER_LAYER", 256),
    "MAX_PLAYGROUND_SAMPLES": env_int("NNWEB_MAX_PLAYGROUND_SAMPLES", 2000),
    "WS_MESSAGES_PER_SECOND": env_int("NNWEB_WS_MESSAGES_PER_SECOND", 30),
    # Every websocket (nnweb.core.ws_guard): open sockets per user or address, message size.
    "WS_MAX_SOCKETS_PER_CLIENT": env_int("NNWEB_WS_MAX_SOCKETS_PER_CLIENT", 8),
    "WS_MAX_MESSAGE_BYTES": env_int("NNWEB_WS_MAX_MESSAGE_BYTES", 64 * 1024),
    # Datasets.
    "MAX_UPLOAD_BYTES": env_int("NNWEB_MAX_UPLOAD_BYTES", 50 * 1024 * 1024),
    "MAX_DATASET_ROWS": env_int("NNWEB_MAX_DATASET_ROWS", 200_000),
    "MAX_IMAGE_PIXELS": env_int("NNWEB_MAX_IMAGE_PIXELS", 4096 * 4096),
    # Training runs.
    "MAX_EPOCHS_STUDENT": env_int("NNWEB_MAX_EPOCHS_STUDENT", 50),
    "MAX_EPOCHS_INSTRUCTOR": env_int("NNWEB_MAX_EPOCHS_INSTRUCTOR", 500),
    "MAX_ACTIVE_RUNS_PER_USER": env_int("NNWEB_MAX_ACTIVE_RUNS_PER_USER", 2),
    "MAX_RUN_SECONDS": env_int("NNWEB_MAX_RUN_SECONDS", 1800),
    # A running run whose worker wrote no heartbeat for this long is failed (scale).
    "TRAIN_HEARTBEAT_TIMEOUT": env_int("NNWEB_TRAIN_HEARTBEAT_TIMEOUT", 30),
    # Segmentation.
    "MAX_SEGMENT_IMAGE_BYTES": env_int("NNWEB_MAX_SEGMENT_IMAGE_BYTES", 5 * 1024 * 1024),
    # Demo task.
    "MAX_PRIMES_N": env_int("NNWEB_MAX_PRIMES_N", 5_000_000),
}

# --- Busy database (scale: nnweb/core/db_busy.py) -----------------------------------------
# Web requests wait at most WEB_TIMEOUT s for SQLite's write lock (the worker keeps the 20 s
# busy timeout and retries), then answer 503 JSON with Retry-After: RETRY_AFTER.
NNWEB_DB_BUSY = {
    "WEB_TIMEOUT": env_int("NNWEB_DB_BUSY_WEB_TIMEOUT", 5),
    "RETRY_AFTER": env_int("NNWEB_DB_BUSY_RETRY_AFTER", 5),
}

# --- Logging ----------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        "django_tasks": {"level": os.environ.get("TASKS_LOG_LEVEL", "INFO")},
    },
}
