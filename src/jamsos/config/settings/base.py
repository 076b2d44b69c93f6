"""Settings for every deployment; all machine-specific values come from the environment.

See ``.env.example`` for the variables and ``docs/operations.md`` for deployment.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import dj_database_url
from django.contrib.messages import constants as message_constants
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from jamsos.config.env import env_bool, env_int, env_list, env_path, env_str

PACKAGE_DIR = Path(__file__).resolve().parent.parent.parent
# The repository root when running from a checkout; the data dir defaults below it.
PROJECT_DIR = PACKAGE_DIR.parent.parent

DEBUG = env_bool("DEBUG", default=False)

DATA_DIR = env_path("JAMSOS_DATA_DIR", default=Path.cwd() / "var")
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """SECRET_KEY from the environment, else the key kept in the data dir.

    Design goal: a production server never starts with a key nobody chose, yet the
    single-machine install (``make run``) works without configuration. So a missing key is
    an error when DEBUG is off, unless JAMSOS_GENERATE_SECRET_KEY=1 (set by ``make run``
    and the test settings) asks to create one, once, in the data dir. A key is never
    committed and never regenerated (that would log everybody out).
    """
    key = env_str("SECRET_KEY")
    if key:
        return key
    key_file = DATA_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text(encoding="utf-8").strip()
    if not (DEBUG or env_bool("JAMSOS_GENERATE_SECRET_KEY", default=False)):
        raise ImproperlyConfigured(
            f"SECRET_KEY is required when DEBUG is off: set SECRET_KEY or SECRET_KEY_FILE, "
            f"or JAMSOS_GENERATE_SECRET_KEY=1 to create one in {key_file}."
        )
    key = secrets.token_urlsafe(50)
    key_file.write_text(key, encoding="utf-8")
    key_file.chmod(0o600)
    return key


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "axes",
    "django_tasks",
    # Before django_tasks_db: its ``db_worker`` (leases, sweep, back-off) replaces upstream's.
    "jamsos.worker",
    "django_tasks_db",
    "jamsos.regions",
    "jamsos.accounts",
    "jamsos.audit",
    "jamsos.registry",
    "jamsos.intake",
    "jamsos.budget",
    "jamsos.enrollment",
    "jamsos.contributions",
    "jamsos.claims",
    "jamsos.agents",
    "jamsos.messaging",
    "jamsos.outreach",
    "jamsos.reports",
    "jamsos.portal",
    "jamsos.collaboration",
    "jamsos.demo",
    "jamsos.web",
    "jamsos.api",
]

MIDDLEWARE = [
    # First: its headers reach every response, static files and error pages included.
    "jamsos.web.security.SecurityHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # A locked database answers 503 "coba lagi" with Retry-After (jamsos.web.busy).
    "jamsos.web.busy.DatabaseBusyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "jamsos.audit.middleware.AuditContextMiddleware",
    # After authentication and messages: an admin-set password is changed before anything else.
    "jamsos.accounts.middleware.PasswordChangeRequiredMiddleware",
    # Must be last: it turns a locked-out login into the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "jamsos.config.urls"
WSGI_APPLICATION = "jamsos.config.wsgi.application"

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
                "django.template.context_processors.i18n",
                "jamsos.web.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
# SQLite in the data dir by default; PostgreSQL (production) with DATABASE_URL.
DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'jamsos.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web process read while the task worker writes; IMMEDIATE makes a
        # writing transaction take the lock at BEGIN, so two writers queue instead of
        # failing with "database is locked" half-way through.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        # Seconds a writer waits (SQLite retries with back-off) for another's lock before
        # "database is locked", which answers 503 "coba lagi" (jamsos.web.busy).
        "timeout": env_int("SQLITE_BUSY_TIMEOUT", default=15),
    }
# Seconds a client is asked to wait (Retry-After) when the database is busy.
DATABASE_BUSY_RETRY_AFTER = env_int("DATABASE_BUSY_RETRY_AFTER", default=10)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

# django-axes: lock a username+IP pair after 5 failures for 30 minutes.
# API bearer tokens stop working this many days after they were made (a new one is made
# on "Profil saya"); a password change revokes them at once.
API_TOKEN_MAX_AGE_DAYS = env_int("API_TOKEN_MAX_AGE_DAYS", default=90)
# Key of the HMAC that stands for a NIK in the personal-data access log (and of the audit
# pseudonyms). Default: derived from SECRET_KEY; set it to keep old log rows findable by
# NIK when SECRET_KEY is rotated.
ACCESS_LOG_KEY = env_str("ACCESS_LOG_KEY") or ""

AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", default=30) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# ... and an address after AXES_IP_FAILURE_LIMIT failures for any usernames (password
# spraying; jamsos.web.lockout).
AXES_HANDLER = "jamsos.web.lockout.AddressAwareAxesHandler"
AXES_IP_FAILURE_LIMIT = env_int("AXES_IP_FAILURE_LIMIT", default=20)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "web/locked_out.html"
AXES_VERBOSE = False
# The proxy in front of gunicorn sets X-Forwarded-For; trust it only when told to.
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
    if env_bool("BEHIND_PROXY", default=False)
    else ["REMOTE_ADDR"]
)

# --- API rate limits (jamsos.api.throttling) -------------------------------------------
# Per authenticated user and per client address; "n/s", "n/m", "n/h" or "n/d", empty = off.
API_THROTTLE_USER = env_str("API_THROTTLE_USER", "120/m")
API_THROTTLE_IP = env_str("API_THROTTLE_IP", "300/m")
# The client address ninja's throttles see: X-Forwarded-For's last hop only behind our proxy.
NINJA_NUM_PROXIES = 1 if env_bool("BEHIND_PROXY", default=False) else 0
# Shared by every gunicorn worker on the machine, so the limits hold across them.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(DATA_DIR / "cache"),
        "OPTIONS": {"MAX_ENTRIES": 20_000},
    }
}

# --- Security -------------------------------------------------------------------------
HTTPS = env_bool("HTTPS", default=False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", default=31536000 if HTTPS else 0)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", default=False) else None
)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Sent on every response by jamsos.web.security. Scripts only from our static files:
# no inline <script>, no on…= attributes, no eval (htmx's allowEval is off).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)
X_FRAME_OPTIONS = "DENY"

# --- Internationalisation ---------------------------------------------------------------
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True
# Off: with it on, every {{ obj.pk }} in an id, URL or form value became "2.341". Numbers
# people read are grouped explicitly with the filters of web/templatetags/formats.py
# (angka, rupiah, persen, tahun, tanggal).
USE_THOUSAND_SEPARATOR = False

# Message levels are Bootstrap alert names (base.html writes alert-{{ message.tags }}):
# Django's "error" is not one, so errors showed as plain text.
MESSAGE_TAGS = {message_constants.ERROR: "danger"}

# --- Static and uploaded files ------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_ROOT = DATA_DIR / "uploads"
MEDIA_URL = "/media/"
GENERATED_ROOT = DATA_DIR / "generated"
# Files built in the background (worker.GeneratedFile, enrollment.DecreeDocument) are
# deleted this long after they were made (``jamsos exports_sweep``); the page offers to
# make them again. They hold personal data: keep them no longer than a working day or two.
GENERATED_RETENTION_HOURS = env_int("JAMSOS_GENERATED_RETENTION_HOURS", default=48)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# --- Background tasks -----------------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A running task's lease (jamsos.worker): renewed every quarter of it by the worker's
# heartbeat; when it expires the worker is taken for dead and the task is queued again,
# at most TASK_LEASE_MAX_ATTEMPTS runs in all, then failed.
TASK_LEASE_SECONDS = env_int("TASK_LEASE_SECONDS", default=60)
TASK_LEASE_MAX_ATTEMPTS = env_int("TASK_LEASE_MAX_ATTEMPTS", default=3)
# How often each worker sweeps for tasks of dead workers.
TASK_SWEEP_SECONDS = env_int("TASK_SWEEP_SECONDS", default=30)
# Longest wait between two tries of a worker that cannot reach (or write) the database.
TASK_WORKER_BACKOFF_MAX = env_int("TASK_WORKER_BACKOFF_MAX", default=30)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# Database triggers refusing UPDATE/DELETE on audit rows (audit migration 0002).
AUDIT_APPEND_ONLY_TRIGGERS = True

# --- Intake limits (docs/intake.md "Limits") ------------------------------------------------
# An upload larger than this is refused before it is stored (form and API).
# registry.Person's list-order index carries the village as an INCLUDE column so far
# pages read the index only on PostgreSQL; SQLite ignores INCLUDE (the index still
# serves the order), which Django reports as models.W040 on every command.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

INTAKE_UPLOAD_MAX_BYTES = env_int("INTAKE_UPLOAD_MAX_MB", default=20) * 1024 * 1024
# Largest KTP/KK photo the agent app may send with an offline proposal.
AGENT_PHOTO_MAX_BYTES = env_int("AGENT_PHOTO_MAX_MB", default=8) * 1024 * 1024
# An .xlsx is a zip: its members together may inflate to at most this many bytes, at most
# this many times its own size, and its sheets may declare at most these dimensions.
INTAKE_XLSX_MAX_UNCOMPRESSED_BYTES = (
    env_int("INTAKE_XLSX_MAX_UNCOMPRESSED_MB", default=400) * 1024 * 1024
)
INTAKE_XLSX_MAX_RATIO = env_int("INTAKE_XLSX_MAX_RATIO", default=100)
INTAKE_XLSX_MAX_ROWS = env_int("INTAKE_XLSX_MAX_ROWS", default=1_048_576)
INTAKE_XLSX_MAX_COLUMNS = env_int("INTAKE_XLSX_MAX_COLUMNS", default=200)
# Checks of one person's data (API /intake/check, the phone form's live check) per user
# and minute; beyond it the API answers 429 with Retry-After and the form says so.
# Counted in distinct persons (NIKs): re-checking the NIK being typed is free.
INTAKE_CHECKS_PER_MINUTE = env_int("INTAKE_CHECKS_PER_MINUTE", default=30)
# Distinct NIKs a user who cannot see the registry's NIKs (agent, kecamatan) may check a
# day, in the live check and in uploaded files together; 0 = no limit.
INTAKE_CHECKED_NIKS_PER_DAY = env_int("INTAKE_CHECKED_NIKS_PER_DAY", default=5000)

# --- Messages (jamsos.messaging) ----------------------------------------------------------
# E-mail goes through this Django mail backend (SMTP with the EMAIL_* settings below);
# WhatsApp/SMS through the provider's HTTP gateway (URL and key from the environment).
MESSAGING_EMAIL_BACKEND = env_str(
    "MESSAGING_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
MESSAGING_FROM_EMAIL = env_str("MESSAGING_FROM_EMAIL", "jamsos@localhost")
MESSAGING_GATEWAY_URL = env_str("MESSAGING_GATEWAY_URL", "") or ""
MESSAGING_GATEWAY_KEY = env_str("MESSAGING_GATEWAY_KEY", "") or ""
# A phone number is reached on this channel: "whatsapp" or "sms".
MESSAGING_PHONE_CHANNEL = env_str("MESSAGING_PHONE_CHANNEL", "whatsapp")
if MESSAGING_PHONE_CHANNEL not in ("whatsapp", "sms"):
    raise ImproperlyConfigured(
        f"MESSAGING_PHONE_CHANNEL={MESSAGING_PHONE_CHANNEL!r}: use whatsapp or sms."
    )
MESSAGING_TIMEOUT_SECONDS = env_int("MESSAGING_TIMEOUT_SECONDS", default=20)
# Retries: the n-th failed try waits BASE × 2^(n-1) seconds (capped at MAX); after
# MAX_ATTEMPTS tries the message is failed and shown on the staff page.
MESSAGING_MAX_ATTEMPTS = env_int("MESSAGING_MAX_ATTEMPTS", default=6)
MESSAGING_BACKOFF_BASE_SECONDS = env_int("MESSAGING_BACKOFF_BASE_SECONDS", default=60)
MESSAGING_BACKOFF_MAX_SECONDS = env_int("MESSAGING_BACKOFF_MAX_SECONDS", default=6 * 3600)
# A message left "sending" longer than this (a sender died mid-send) is queued again.
MESSAGING_SENDING_LEASE_SECONDS = env_int("MESSAGING_SENDING_LEASE_SECONDS", default=300)

# --- Outreach (jamsos.outreach) ------------------------------------------------------------
# Design defaults (design-governance.md §4.5 [PROP]), not regulation: proposals counted
# after an event, and the window in which a nagari counts as reached.
OUTREACH_CONVERSION_DAYS = env_int("OUTREACH_CONVERSION_DAYS", default=90)
OUTREACH_REACH_MONTHS = env_int("OUTREACH_REACH_MONTHS", default=12)

# Reports: the budget chart warns when the straight-line year-end forecast of what is
# paid stays below this percentage of the pagu ([PROP] design-governance §1.5 CP-13: under-spend
# is the seed's named failure; warn while APBD-P can still adjust).
REPORTS_UNDERSPEND_WARN_RATIO = env_int("REPORTS_UNDERSPEND_WARN_PERCENT", default=90) / 100
# Reports: days after the month's end by which the monthly report to the Bupati is due
# ([PROP]; the agreement's reporting clause gives no date [UNCONFIRMED]).
REPORTS_MONTHLY_DUE_DAYS = env_int("REPORTS_MONTHLY_DUE_DAYS", default=10)
# Reports: months after the budget year's end by which the yearly LKPJ/LPPD/LKjIP annex is
# due (PP 13/2019: the LKPJ goes to the DPRD and the LPPD to the centre at the latest three
# months after the budget year ends [SRC design-governance §3.2]).
REPORTS_ANNUAL_DUE_MONTHS = env_int("REPORTS_ANNUAL_DUE_MONTHS", default=3)
# Reports: how long the charts of a page are cached at most (they are also recomputed as
# soon as the summary table of the kabupaten is refreshed).
REPORTS_CHART_CACHE_SECONDS = env_int("REPORTS_CHART_CACHE_SECONDS", default=300)
# Reports: the refresh task recomputes the kabupaten's charts into the (shared) cache right
# after each refresh, so no page view pays it (~0.2-0.3 s at 1M persons).
REPORTS_WARM_CHARTS = env_bool("REPORTS_WARM_CHARTS", default=True)

# --- Public portal (jamsos.portal; design-governance.md §4) ---------------------------------
# The kabupaten the public pages speak for.
PORTAL_REGENCY_CODE = env_str("PORTAL_REGENCY_CODE", "13.03") or "13.03"
# Privacy notice: the data-protection officer (UU 27/2022 Art. 53) and the retention of
# lookup logs; shown on /privasi/.
PORTAL_DPO_NAME = env_str("PORTAL_DPO_NAME", "Pejabat Pelindungan Data Pribadi Disnakertrans")
PORTAL_DPO_EMAIL = env_str("PORTAL_DPO_EMAIL", "ppdp@disnakertrans.example.go.id")
PORTAL_DPO_PHONE = env_str("PORTAL_DPO_PHONE", "")
PORTAL_DPO_ADDRESS = env_str("PORTAL_DPO_ADDRESS", "")
PORTAL_LOOKUP_LOG_RETENTION_DAYS = env_int("PORTAL_LOOKUP_LOG_RETENTION_DAYS", default=90)
PORTAL_LEAD_RETENTION_DAYS = env_int("PORTAL_LEAD_RETENTION_DAYS", default=365)
# Layered limits of the membership check (§4.3 rule 5; 0 = off): per client address per
# minute/hour/day, failed look-ups per NIK (keyed digest) per hour/day, failed look-ups of
# everyone per hour (the circuit breaker). Beyond any of them: 429 with Retry-After.
PORTAL_LOOKUP_IP_PER_MINUTE = env_int("PORTAL_LOOKUP_IP_PER_MINUTE", default=5)
PORTAL_LOOKUP_IP_PER_HOUR = env_int("PORTAL_LOOKUP_IP_PER_HOUR", default=30)
PORTAL_LOOKUP_IP_PER_DAY = env_int("PORTAL_LOOKUP_IP_PER_DAY", default=100)
PORTAL_LOOKUP_NIK_FAILED_PER_HOUR = env_int("PORTAL_LOOKUP_NIK_FAILED_PER_HOUR", default=3)
PORTAL_LOOKUP_NIK_FAILED_PER_DAY = env_int("PORTAL_LOOKUP_NIK_FAILED_PER_DAY", default=10)
PORTAL_LOOKUP_GLOBAL_FAILED_PER_HOUR = env_int("PORTAL_LOOKUP_GLOBAL_FAILED_PER_HOUR", default=500)
# Every check of one browser session counts (design-governance §4.3 rule 5: 10/hour).
PORTAL_LOOKUP_SESSION_PER_HOUR = env_int("PORTAL_LOOKUP_SESSION_PER_HOUR", default=10)
# Every answered check takes at least this long (ms), so that "no such NIK" (no row read)
# and "another name" (a row read) cannot be told apart by timing (measured gap: ~4 ms).
PORTAL_LOOKUP_MIN_MS = env_int("PORTAL_LOOKUP_MIN_MS", default=250)
# Typos forgiven in the name (edit distance, names of at least PORTAL_NAME_TYPO_MIN_LENGTH
# letters).
PORTAL_NAME_MAX_TYPOS = env_int("PORTAL_NAME_MAX_TYPOS", default=1)
PORTAL_NAME_TYPO_MIN_LENGTH = env_int("PORTAL_NAME_TYPO_MIN_LENGTH", default=6)
# Self-nomination spam guard: the form must be at least this old (signed token), at most
# the second; and per address per hour.
PORTAL_LEAD_MIN_FILL_SECONDS = env_int("PORTAL_LEAD_MIN_FILL_SECONDS", default=3)
PORTAL_LEAD_MAX_FORM_AGE_SECONDS = env_int("PORTAL_LEAD_MAX_FORM_AGE_SECONDS", default=3600)
PORTAL_LEAD_IP_PER_HOUR = env_int("PORTAL_LEAD_IP_PER_HOUR", default=5)
# Public aggregates: counts 1..N-1 are shown as "<N", with complementary suppression
# (design-governance.md §4.4: "<5").
PORTAL_SMALL_CELL_MIN = env_int("PORTAL_SMALL_CELL_MIN", default=5)

# --- Collaboration (issue 11) -----------------------------------------------------------
# Open action items due within this many days are listed for a reminder
# (``jamsos collaboration_reminders``); overdue ones always are.
COLLABORATION_REMINDER_DAYS = env_int("COLLABORATION_REMINDER_DAYS", default=3)
