"""Settings shared by every mode, each value read from the environment (django-environ)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import environ
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent.parent
DATA_DIR = Path(environ.Env().str("FAMILYREPAIR_DATA_DIR", default=str(BASE_DIR / "data")))

env = environ.Env()
if env.bool("DJANGO_READ_DOT_ENV_FILE", default=False):
    # Opt-in, as in cookiecutter-django: a compose .env in a checkout must not redirect `make run`.
    env.read_env(BASE_DIR / ".env", overwrite=False)

# --- Core -------------------------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY")
ALLOWED_HOSTS: list[str] = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://localhost:8000")
# How emails name the site ("Hello from FamilyRepair!", "familyrepair.example.org").
SITE_NAME = env.str("SITE_NAME", default="FamilyRepair")
SITE_DOMAIN = env.str("SITE_DOMAIN", default=urlsplit(SITE_URL).netloc)
ROOT_URLCONF = "familyrepair.urls"
WSGI_APPLICATION = "familyrepair.wsgi.application"
ASGI_APPLICATION = "familyrepair.asgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
SITE_ID = 1
# Proxies in front of Django that append the client's address to X-Forwarded-For (a TLS proxy is
# 1). Rate limits and the session list take the address that many entries from the right, so a
# client cannot choose its own by sending the header; 0 trusts no header: the socket address.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

INSTALLED_APPS = [
    "familyrepair.apps.StaffAdminConfig",  # django.contrib.admin behind allauth sign-in and MFA
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "allauth.headless",
    "allauth.mfa",
    "allauth.usersessions",
    "accounts",
    "ruptures",
    "checkins",
    "care",
    "api",
]

MIDDLEWARE = [
    "familyrepair.middleware.LanguageResetMiddleware",
    "familyrepair.middleware.NoStoreMiddleware",
    "familyrepair.middleware.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "familyrepair" / "templates"],
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

# --- Database: SQLite under the data folder by default, PostgreSQL (psycopg 3) when set -----------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'familyrepair.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True


def postgresql_options() -> dict[str, object]:
    """Server-side binding sends each query with $1 placeholders instead of inlined values, and
    ``prepare_threshold`` has psycopg prepare a statement a connection has run that many times,
    so PostgreSQL stops planning it again: planning cost more than executing most of our queries
    (2 ms against 0.3 ms for the rupture list). Django turns preparing off unless the options
    name a threshold (for connection poolers), so they do. Behind PgBouncer in transaction mode,
    set DATABASE_SERVER_SIDE_BINDING=false (both off) unless PgBouncer is 1.21+ with
    max_prepared_statements."""
    server_side = env.bool("DATABASE_SERVER_SIDE_BINDING", default=True)
    if not server_side:
        return {"server_side_binding": False}
    return {
        "server_side_binding": True,
        "prepare_threshold": env.int("DATABASE_PREPARE_THRESHOLD", default=5),
    }


def use_our_postgresql(database: dict[str, Any]) -> None:
    """PostgreSQL through ``familyrepair.postgresql`` (Django's backend, with a health check that
    costs no round trip) and the options above; any other engine is left as it is."""
    if database["ENGINE"] == "django.db.backends.postgresql":
        database["ENGINE"] = "familyrepair.postgresql"
        database.setdefault("OPTIONS", {}).update(postgresql_options())


use_our_postgresql(DATABASES["default"])
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web process, worker and beat share one file without
    # "database is locked"; IMMEDIATE makes writers queue instead of failing mid-transaction.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }


def replica_database(url: str, primary: dict[str, Any]) -> dict[str, Any]:
    """A read-only streaming replica of ``primary`` (``familyrepair.db``): same connection
    settings, never migrated, and in tests a mirror of the primary's test database."""
    replica = env.db_url_config(url)
    replica.update(
        CONN_MAX_AGE=primary["CONN_MAX_AGE"],
        CONN_HEALTH_CHECKS=True,
        TEST={"MIRROR": "default"},
    )
    use_our_postgresql(replica)
    return dict(replica)


# Reads opted in with ``familyrepair.db.replica_reads()`` go to this replica when it is set.
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = replica_database(DATABASE_REPLICA_URL, DATABASES["default"])
DATABASE_ROUTERS = ["familyrepair.db.ReplicaRouter"]

# --- Redis: broker, cache (rate limits hold across processes) ---------------------------------
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")


def celery_broker_url(redis_url: str) -> str:
    """Kombu spells a Unix-socket Redis ``redis+socket://``; redis-py spells it ``unix://``."""
    parts = urlsplit(redis_url)
    if parts.scheme == "unix":
        return f"redis+socket://{parts.path}" + (f"?{parts.query}" if parts.query else "")
    return redis_url


CACHES = {
    "default": {
        "BACKEND": "familyrepair.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="familyrepair"),
        "TIMEOUT": 300,
    }
}

# --- Auth -------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Admin sign-in: allauth's own pages under /admin/signin/ (familyrepair/admin_site.py).
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "admin:index"
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_AGE = 60 * 60 * 24 * 90
# The PWA reads the CSRF cookie to send X-CSRFToken with allauth's browser client.
CSRF_COOKIE_HTTPONLY = False

# --- allauth (headless only: the PWA and any native app share one auth) ------------------------
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_RATE_LIMITS: dict[str, str] = {}  # allauth's defaults, kept in the Redis cache
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT  # rate limits and usersessions' recorded IP
HEADLESS_ONLY = True
HEADLESS_CLIENTS = ("browser", "app")
# One read of the session store per request, not two (api/authentication.py).
HEADLESS_TOKEN_STRATEGY = "api.authentication.SessionTokenStrategy"  # noqa: S105  # a class path
HEADLESS_FRONTEND_URLS = {
    "account_confirm_email": f"{SITE_URL}/#/verify-email/{{key}}",
    "account_reset_password_from_key": f"{SITE_URL}/#/reset-password/{{key}}",
    "account_signup": f"{SITE_URL}/#/signup",
}
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_PASSKEY_SIGNUP_ENABLED = False
MFA_TOTP_ISSUER = "FamilyRepair"  # the name an authenticator app shows
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
HEADLESS_ADAPTER = "accounts.adapters.HeadlessAdapter"
ACCOUNT_EMAIL_NOTIFICATIONS = True  # tell people when their password or email changes

# --- Email: files under the data folder on the embedded default, SMTP from env in production ----
MAIL_DIR = env.str("EMAIL_FILE_PATH", default=str(DATA_DIR / "mail"))
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "OPTIONS": {"file_path": MAIL_DIR},
    }
}
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="FamilyRepair <hello@familyrepair.localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Site staff (email addresses). The safety team is emailed about every unsafe flag no therapist
# is alerted to, and about every family action that touches a flag under review.
ADMINS = env.list("ADMINS", default=[])
SAFETY_TEAM_EMAILS = env.list("SAFETY_TEAM_EMAILS", default=ADMINS)

# --- Web Push (VAPID) -------------------------------------------------------------------------
WEBPUSH_VAPID_PUBLIC_KEY = env.str("WEBPUSH_VAPID_PUBLIC_KEY", default="")
WEBPUSH_VAPID_PRIVATE_KEY = env.str("WEBPUSH_VAPID_PRIVATE_KEY", default="")
WEBPUSH_VAPID_SUBJECT = env.str(
    "WEBPUSH_VAPID_SUBJECT", default="mailto:hello@familyrepair.localhost"
)
# Pushes one worker process keeps in flight at once (threads; a push mostly waits on the network).
WEBPUSH_CONCURRENCY = env.int("WEBPUSH_CONCURRENCY", default=4)

# --- i18n -------------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("en-gb", "English (UK)"), ("es", "Español")]
TIME_ZONE = "UTC"
USE_I18N = True
# The server's words in Spanish: locale/es/LC_MESSAGES/django.po, compiled .mo committed beside
# it (tests/test_translations.py holds both to the sources).
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

# --- Static files (whitenoise); the built PWA is served from frontend/dist at / -----------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
FRONTEND_DIST = BASE_DIR / "frontend" / "dist"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_ROOT = FRONTEND_DIST if FRONTEND_DIST.is_dir() else None
WHITENOISE_INDEX_FILE = True
WHITENOISE_MIMETYPES = {".webmanifest": "application/manifest+json"}  # not in whitenoise's table

# --- Content Security Policy (Django's own middleware) -----------------------------------------
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "worker-src": ["'self'"],
    "manifest-src": ["'self'"],
    "frame-ancestors": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "object-src": ["'none'"],
}

# --- Django REST framework / OpenAPI -----------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.SessionTokenAuthentication",
        "api.authentication.CsrfSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.exceptions.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DEFAULT_THROTTLE_RATES": {"pairing": "10/hour", "invite_accept": "20/hour"},
    # None would key throttles on the whole client-supplied X-Forwarded-For; 0 is the socket.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
IDEMPOTENCY_KEY_DAYS = 9  # at least 8: an offline queue may replay a week-old POST
SPECTACULAR_SETTINGS = {
    "TITLE": "FamilyRepair API",
    "DESCRIPTION": "Ruptures, repairs and reconnection between parents and children.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {"PartyEnum": "ruptures.models.Party"},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_error_responses",
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}

# --- Celery -----------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=celery_broker_url(REDIS_URL))
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_TIME_LIMIT = 60
CELERY_TASK_SOFT_TIME_LIMIT = 45
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 300}
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
BEAT_HEARTBEAT_SECONDS = env.int("BEAT_HEARTBEAT_SECONDS", default=10)
# The beat's own small tasks get their own queue, so a backlog of deliveries never delays the
# next sweep or the heartbeat; a worker consumes both queues by default.
CELERY_TASK_QUEUES = (Queue("celery"), Queue("beat"))
CELERY_TASK_ROUTES = {
    "ruptures.dispatch_due_prompts": {"queue": "beat"},
    "familyrepair.heartbeat": {"queue": "beat"},
}
PROMPT_SWEEP_SECONDS = env.float("PROMPT_SWEEP_SECONDS", default=5.0)
PROMPT_LEASE_SECONDS = env.int("PROMPT_LEASE_SECONDS", default=120)  # > the deliver task's limit
PROMPT_CLAIM_BATCH = env.int("PROMPT_CLAIM_BATCH", default=1000)  # five full delivery batches
# Prompts per delivery task: one task pays for its locking SELECT, notification INSERT and
# finishing UPDATE once for all of them (about 11 queries, whatever the size). In process, in-app
# only: 25 a batch 513/s, 100 844/s, 200 1,133/s, 400 1,041/s; 200 with Web Push take 1-2 s.
PROMPT_DELIVER_BATCH = env.int("PROMPT_DELIVER_BATCH", default=200)
PROMPT_MAX_IN_FLIGHT = env.int("PROMPT_MAX_IN_FLIGHT", default=2000)  # < delivered per lease
PROMPT_DISPATCH_BUDGET_SECONDS = env.float("PROMPT_DISPATCH_BUDGET_SECONDS", default=20.0)
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "familyrepair.heartbeat", "schedule": float(BEAT_HEARTBEAT_SECONDS)},
    "dispatch-due-prompts": {
        "task": "ruptures.dispatch_due_prompts",
        "schedule": PROMPT_SWEEP_SECONDS,
        "options": {"expires": PROMPT_SWEEP_SECONDS * 2},
    },
    "purge-idempotency-keys": {"task": "api.purge_idempotency_keys", "schedule": 6 * 60 * 60.0},
    "purge-expired-codes": {"task": "accounts.purge_expired_codes", "schedule": 24 * 60 * 60.0},
    "release-held-records": {"task": "ruptures.release_held_records", "schedule": 24 * 60 * 60.0},
    # Opens each family's two-weekly check-in round (idempotent); delivery is the prompt sweep's.
    "open-check-in-rounds": {"task": "checkins.open_due_rounds", "schedule": 60 * 60.0},
}

# --- Safety: help lines a child who feels unsafe is shown (text and chat first) ----------------
_US_HELP = {
    "region": "United States",
    "emergency": "If you are in danger right now, call 911.",
    "lines": [
        {"kind": "text", "name": "Childhelp", "how": "Text 1-800-422-4453", "value": "18004224453"},
        {
            "kind": "text",
            "name": "Crisis Text Line",
            "how": "Text HOME to 741741",
            "value": "741741",
        },
        {"kind": "call", "name": "Childhelp", "how": "Call 1-800-422-4453", "value": "18004224453"},
        {"kind": "call", "name": "988 Lifeline", "how": "Call or text 988", "value": "988"},
    ],
}
_UK_HELP = {
    "region": "United Kingdom",
    "emergency": "If you are in danger right now, call 999.",
    "lines": [
        {
            "kind": "chat",
            "name": "Childline",
            "how": "1-2-1 chat at childline.org.uk",
            "value": "childline.org.uk",
        },
        {"kind": "text", "name": "Shout", "how": "Text SHOUT to 85258", "value": "85258"},
        {"kind": "call", "name": "Childline", "how": "Call 0800 1111 (free)", "value": "08001111"},
    ],
}
# Spanish speakers in the United States: 988 answers in Spanish (press 2 on a call; text AYUDA),
# Childhelp's hotline has Spanish-speaking counsellors and interpreters.
_US_HELP_ES = {
    "region": "Estados Unidos",
    "emergency": "Si estás en peligro ahora mismo, llama al 911.",
    "lines": [
        {
            "kind": "text",
            "name": "988 Lifeline en español",
            "how": "Envía AYUDA al 988",
            "value": "988",
        },
        {
            "kind": "call",
            "name": "988 Lifeline en español",
            "how": "Llama al 988 y oprime 2",
            "value": "988",
        },
        {
            "kind": "call",
            "name": "Childhelp",
            "how": "Llama al 1-800-422-4453 y pide hablar en español",
            "value": "18004224453",
        },
    ],
}
# Spain: Fundación ANAR, free and confidential, day and night; 116 111 is the EU's child helpline.
_ES_HELP = {
    "region": "España",
    "emergency": "Si estás en peligro ahora mismo, llama al 112.",
    "lines": [
        {
            "kind": "chat",
            "name": "Fundación ANAR",
            "how": "Chat en anar.org",
            "value": "anar.org",
        },
        {
            "kind": "call",
            "name": "Teléfono ANAR de Ayuda a Niños y Adolescentes",
            "how": "Llama gratis al 900 20 20 10",
            "value": "900202010",
        },
        {
            "kind": "call",
            "name": "Línea de ayuda a la infancia",
            "how": "Llama gratis al 116 111",
            "value": "116111",
        },
    ],
}
SAFETY_HELP_RESOURCES = {
    "default": _US_HELP,
    "en": _US_HELP,
    "en-us": _US_HELP,
    "en-gb": _UK_HELP,
    "es": _US_HELP_ES,
    "es-us": _US_HELP_ES,
    "es-es": _ES_HELP,
}

# --- Logging ----------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
