"""Settings for Safelist Help Center, read from the environment only.

Every setting that differs between a first look and production comes from an
environment variable; nothing is read from files. With no variables set at all
the site refuses to start, because DEBUG is off and there is no secret key:
``make run`` sets ``DEBUG=1`` for a first look, and production must set
``SECRET_KEY`` to a real secret.

Variables: ``DEBUG``, ``SECRET_KEY``, ``ALLOWED_HOSTS`` (comma separated),
``DATABASE_URL`` (unset: the SQLite file ``db.sqlite3``), ``REDIS_URL``
(unset: a per-process memory cache), ``CSRF_TRUSTED_ORIGINS``,
``SECURE_SSL_REDIRECT`` (default on in production), ``TRUSTED_PROXY_COUNT``,
``RATE_LIMIT_SEARCH`` / ``_SUGGEST`` / ``_CLICK`` / ``_LOGIN`` / ``_FEEDBACK``,
``HELP_CENTER_SUPPORT_EMAIL``, ``HELP_CENTER_SUPPORT_URL`` ("Still stuck?" without a vendor's own),
``LOGIN_FAILURE_LIMIT``, ``LOGIN_LOCKOUT_MINUTES``, ``SEARCH_LOG_RETENTION_DAYS``,
``WORKER_QUEUE``, ``WORKER_SQLITE_FILE`` (the background worker's store without Redis),
``HELPCENTER_ALLOW_DOCUMENTATION_RANGES`` (tests and examples only),
``PAGE_CACHE_ENABLED`` / ``_MAX_AGE`` / ``_S_MAXAGE`` / ``_STALE_WHILE_REVALIDATE``,
``LOCAL_FLUSH_SECONDS``.
"""

import datetime as dt
import os
import re
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be 1/true/yes/on or 0/false/no/off, not {value!r}.")


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    value = os.environ.get(name, "")
    if value == "":
        return default
    if not value.isdigit() or int(value) < minimum:
        raise ImproperlyConfigured(f"{name} must be a whole number of at least {minimum}, not {value!r}.")
    return int(value)


def env_rate(name: str, default: str) -> str:
    value = os.environ.get(name, "") or default
    if not re.fullmatch(r"[1-9]\d*/[1-9]?\d*[smhd]", value):
        raise ImproperlyConfigured(
            f"{name} must be a number of requests per period, such as 60/m, 1000/h or 20/10m, not {value!r}."
        )
    return value


DEBUG = env_bool("DEBUG", False)

# A first look (DEBUG on) may run with a throw-away key; production may not.
_DEV_SECRET_KEY = "django-insecure-safelist-help-center-first-look-only"  # noqa: S105 - DEBUG only
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it to a long random value in production "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set DEBUG=1 for a local first look."
        )
    SECRET_KEY = _DEV_SECRET_KEY
elif not DEBUG and (
    SECRET_KEY.startswith("django-insecure") or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5
):
    raise ImproperlyConfigured(
        "SECRET_KEY looks like a placeholder: production needs at least 50 random characters "
        "that do not start with 'django-insecure'."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "markdownx",
    "axes",
    # Revisions of what staff edit, with who, when and a comment (articles/revisions/).
    "reversion",
    # The background worker: ``manage.py run_huey`` (articles/tasks/).
    "huey.contrib.djhuey",
    "articles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before sessions, CSRF and sign-in: a kept public page is answered with no query.
    "articles.pagecache.middleware.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "articles.content.redirects.OldSlugRedirectMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "helpcenter.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
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

WSGI_APPLICATION = "helpcenter.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# SQLite for readers and writers at once (tests/pagecache/test_servers.py fails without
# any one of these). WAL lets reads go on during a write: with the rollback journal a
# write bigger than the page cache shuts readers out until it commits. A write waits its
# turn (busy timeout, seconds) instead of failing with "database is locked": 20 s outlasts
# a long write (a 10,000-line paste is saved within 10 s) and ends before gunicorn's 30 s
# worker timeout would kill a request that waits. IMMEDIATE takes the write lock when a
# transaction begins, so two writers never both read and then fail to upgrade (the cause
# of imports failing beside other writes).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

# A shared cache lets several app servers agree; without Redis each process
# keeps its own, which is right for one process and for tests. Three rooms:
# "default" (rate limits, readers of the day, buffered counts), "fragments"
# (rendered Markdown, articles/content/fragments.py) and "pages" (whole pages,
# articles/pagecache/). Without Redis, an edit clears the pages of the process
# that made it only: that is for one process (``make run``); several app
# servers need REDIS_URL.
if os.environ.get("REDIS_URL"):
    _REDIS_OPTIONS = {
        # A Redis that is down answers at once: the site renders without the cache.
        "SOCKET_CONNECT_TIMEOUT": 0.25,
        "SOCKET_TIMEOUT": 0.5,
    }
    CACHES = {
        alias: {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": prefix,
            "OPTIONS": _REDIS_OPTIONS,
        }
        for alias, prefix in (("default", ""), ("fragments", "f"), ("pages", "p"))
    }
    # A fault of the cache is logged (logger "django_redis.cache") and read as a miss.
    DJANGO_REDIS_IGNORE_EXCEPTIONS = True
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "default"},
        "fragments": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "fragments",
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        },
        "pages": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "pages",
            "OPTIONS": {"MAX_ENTRIES": 1_000},
        },
    }

# Whole public pages served from the "pages" cache (articles/pagecache/): how long
# browsers (max-age) and shared caches such as a CDN (s-maxage) may keep one, and
# how long a CDN may serve it stale while it asks again. Never past the next
# time-based change (a scheduled publication, midnight).
PAGE_CACHE_ENABLED = env_bool("PAGE_CACHE_ENABLED", True)
PAGE_CACHE_MAX_AGE = env_int("PAGE_CACHE_MAX_AGE", 60)
PAGE_CACHE_S_MAXAGE = env_int("PAGE_CACHE_S_MAXAGE", 300)
PAGE_CACHE_STALE_WHILE_REVALIDATE = env_int("PAGE_CACHE_STALE_WHILE_REVALIDATE", 60)
#: The next time-based change of the site (queries; run when a page is stored, never on a hit).
PAGE_CACHE_NEXT_CHANGE = "articles.content.schedule.next_change"

# The background worker's queue, schedule and results (huey, articles/tasks/). With Redis
# every app server enqueues into one queue that every worker reads; without it, a SQLite
# file beside the database serves one machine (``make run``). The name keeps two sites on
# one Redis apart. Never "immediate" (huey's default under DEBUG): ``make run`` runs a
# real worker, as production does.
WORKER_QUEUE = os.environ.get("WORKER_QUEUE", "") or "helpcenter"
if os.environ.get("REDIS_URL"):
    HUEY = {"huey_class": "huey.RedisHuey", "url": os.environ["REDIS_URL"]}
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "filename": os.environ.get("WORKER_SQLITE_FILE", "") or str(BASE_DIR / "worker.sqlite3"),
    }
HUEY |= {
    "name": WORKER_QUEUE,
    "immediate": False,
    "consumer": {"workers": 2, "worker_type": "thread"},
}

# django-axes first: a locked-out login is refused before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Where collectstatic writes; two test runs side by side (CI) each take their own.
STATIC_ROOT = Path(os.environ["STATIC_ROOT"]) if os.environ.get("STATIC_ROOT") else BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Compressed and fingerprinted; `collectstatic` must have run.
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Markdown preview in the admin goes through our own sanitising renderer, at a
# URL under /admin/ that only staff can reach.
MARKDOWNX_MARKDOWNIFY_FUNCTION = "articles.content.rendering.markdownify_preview"
MARKDOWNX_URLS_PATH = "/admin/markdownx/markdownify/"
MARKDOWNX_UPLOAD_URLS_PATH = "/admin/markdownx/upload/"

# The documentation ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24,
# 2001:db8::/32) send no mail and are refused as facts; tests and examples may
# turn this on to use them (articles/facts/networks.py).
HELPCENTER_ALLOW_DOCUMENTATION_RANGES = env_bool("HELPCENTER_ALLOW_DOCUMENTATION_RANGES", False)

# Security: strict in production, relaxed only for the local first look.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

# Content-Security-Policy (django-csp): our own files only, nothing inline.
# Every script and stylesheet is a file under static/; Django's admin and
# django-markdownx's editor work within it (tests/browser/test_security.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# Permissions-Policy (django-permissions-policy): no page of ours needs these.
# The clipboard stays allowed: the copy buttons write to it.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

# Who a client is (articles/throttle.py): REMOTE_ADDR, or behind this many
# reverse proxies that each append to X-Forwarded-For, the address the
# outermost one saw. 0 when gunicorn faces the internet; 1 behind one nginx.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# Requests per client IP address (an IPv6 /64) and window, counted in the
# cache (articles/throttle.py): with REDIS_URL every app server shares them.
RATE_LIMITS = {
    "search": env_rate("RATE_LIMIT_SEARCH", "60/m"),
    "suggest": env_rate("RATE_LIMIT_SUGGEST", "240/m"),
    "click": env_rate("RATE_LIMIT_CLICK", "120/m"),
    # "Was this helpful?" votes and comments (articles/feedback/): enough for every section of a guide.
    "feedback": env_rate("RATE_LIMIT_FEEDBACK", "30/h"),
    # Sign-in attempts to the admin (POSTs): above the per-account lockout, a
    # cap on what one address may try across all user names.
    "login": env_rate("RATE_LIMIT_LOGIN", "30/h"),
}
# The help center's own contact, named in "Still stuck?" when a vendor has no
# support address or page (articles/content/support.py); empty: none is named.
HELP_CENTER_SUPPORT_EMAIL = os.environ.get("HELP_CENTER_SUPPORT_EMAIL", "")
HELP_CENTER_SUPPORT_URL = os.environ.get("HELP_CENTER_SUPPORT_URL", "")

# A count the cache could not make lets the request through: search stays up if Redis hiccups.
RATELIMIT_FAIL_OPEN = True

# Admin sign-in throttling (django-axes): after LOGIN_FAILURE_LIMIT wrong
# passwords for one user name from one address, that pair is locked out until
# LOGIN_LOCKOUT_MINUTES have passed since its last failure; a locked-out
# attempt is refused before the password is checked (and extends the lockout).
# Reset: manage.py axes_reset, axes_reset_username NAME, axes_reset_ip ADDRESS.
#
# The database handler, not the cache one: the database is what every app
# server already shares, with or without Redis; a lockout there survives a
# cache restart and cannot be evicted by filling the cache; and staff see the
# attempts in the admin. A failed sign-in costs a row write, which the "login"
# rate limit above keeps small.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "articles.admin.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "articles.throttle.client_ip"

# Read counts and the search log are buffered (articles/search/buffers.py); without Redis
# the web process writes its own at most this often (with Redis the worker does, each minute).
LOCAL_FLUSH_SECONDS = env_int("LOCAL_FLUSH_SECONDS", 60, minimum=1)

# Searches are kept this many days (pruned daily by the worker, articles/tasks/search_log.py).
SEARCH_LOG_RETENTION_DAYS = env_int("SEARCH_LOG_RETENTION_DAYS", 90, minimum=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # The worker says when it starts, stops and runs a task.
    "loggers": {"huey": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}

# Mail and webhooks (articles/notify/): subscriptions to a vendor's changes, sent by the worker
# from the outbox. EMAIL_URL (smtp://user:password@host:587, smtp+tls:// for STARTTLS,
# smtps:// for TLS from the start) or EMAIL_HOST / EMAIL_PORT / EMAIL_HOST_USER /
# EMAIL_HOST_PASSWORD / EMAIL_USE_TLS / EMAIL_USE_SSL. With neither set, a first look (DEBUG)
# prints mails on the worker's console and production hands them to the local MTA on port 25.
_email_url = os.environ.get("EMAIL_URL", "")
if _email_url:
    from urllib.parse import unquote, urlsplit

    _email = urlsplit(_email_url)
    if _email.scheme not in {"smtp", "smtp+tls", "smtps"} or not _email.hostname:
        raise ImproperlyConfigured(
            f"EMAIL_URL must look like smtp://user:password@host:port (or smtp+tls://, smtps://), not {_email.scheme}://…"
        )
    EMAIL_HOST = _email.hostname
    EMAIL_PORT = _email.port or {"smtp": 25, "smtp+tls": 587, "smtps": 465}[_email.scheme]
    EMAIL_HOST_USER = unquote(_email.username or "")
    EMAIL_HOST_PASSWORD = unquote(_email.password or "")
    EMAIL_USE_TLS = _email.scheme == "smtp+tls"
    EMAIL_USE_SSL = _email.scheme == "smtps"
else:
    EMAIL_HOST = os.environ.get("EMAIL_HOST", "") or "localhost"
    EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if DEBUG and not (_email_url or os.environ.get("EMAIL_HOST")):
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# A mail server that hangs is a failure to retry, not a stuck worker.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20, minimum=1)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "") or "Safelist Help Center <noreply@localhost>"
# Where the links in mails point: mails are written outside any request.
SITE_URL = (os.environ.get("SITE_URL", "") or "http://127.0.0.1:8000").rstrip("/")
# Asking to subscribe, per client address; a second mail to one address waits a day whatever the rate.
RATE_LIMITS["subscribe"] = env_rate("RATE_LIMIT_SUBSCRIBE", "10/h")
# Confirmation links expire after this many hours.
SUBSCRIBE_CONFIRM_HOURS = env_int("SUBSCRIBE_CONFIRM_HOURS", 72, minimum=1)
# When the daily digest goes out, in the site's time zone.
DIGEST_HOUR = env_int("DIGEST_HOUR", 7)
# A webhook endpoint is paused after this many failed attempts in a row (any delivery).
WEBHOOK_PAUSE_AFTER = env_int("WEBHOOK_PAUSE_AFTER", 10, minimum=1)
# Tests only: lets webhooks reach a receiver on loopback over plain HTTP. Never set in production.
WEBHOOKS_ALLOW_LOOPBACK = env_bool("WEBHOOKS_ALLOW_LOOPBACK", False)
