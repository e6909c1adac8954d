"""Castline settings, read from environment variables (README.md lists every one).

With no variables set this is a complete single-machine system: SQLite, local media, a
filesystem broker with a real worker process, and live events delivered across processes
through the notifications table. DATABASE_URL / REDIS_URL switch to Postgres / Redis.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured

from .env import env_bool, env_int, env_list, env_str

# Lets typed generics such as admin.ModelAdmin[Model] work at run time.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parents[3]
DATA_DIR = Path(env_str("DATA_DIR", str(BASE_DIR / "var"))).resolve()
MEDIA_ROOT = DATA_DIR / "media"
KEYS_DIR = DATA_DIR / "keys"
for _folder in (DATA_DIR, MEDIA_ROOT, KEYS_DIR, DATA_DIR / "static"):
    _folder.mkdir(parents=True, exist_ok=True)

# A public placeholder, refused in production below; not a secret.
DEV_SECRET_KEY = "castline-development-only-secret-key-do-not-use-in-production"  # noqa: S105
PRODUCTION = env_str("CASTLINE_ENV", "development") == "production"
SECRET_KEY = env_str("SECRET_KEY", DEV_SECRET_KEY)
DEBUG = env_bool("DEBUG", default=False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# This deployment's public address: the soft-binding resolver every signed manifest names
# (PUBLIC_BASE_URL/c2pa/sbr/v1); Stripe's return URLs read it too (settings/product.py).
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "channels",
    "core",
    "accounts",
    "events",
    "billing",
    "moderation",
    "generation",
    "cameo",
    "feed",
    "apikeys",
    "openai_api",
]

MIDDLEWARE = [
    "core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"
AUTH_USER_MODEL = "accounts.User"

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
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'castline.sqlite3'}")
DB_POOL_MAX = env_int("DB_POOL_MAX", 8)
# Executions of one SQL text on a pooled connection before Postgres keeps its plan (a prepared
# statement: parameters bound on the server, so every viewer shares one text). 0: never, for
# a transaction-pooling PgBouncer in front, which cannot keep them.
DB_PREPARE_THRESHOLD = env_int("DB_PREPARE_THRESHOLD", 2)
# Seconds between GIL hand-overs in the ASGI server (see config/asgi.py); Python default 0.005.
GIL_SWITCH_INTERVAL_S = float(env_str("GIL_SWITCH_INTERVAL_S", "0.0005"))
# How long a request waits for Postgres (a connection, or a free one from the pool) before it
# answers 503 service.unavailable.
DB_CONNECT_TIMEOUT_S = env_int("DB_CONNECT_TIMEOUT_S", 3)
DB_POOL_TIMEOUT_S = float(env_int("DB_POOL_TIMEOUT_S", 3))
DATABASES = {"default": dj_database_url.parse(
    DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 0), conn_health_checks=True)}
DB_IS_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
if DB_IS_POSTGRES and DB_POOL_MAX > 0:
    # A connection pool per process (psycopg_pool, built into Django). Under ASGI each request
    # runs on a thread of its own, so persistent connections would pile up per thread, and a
    # fresh connection per request costs Postgres a process fork every time.
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps them; Django must not
    DATABASES["default"]["OPTIONS"] = {
        "pool": {"min_size": 1, "max_size": DB_POOL_MAX, "timeout": DB_POOL_TIMEOUT_S}}
    if DB_PREPARE_THRESHOLD > 0:
        # Planning the feed queries costs Postgres about as much as running them.
        DATABASES["default"]["OPTIONS"].update(server_side_binding=True,
                                               prepare_threshold=DB_PREPARE_THRESHOLD)
if DB_IS_POSTGRES:
    # Postgres down or unreachable: a fast 503 (service.unavailable), not a long hang.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = DB_CONNECT_TIMEOUT_S
    # Django's backend with a step just before COMMIT (events take their ids there).
    DATABASES["default"]["ENGINE"] = "core.postgresql"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + a busy timeout let the web process and the worker write the same file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Covering indexes (INCLUDE) are a Postgres speed-up; SQLite simply ignores the extra columns.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- redis or embedded: broker, results, cache, channel layer -------------------------------
REDIS_URL = env_str("REDIS_URL")
# Seconds to reach Redis (cache, broker) before giving up: Redis down is a fast 503 or a
# degraded answer, never a hang.
REDIS_TIMEOUT_S = float(env_str("REDIS_TIMEOUT_S", "2"))
if REDIS_URL:
    CELERY_BROKER_URL = env_str("BROKER_URL") or REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CACHES = {"default": {"BACKEND": "core.redis_pool.SharedRedisCache", "LOCATION": REDIS_URL,
                          "OPTIONS": {"socket_connect_timeout": REDIS_TIMEOUT_S,
                                      "socket_timeout": REDIS_TIMEOUT_S}}}
    # Pub/sub channels are shared by every database of a Redis server: name them by database.
    _redis_db = urlparse(REDIS_URL).path.strip("/") or "0"
    CHANNEL_LAYERS = {"default": {
        "BACKEND": ("channels_redis.pubsub.RedisPubSubChannelLayer"
                    if env_str("EVENTS_CHANNEL_LAYER") == "pubsub"
                    else "channels_redis.core.RedisChannelLayer"),
        "CONFIG": {"hosts": [REDIS_URL], "prefix": f"asgi{_redis_db}"}}}
    # Whichever process commits publishes once per transaction; each web process subscribes.
    EVENTS_DELIVERY = env_str("EVENTS_DELIVERY", "redis")
    EVENTS_REDIS_CHANNEL = env_str("EVENTS_REDIS_CHANNEL", f"castline.events.{_redis_db}")
else:
    _broker_dir = DATA_DIR / "broker"
    for _folder in (_broker_dir / "queue", _broker_dir / "processed", _broker_dir / "control",
                    DATA_DIR / "results"):
        _folder.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
    CELERY_RESULT_BACKEND = f"file://{DATA_DIR / 'results'}"
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    # No shared bus without Redis: committing processes wake the web processes with UNIX
    # datagrams in DATA_DIR, and the notifications table is tailed as the safety net.
    EVENTS_DELIVERY = env_str("EVENTS_DELIVERY", "local")
EVENTS_TAIL_INTERVAL_S = float(env_str("EVENTS_TAIL_INTERVAL_S", "1.0"))
EVENTS_LOCAL_WAKE = env_bool("EVENTS_LOCAL_WAKE", True)  # off: the tail alone (the old way)
EVENTS_SOCKET_QUEUE = env_int("EVENTS_SOCKET_QUEUE", 1000)
# Write a live event to an idle, writable socket in the bus's loop step (off: a queue and a
# writer task per socket and event, the design before; bench/api.py compares the two).
EVENTS_EAGER_SEND = env_bool("EVENTS_EAGER_SEND", True)
# Frame each live event once per web process (config/ws_protocol.py writes it as is; off: the
# server frames it again for every socket).
EVENTS_PREBUILT_FRAMES = env_bool("EVENTS_PREBUILT_FRAMES", True)
# With prebuilt frames: an idle socket's frame is written by a plain call into the server's
# protocol (config/ws_protocol.py), not through the ASGI send's chain of coroutines.
EVENTS_DIRECT_WRITE = env_bool("EVENTS_DIRECT_WRITE", True)
EVENTS_SESSION_CHECK_S = float(env_str("EVENTS_SESSION_CHECK_S", "30"))
EVENTS_BUS_WAIT_S = float(env_str("EVENTS_BUS_WAIT_S", "5"))

# --- celery ---------------------------------------------------------------------------------
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
# Jobs on "generation"; the reaper, the outbox relay and the other sweeps on "maintenance",
# served by a worker of its own, so a hung or busy generation pool cannot starve them.
CELERY_TASK_ROUTES = {"generation.tasks.reap_stale_videos": {"queue": "maintenance"},
                      "cameo.tasks.expire_approvals": {"queue": "maintenance"},
                      "openai_api.tasks.retry_due_webhooks": {"queue": "maintenance"},
                      "core.tasks.*": {"queue": "maintenance"},
                      "generation.tasks.*": {"queue": "generation"}}
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_TIMEOUT_S
# A pool child that loads the model at start-up must not be killed for being slow to come up
# (Celery's default wait is 4 s; a real model takes minutes).
CELERY_WORKER_PROC_ALIVE_TIMEOUT = float(env_int("GENERATION_WARM_TIMEOUT_S", 600))
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Longer than the longest job, so a slow job is never delivered to a second worker.
CELERY_BROKER_TRANSPORT_OPTIONS_VISIBILITY_TIMEOUT = env_int("JOB_VISIBILITY_TIMEOUT_S", 7200)
if REDIS_URL:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": CELERY_BROKER_TRANSPORT_OPTIONS_VISIBILITY_TIMEOUT,
        "socket_connect_timeout": REDIS_TIMEOUT_S,
    }
# Outbox (core/outbox.py): how often unsent tasks are re-sent, how old a row must be (younger
# ones are still being sent after their commit), and how long requests skip sending after the
# broker refused one.
GENERATION_REAP_INTERVAL_S = float(env_int("GENERATION_REAP_INTERVAL_S", 60))
OUTBOX_RELAY_INTERVAL_S = float(env_int("OUTBOX_RELAY_INTERVAL_S", 10))
OUTBOX_RELAY_AFTER_S = float(env_int("OUTBOX_RELAY_AFTER_S", 5))
OUTBOX_SKIP_AFTER_REFUSAL_S = float(env_int("OUTBOX_SKIP_AFTER_REFUSAL_S", 5))
# The beat's schedule: each app registers its periodic tasks (core.periodic.periodic_task_register).

# --- auth -----------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.EmailOrHandleBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = env_list("PASSWORD_HASHERS", [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
])
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "login"
# Failures count against the account, whatever spelling of its login was tried.
AXES_USERNAME_CALLABLE = "accounts.backends.login_lockout_key"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_VERBOSE = False
AXES_LOCKOUT_CALLABLE = "core.errors.axes_lockout_response"

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env_int("ACCESS_TOKEN_MINUTES", 10)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env_int("REFRESH_TOKEN_DAYS", 30)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "AUTH_HEADER_TYPES": ("Bearer",),
    "SIGNING_KEY": SECRET_KEY,
}
MIN_SIGNUP_AGE = env_int("MIN_SIGNUP_AGE", 13)
ADULT_AGE = 18
EMAIL_VERIFICATION_MAX_AGE_S = 3 * 24 * 3600

# --- REST API -------------------------------------------------------------------------------
# Scoped rate limits, per user (or per IP when anonymous); each overridable from the env.
THROTTLE_RATES = {
    "anon": env_str("RATE_ANON", "120/min"),
    "user": env_str("RATE_USER", "1200/min"),
    "auth": env_str("RATE_AUTH", "20/min"),
    "video_create": env_str("RATE_VIDEO_CREATE", "30/min"),
    "upload": env_str("RATE_UPLOAD", "20/min"),
    "verify": env_str("RATE_VERIFY", "30/min"),
    "sbr": env_str("RATE_SBR", "60/min"),  # the C2PA Soft Binding Resolution API
    "report": env_str("RATE_REPORT", "30/min"),
    "social": env_str("RATE_SOCIAL", "300/min"),
}
THROTTLE_SCOPES = list(THROTTLE_RATES)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.SessionJWTAuthentication",
        # the moderator console (browser, session + TOTP) fetches media through the API
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.BoundedJSONParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.IdCursorPagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "core.errors.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "core.throttling.AnonRateThrottle",
        "core.throttling.UserRateThrottle",
        "core.throttling.ScopedRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": THROTTLE_RATES,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # OPTIONS introspection is what the OpenAPI schema is for; it also crashed on detail views.
    "DEFAULT_METADATA_CLASS": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Castline API",
    "DESCRIPTION": "Backend for AI short-video social apps. Errors: "
    '{"error": {"code", "message", "fields"}}.',
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # core.converters.IdConverter: the ids a path can spell.
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "core.openapi.error_responses_add"],
    "PATH_CONVERTER_OVERRIDES": {"id": {"type": "integer", "minimum": 0,
                                        "maximum": 999_999_999_999_999_999}},
}
MAX_UPLOAD_BYTES = env_int("MAX_UPLOAD_BYTES", 50 * 1024 * 1024)
# Deeper JSON bodies are a 400 request.malformed (the decoder recurses per level).
MAX_JSON_DEPTH = env_int("MAX_JSON_DEPTH", 32)
# Decoded images (avatars) larger than this are refused before decoding: 413 upload.too_large.
MAX_IMAGE_PIXELS = env_int("MAX_IMAGE_PIXELS", 4096 * 4096)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
MAX_AVATAR_BYTES = env_int("MAX_AVATAR_BYTES", 5 * 1024 * 1024)

# --- storage --------------------------------------------------------------------------------
if env_str("S3_BUCKET"):
    STORAGES = {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": env_str("S3_BUCKET"),
                "endpoint_url": env_str("S3_ENDPOINT_URL") or None,
                "default_acl": "private",
                "querystring_auth": True,
            },
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
else:
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
MEDIA_URL = "/media/"
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
# Serve app static files (API docs, console) straight from the apps: no build step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- email ----------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Castline <no-reply@castline.local>")

# --- i18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- logging: JSON lines carrying the request id --------------------------------------------
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.logging.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json",
                    "filters": ["request_id"]}
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# --- product settings (billing, generation, moderation, cameo) ------------------------------
from .product import *  # noqa: E402,F403

# The largest body any door takes (its file plus the multipart envelope): more is a 413 before
# it is read (config/bounded_body.py); each door's own bound still answers first below it.
MAX_REQUEST_BODY_BYTES = max(
    MAX_UPLOAD_BYTES, MAX_AVATAR_BYTES, CAMEO_MAX_UPLOAD_BYTES,  # noqa: F405
    CHARACTER_MAX_UPLOAD_BYTES, OPENAI_MAX_REFERENCE_BYTES) + 1024 * 1024  # noqa: F405

# --- production guard -----------------------------------------------------------------------
if PRODUCTION:
    _missing = [name for name in ("DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS", "SECRET_KEY")
                if not env_str(name)]
    if DEBUG:
        raise ImproperlyConfigured("CASTLINE_ENV=production refuses DEBUG=1.")
    if SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("CASTLINE_ENV=production needs a random SECRET_KEY (50+ chars).")
    if _missing:
        raise ImproperlyConfigured(f"CASTLINE_ENV=production needs: {', '.join(_missing)}.")
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
