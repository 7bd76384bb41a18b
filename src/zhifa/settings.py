"""Settings, read from the environment.

Embedded default: SQLite in WAL mode and local files under ``ZHIFA_DATA_DIR`` (default ``var/``).
``DATABASE_URL`` switches to another database (PostgreSQL in production).
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DATA_DIR = Path(os.environ.get("ZHIFA_DATA_DIR", PROJECT_DIR / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("ZHIFA_DEBUG", False)
SECRET_KEY = os.environ.get("ZHIFA_SECRET_KEY", "")
if not SECRET_KEY:
    # A stable per-installation key kept in the data directory, so the embedded default
    # works without configuration and sessions survive restarts.
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        import secrets

        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    SECRET_KEY = key_file.read_text().strip()

ALLOWED_HOSTS = [
    h for h in os.environ.get("ZHIFA_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h
]
if env_bool("ZHIFA_TESTING"):
    ALLOWED_HOSTS.append("testserver")
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("ZHIFA_CSRF_TRUSTED_ORIGINS", "").split(",") if o
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    # django-ninja: its bundled Swagger UI files are served from /static/ (no CDN).
    "ninja",
    "zhifa.core",
    "zhifa.orgs",
    "zhifa.catalog",
    "zhifa.ledger",
    "zhifa.workdays",
    "zhifa.cases",
    "zhifa.evidence",
    "zhifa.documents",
    "zhifa.reviews",
    "zhifa.disclosure",
    "zhifa.transfer",
    "zhifa.demo",
    "zhifa.api",
    "zhifa.web",
    "zhifa.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "zhifa.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "zhifa.urls"
WSGI_APPLICATION = "zhifa.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Project-level overrides of third-party templates (the admin's demo marker).
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "zhifa.web.context.shell",
                "zhifa.portal.nav.portal",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
SQLITE_PATH = DATA_DIR / "zhifa.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{SQLITE_PATH}"),
        # Tests close connections at once so the test database can be dropped afterwards.
        conn_max_age=0 if env_bool("ZHIFA_TESTING") else 60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run beside the single writer; the busy timeout makes a writer wait
        # for the lock instead of failing at once; IMMEDIATE takes the write lock at BEGIN so
        # two writers never deadlock on lock upgrade.
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
        ),
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }
else:
    DATABASES["default"].setdefault("TEST", {})
    if os.environ.get("ZHIFA_TEST_DB_NAME"):
        DATABASES["default"]["TEST"]["NAME"] = os.environ["ZHIFA_TEST_DB_NAME"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "orgs.User"

# --- Authentication -------------------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if env_bool("ZHIFA_FAST_HASHER"):
    # Tests create many accounts; argon2 stays the production hasher (see ADR 0004).
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

# Lockout after repeated failures (django-axes): ZHIFA_LOGIN_FAILURE_LIMIT failures per
# username lock that account for ZHIFA_LOGIN_LOCKOUT_MINUTES.
AXES_FAILURE_LIMIT = int(os.environ.get("ZHIFA_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = int(os.environ.get("ZHIFA_LOGIN_LOCKOUT_MINUTES", "15")) / 60
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "web/locked_out.html"
AXES_VERBOSE = False
# Axes' own admin pages (raw logs, in English) are off; ``orgs.admin`` shows lockouts in
# Chinese with an "unlock" action.
AXES_ENABLE_ADMIN = False
# Lock by account, not by address: government offices share a few NAT addresses, and locking
# an address would lock a whole office out (see ADR 0004).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

SESSION_ENGINE = "zhifa.core.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
CSRF_COOKIE_HTTPONLY = False

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

# --- Files ----------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

# --- Platform -------------------------------------------------------------------------------
ZHIFA = {
    # Rows per page on staff list pages and in the API.
    "PAGE_SIZE": int(os.environ.get("ZHIFA_PAGE_SIZE", "20")),
    # Largest import file accepted, in bytes.
    "IMPORT_MAX_BYTES": int(os.environ.get("ZHIFA_IMPORT_MAX_BYTES", str(10 * 1024 * 1024))),
    # Largest number of data rows in one import file.
    "IMPORT_MAX_ROWS": int(os.environ.get("ZHIFA_IMPORT_MAX_ROWS", "10000")),
    # The workbench and certificate lists warn this many days before a certificate expires.
    "CERTIFICATE_EXPIRY_WARNING_DAYS": int(
        os.environ.get("ZHIFA_CERTIFICATE_EXPIRY_WARNING_DAYS", "90")
    ),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("ZHIFA_LOG_LEVEL", "WARNING")},
}

SITE_TITLE = _("Zhifa enforcement platform")


def _summary_limits(raw: str) -> dict[str, int]:
    """``natural_person=200,organisation=3000`` (yuan) → fen per party type. APL art. 51 sets
    200 / 3,000 yuan; a law may set other amounts for a sector (see cases.guards)."""
    limits = {}
    for part in filter(None, (p.strip() for p in raw.split(","))):
        key, _sep, yuan = part.partition("=")
        limits[key.strip()] = int(yuan.strip()) * 100
    return limits


# Summary-procedure limits per party type, overriding the defaults of APL art. 51.
ZHIFA_SUMMARY_LIMITS = _summary_limits(os.environ.get("ZHIFA_SUMMARY_LIMITS", ""))

# Sectors where a law lets one officer decide on the spot (APL art. 42 "unless a law provides
# otherwise", e.g. road traffic): comma-separated sector codes.
ZHIFA_SUMMARY_SINGLE_OFFICER_SECTORS = [
    s.strip() for s in os.environ.get("ZHIFA_SUMMARY_SINGLE_OFFICER_SECTORS", "").split(",")
    if s.strip()]

# --- Evidence store (issue 4; see docs/operations.md "Evidence") ------------------------------
# Storage of evidence bytes: "local" (ZHIFA_EVIDENCE_DIR, default <ZHIFA_DATA_DIR>/media) or
# "s3" (any S3-compatible object store: ZHIFA_S3_ENDPOINT_URL, ZHIFA_S3_BUCKET,
# ZHIFA_S3_ACCESS_KEY, ZHIFA_S3_SECRET_KEY, ZHIFA_S3_REGION). tus uploads in progress are
# always kept on local disk (ZHIFA_UPLOAD_DIR, default <ZHIFA_DATA_DIR>/uploads).
ZHIFA_EVIDENCE_STORAGE = os.environ.get("ZHIFA_EVIDENCE_STORAGE", "local")
ZHIFA_EVIDENCE_DIR = Path(os.environ.get("ZHIFA_EVIDENCE_DIR", DATA_DIR / "media"))
ZHIFA_UPLOAD_DIR = Path(os.environ.get("ZHIFA_UPLOAD_DIR", DATA_DIR / "uploads"))
ZHIFA_S3 = {
    "endpoint_url": os.environ.get("ZHIFA_S3_ENDPOINT_URL", ""),
    "bucket": os.environ.get("ZHIFA_S3_BUCKET", "zhifa-evidence"),
    "access_key": os.environ.get("ZHIFA_S3_ACCESS_KEY", ""),
    "secret_key": os.environ.get("ZHIFA_S3_SECRET_KEY", ""),
    "region": os.environ.get("ZHIFA_S3_REGION", "us-east-1"),
    # create the bucket when missing (off: a mistyped name fails instead of making a bucket)
    "create_bucket": env_bool("ZHIFA_S3_CREATE_BUCKET", False),
}
# Largest accepted file (bytes; default 64 GiB) and how long an unfinished upload is kept.
ZHIFA_EVIDENCE_MAX_BYTES = int(os.environ.get("ZHIFA_EVIDENCE_MAX_BYTES", str(64 * 1024 ** 3)))
ZHIFA_UPLOAD_EXPIRY_HOURS = int(os.environ.get("ZHIFA_UPLOAD_EXPIRY_HOURS", "72"))
# Size of each PATCH the browser's upload widget sends (bytes; default 8 MiB).
ZHIFA_UPLOAD_CHUNK_BYTES = int(os.environ.get("ZHIFA_UPLOAD_CHUNK_BYTES", str(8 * 1024 ** 2)))
# Coverage: the largest gap (seconds) between recordings that still counts as "in full".
ZHIFA_AV_GAP_TOLERANCE_SECONDS = int(os.environ.get("ZHIFA_AV_GAP_TOLERANCE_SECONDS", "0"))
# Archive packages embed evidence files up to this size (bytes); larger ones are referenced
# by their hashes in the manifest.
ZHIFA_ARCHIVE_EMBED_MAX_BYTES = int(os.environ.get("ZHIFA_ARCHIVE_EMBED_MAX_BYTES",
                                                   str(512 * 1024 ** 2)))
# Background tasks: "inline" (after the transaction commits, in the same process: the
# embedded default) or "celery" (ZHIFA_CELERY_BROKER_URL, e.g. redis://127.0.0.1:6379/0).
ZHIFA_TASKS = os.environ.get("ZHIFA_TASKS", "inline")
ZHIFA_CELERY_BROKER_URL = os.environ.get("ZHIFA_CELERY_BROKER_URL", "")
# Audio/video analysis: the ffprobe/ffmpeg executables (found on PATH by default) and the
# longest an analysis may take.
ZHIFA_FFPROBE = os.environ.get("ZHIFA_FFPROBE", "ffprobe")
ZHIFA_FFMPEG = os.environ.get("ZHIFA_FFMPEG", "ffmpeg")
ZHIFA_PROBE_TIMEOUT_SECONDS = int(os.environ.get("ZHIFA_PROBE_TIMEOUT_SECONDS", "600"))
# The longest a share link may run (days).
ZHIFA_SHARE_MAX_DAYS = int(os.environ.get("ZHIFA_SHARE_MAX_DAYS", "90"))
# Archive numbers: a pattern with {prefix} (the body's short name), {year} and {seq}; per body
# (credit code → pattern) in ZHIFA_ARCHIVE_NUMBER_PATTERNS when agencies differ.
ZHIFA_ARCHIVE_NUMBER_PATTERN = os.environ.get("ZHIFA_ARCHIVE_NUMBER_PATTERN",
                                              "{prefix}档〔{year}〕{seq}号")
ZHIFA_ARCHIVE_NUMBER_PATTERNS: dict[str, str] = {}
# How long case files are kept, per procedure ("permanent" or "30y"); the defaults are in
# zhifa.evidence.archive.contents.DEFAULT_RETENTION.
ZHIFA_ARCHIVE_RETENTION: dict[str, str] = {}

# Enforcement documents (issue 5). The verification address printed under each document's QR
# code: <ZHIFA_PUBLIC_BASE_URL>/v/<code> (the public site of the installation).
ZHIFA_PUBLIC_BASE_URL = os.environ.get("ZHIFA_PUBLIC_BASE_URL", "http://127.0.0.1:8000")
# Default pattern of document numbers (文号); per body and type in the admin. Fields:
# {机关简称} (or {prefix}), {字} (the type's word, e.g. 罚), {年} (or {year}), {序号} (or {seq};
# a format spec such as {序号:03d} is allowed).
ZHIFA_DOCUMENT_NUMBER_PATTERN = os.environ.get("ZHIFA_DOCUMENT_NUMBER_PATTERN",
                                               "{机关简称}{字}〔{年}〕{序号}号")
# Service by announcement is deemed complete this many days after the announcement
# (民事诉讼法 2021 第九十五条: 30 days; 60 before 2021 and in some local rules).
ZHIFA_ANNOUNCEMENT_DAYS = int(os.environ.get("ZHIFA_ANNOUNCEMENT_DAYS", "30"))
# Largest template upload accepted (bytes).
ZHIFA_TEMPLATE_MAX_BYTES = int(os.environ.get("ZHIFA_TEMPLATE_MAX_BYTES", str(10 * 1024 ** 2)))
# Template scopes that must be filed (备案) before a version is put in force, comma-separated
# (body, province, system). 省级部门可以制定本系统统一适用的执法文书格式文本，报省司法厅备案.
ZHIFA_TEMPLATE_FILING_REQUIRED = [
    scope.strip()
    for scope in os.environ.get("ZHIFA_TEMPLATE_FILING_REQUIRED", "province").split(",")
    if scope.strip()]
