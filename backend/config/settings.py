"""Settings for every deployment, read from the environment (see README: Configuration).

With no environment at all this is the embedded default: SQLite and the filesystem broker under
var/, local file storage, DEBUG on. Production sets DEBUG=0, SECRET_KEY, DATABASE_URL,
CELERY_BROKER_URL and STORAGE_URL."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from backend.config.env import env_bool, env_float, env_int, env_list, parse_storage_url

REPO_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = Path(os.environ.get("VAR_DIR") or REPO_DIR / "var").resolve()
FRONTEND_DIST = REPO_DIR / "frontend" / "dist"
(VAR_DIR / "static").mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "insecure-development-key-only-for-debug-mode-" + "x" * 20

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if not DEBUG else ["*"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_celery_beat",
    "backend.config.apps.ConfigConfig",
    # The backend apps, lowest first: each may import the ones above it in this list, never the
    # ones below (import-linter checks it; see docs/architecture.md).
    "backend.idempotency",
    "backend.projects",
    "backend.accounts",
    "backend.jobs",
    "backend.media",
    "backend.annotations",
    "backend.work",
    "backend.training",
    "backend.inference",
    "backend.exports",
    "backend.workspace",
]

MIDDLEWARE = [
    "backend.config.api_errors.ApiJsonErrorsMiddleware",  # first: every /api/ answer leaves as JSON
    "backend.config.middleware.OutageMiddleware",  # next: an outage anywhere below answers 503, not 500
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# Server-Timing: cpu;dur=MS on every answer (bench/bench_load.py reads it); off by default.
SERVER_TIMING = env_bool("SERVER_TIMING", False)
if SERVER_TIMING:
    MIDDLEWARE.insert(0, "backend.config.middleware.ServerTimingMiddleware")

ROOT_URLCONF = "backend.config.urls"
WSGI_APPLICATION = "backend.config.wsgi.application"

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

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
        conn_health_checks=env_bool("DATABASE_CONN_HEALTH_CHECKS", False),
    )
}
# Connection pooling (docs/deployment.md). Behind pgbouncer in transaction mode: every request or
# task may get another server connection, so no server-side cursors (the app never needs one: big
# reads go in keyset batches) and, for pgbouncer before 1.21, no prepared statements.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool("DATABASE_DISABLE_SERVER_SIDE_CURSORS", False)
    if not env_bool("DATABASE_PREPARED_STATEMENTS", True):
        DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = None
    # A connection pool per process (psycopg_pool, Django's "pool" option): under ASGI every
    # request runs on a thread of its own, so persistent connections (CONN_MAX_AGE) are never
    # reused and each request would connect anew (a PostgreSQL backend start, several ms); a pool
    # hands the thread an open connection and takes it back when the request ends. Size it to the
    # requests a process runs at once; 0 turns it off (e.g. behind pgbouncer, or under WSGI with
    # DATABASE_CONN_MAX_AGE).
    POOL_SIZE = env_int("DATABASE_POOL_SIZE", 0)
    if POOL_SIZE > 0:
        DATABASES["default"]["CONN_MAX_AGE"] = 0  # Django refuses persistent connections with a pool
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": 1,
            "max_size": POOL_SIZE,
            "timeout": env_int("DATABASE_POOL_TIMEOUT_SECONDS", 10),
        }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web and worker processes share the file: wait for the lock instead of failing at once. WAL
    # journal: readers never wait for a writer, and a commit appends to the log without the
    # rollback journal's fsyncs (synchronous NORMAL: a crash of the application loses nothing; a
    # power cut can lose the last commits, never corrupt the file).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

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

# --- storage -------------------------------------------------------------------------------
STORAGE = parse_storage_url(os.environ.get("STORAGE_URL", ""), VAR_DIR)
if STORAGE.kind == "s3":
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": STORAGE.bucket,
            "location": STORAGE.location,
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("S3_REGION") or None,
            "access_key": os.environ.get("AWS_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("AWS_SECRET_ACCESS_KEY") or None,
            "file_overwrite": True,  # keys are content addresses: same key, same bytes
            "default_acl": None,
            "querystring_auth": True,
            "addressing_style": os.environ.get("S3_ADDRESSING_STYLE") or "path",  # "virtual" for AWS
            "signature_version": os.environ.get("S3_SIGNATURE_VERSION") or "s3v4",
            "querystring_expire": env_int("S3_URL_EXPIRE_SECONDS", 3600),  # signed download links
            "max_memory_size": env_int("S3_MAX_MEMORY_BYTES", 16 * 1024 * 1024),  # spool bigger uploads to disk
            "use_ssl": env_bool("S3_USE_SSL", True),
        },
    }
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": STORAGE.location},
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [FRONTEND_DIST] if FRONTEND_DIST.is_dir() else []
WHITENOISE_USE_FINDERS = True

# --- uploads and media limits --------------------------------------------------------------
MAX_IMAGE_BYTES = env_int("MAX_IMAGE_BYTES", 50 * 1024 * 1024)
MAX_VIDEO_BYTES = env_int("MAX_VIDEO_BYTES", 2 * 1024 * 1024 * 1024)
MAX_IMAGE_PIXELS = env_int("MAX_IMAGE_PIXELS", 100_000_000)
MAX_VIDEO_FRAMES = env_int("MAX_VIDEO_FRAMES", 100_000)
DEFAULT_ANNOTATION_FPS = 6
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = env_int("MAX_FILES_PER_UPLOAD", 200)
# SA-1B archives (manage.py import_sa1b): caps checked on each member's header before it is read.
SA1B_IMPORT_MAX_MEMBERS = env_int("SA1B_IMPORT_MAX_MEMBERS", 100_000)
SA1B_IMPORT_MAX_JSON_BYTES = env_int("SA1B_IMPORT_MAX_JSON_BYTES", 16 * 1024 * 1024)
SA1B_IMPORT_MAX_BYTES = env_int("SA1B_IMPORT_MAX_BYTES", 16 * 1024 * 1024 * 1024)
# Idempotency-Key: how long the first answer to a keyed POST is kept for its retries.
IDEMPOTENCY_KEY_HOURS = env_int("IDEMPOTENCY_KEY_HOURS", 24)
# JSON request bodies (a mask's RLE, prompts): larger ones are answered 413 before parsing.
MAX_JSON_BODY_BYTES = env_int("MAX_JSON_BODY_BYTES", 32 * 1024 * 1024)

# --- REST API ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "backend.accounts.tokens.ExpiringTokenAuthentication",  # API clients and the CLI
        "rest_framework.authentication.SessionAuthentication",  # the browser app (cookie + CSRF)
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "backend.core.pagination.StrictPageNumberPagination",
    "DEFAULT_PARSER_CLASSES": [
        "backend.core.parsers.StrictJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "backend.config.exceptions.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Segmentation data engine API",
    "DESCRIPTION": "Projects, media, SAM-assisted masks, jobs and exports.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "ENUM_NAME_OVERRIDES": {
        "ProjectKindEnum": "backend.projects.models.Project.Kind",
        "PromptKindEnum": "backend.annotations.models.PromptEvent.Kind",
        "VideoOperationKindEnum": "backend.inference.models.VideoPrompt.Kind",
        "RegionCaptionKindEnum": "backend.annotations.models.RegionCaption.Kind",
        "MaskStatusEnum": "backend.annotations.models.Mask.Status",
        "MaskletStatusEnum": "backend.annotations.models.Masklet.Status",
        "ModelVersionStatusEnum": "backend.training.models.ModelVersion.Status",
        "JobStateEnum": "backend.jobs.models.Job.State",
        "WorkStateEnum": "backend.work.selectors.WorkState",
        "ItemDecisionEnum": "backend.work.models.ItemDecision.Decision",
        "ClaimPurposeEnum": "backend.work.models.Claim.Purpose",
        "ReviewQueueKindEnum": "backend.annotations.bulk_services.KINDS",
    },
}

# --- Celery --------------------------------------------------------------------------------
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or "filesystem://"
CELERY_BROKER_DIR = VAR_DIR / "broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "store_processed": False,
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "polling_interval": 0.05,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600)}
    if CELERY_BROKER_URL.startswith("redis://"):  # a request never hangs on an unreachable broker
        CELERY_BROKER_TRANSPORT_OPTIONS["socket_connect_timeout"] = 2
    if os.environ.get("CELERY_RESTORE_INTERVAL"):  # how often workers look for unacked messages to redeliver
        CELERY_BROKER_TRANSPORT_OPTIONS["unacked_restore_interval"] = env_int("CELERY_RESTORE_INTERVAL", 10)
    if os.environ.get("CELERY_KEY_PREFIX"):  # several deployments (or test runs) on one Redis
        CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] = os.environ["CELERY_KEY_PREFIX"]
# Correctness never depends on a result backend: every task that matters has a Job row.
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_DEFAULT_QUEUE = "cpu"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_DIRECT = True  # each worker also consumes its own queue: video sessions are pinned there
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = env_float("CELERY_BROKER_CONNECTION_TIMEOUT", 2.0)
# django-celery-beat's DatabaseScheduler, which also fires retraining schedules in the beat process
# itself (backend/training/beat.py): a busy worker never delays or piles up their ticks.
CELERY_BEAT_SCHEDULER = "backend.training.beat:TrainingScheduler"
# Retraining schedules (the training page): no clock schedule more often than this (seconds).
TRAINING_SCHEDULE_MIN_INTERVAL_SECONDS = env_int("TRAINING_SCHEDULE_MIN_INTERVAL_SECONDS", 300)
JOB_MAX_ATTEMPTS = env_int("JOB_MAX_ATTEMPTS", 3)
# Batch jobs (automatic runs, embedding backfills, a project's proposals) are split into chunk jobs
# of this many images, taken by every worker of the gpu queue (backend.jobs.fanout).
JOB_CHUNK_ITEMS = env_int("JOB_CHUNK_ITEMS", 8)
# A promoted (or rolled-back) model re-embeds its project's images ahead of the annotators.
EMBED_BACKFILL_ON_PROMOTE = env_bool("EMBED_BACKFILL_ON_PROMOTE", True)
WORKER_HEARTBEAT_SECONDS = env_float("WORKER_HEARTBEAT_SECONDS", 5)
WORKER_STALE_SECONDS = env_float("WORKER_STALE_SECONDS", 30)
# The reconciler (backend/jobs/reconcile.py): beat, every worker's heartbeat thread and the embedded
# supervisor run it every JOB_RECONCILE_SECONDS. A queued job whose message never reached the broker
# is sent after JOB_PUBLISH_GRACE_SECONDS; one whose message a live, idle worker of its queue never
# took (for JOB_LOST_MARGIN_SECONDS) is sent again after JOB_LOST_GRACE_SECONDS.
JOB_RECONCILE_SECONDS = env_float("JOB_RECONCILE_SECONDS", 15)
JOB_PUBLISH_GRACE_SECONDS = env_float("JOB_PUBLISH_GRACE_SECONDS", 10)
JOB_LOST_GRACE_SECONDS = env_float("JOB_LOST_GRACE_SECONDS", 60)
JOB_LOST_MARGIN_SECONDS = env_float("JOB_LOST_MARGIN_SECONDS", 2 * WORKER_HEARTBEAT_SECONDS)
JOB_FALLBACK_QUEUE = "gpu"  # where jobs pinned to a stopped worker's own queue go
# A request never waits long on an unreachable broker: one quick retry, then the job is left to the
# reconciler, and the next JOB_PUBLISH_COOLDOWN_SECONDS of requests in this process skip the broker.
JOB_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
JOB_PUBLISH_COOLDOWN_SECONDS = env_float("JOB_PUBLISH_COOLDOWN_SECONDS", 5)
CELERY_BEAT_SCHEDULE = {
    "jobs-reconcile": {
        "task": "jobs.reconcile",
        "schedule": JOB_RECONCILE_SECONDS,
        "options": {"queue": "cpu", "expires": JOB_RECONCILE_SECONDS},
    }
}
if CELERY_BROKER_URL.startswith("filesystem://"):
    # The embedded supervisor reconciles in its own process; its beat only fires retraining
    # schedules (in beat itself) and sends no message to the filesystem broker.
    CELERY_BEAT_SCHEDULE = {}
CELERY_RESULT_EXPIRES = None  # no result backend: beat installs no backend_cleanup task

# --- cache (predict's logits tokens; shared by every web process) ---------------------------
if CELERY_BROKER_URL.startswith("redis://"):
    CACHES = {
        "default": {
            "BACKEND": "backend.core.redis_cache.RedisCache",  # one client per pool, not per operation
            "LOCATION": CELERY_BROKER_URL,
            "KEY_PREFIX": os.environ.get("CELERY_KEY_PREFIX", "") + "engine",
            # An unreachable cache fails fast (health, sign-in, predict's tokens) instead of hanging.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:  # the embedded default runs one web process: its memory is the shared cache
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "engine"}}
LOGITS_TOKEN_SECONDS = env_int("LOGITS_TOKEN_SECONDS", 1800)

# --- work distribution ----------------------------------------------------------------------
# An item handed to an annotator or reviewer is theirs until they complete, skip, flag or leave
# it, or until this many seconds pass without a save (an abandoned item goes back to the team).
WORK_CLAIM_SECONDS = env_int("WORK_CLAIM_SECONDS", 600)

# --- models --------------------------------------------------------------------------------
MODEL = os.environ.get("MODEL", "sam2:hiera_t")
MODEL_CHECKPOINT_DIR = Path(os.environ.get("MODEL_CHECKPOINT_DIR") or REPO_DIR / "models" / "checkpoints")
MODEL_CHECKPOINT = os.environ.get("MODEL_CHECKPOINT", "")  # an explicit file overrides the directory
MODEL_DEVICE = os.environ.get("MODEL_DEVICE", "cpu")
# Missing official checkpoints of MODEL / VIDEO_MODEL download in the background at start (make run,
# each worker); 0 for air-gapped sites and CI. The mirror: MODEL_CHECKPOINT_BASE_URL (read by models/).
MODEL_AUTO_FETCH = env_bool("MODEL_AUTO_FETCH", True)
# Weights neither official nor a promoted model version may be untrained: refused unless this is on,
# and then served under a warning in /api/health/, predict answers and the UI.
MODEL_ALLOW_UNVERIFIED = env_bool("MODEL_ALLOW_UNVERIFIED", False)
# Decoded embeddings each process keeps (by image and model version): at least the images its
# annotators have open at once, so a click never reads storage again (a tiny SAM's is 0.5 MB,
# ViT-H's 4 MB in memory).
EMBEDDING_CACHE_SIZE = env_int("EMBEDDING_CACHE_SIZE", 128)
# SAM's prompt decoder: "torch", "onnx" (onnxruntime on the CPU), or "auto" (exported to ONNX and
# timed against torch once, when the process loads the model: results can differ between starts
# on a busy machine, so deployments fix it).
MODEL_DECODER = os.environ.get("MODEL_DECODER", "torch")
if MODEL_DECODER not in ("torch", "onnx", "auto"):
    raise ImproperlyConfigured(f"MODEL_DECODER must be torch, onnx or auto, not {MODEL_DECODER!r}")
# torch intra-op threads per process for predict: one, since requests already run in parallel.
MODEL_TORCH_THREADS = env_int("MODEL_TORCH_THREADS", 1)
VIDEO_MODEL = os.environ.get("VIDEO_MODEL", "sam2:hiera_t")  # SAM 2 tracks videos; SAM 1 is image-only
VIDEO_IMAGE_SIZE = env_int("VIDEO_IMAGE_SIZE", 0) or None  # tracker input side; None: the model's own (1024)
VIDEO_SESSIONS_PER_WORKER = env_int("VIDEO_SESSIONS_PER_WORKER", 4)
VIDEO_SESSION_IDLE_SECONDS = env_int("VIDEO_SESSION_IDLE_SECONDS", 900)
VIDEO_WARM_FRAMES = env_int("VIDEO_WARM_FRAMES", 2)  # opening a video computes its first frames' features (0: off)
# Processes a training round runs on (torchrun + DistributedDataParallel; gloo on CPUs, nccl on
# GPUs): a train host with N GPUs sets N. Each process takes at least one image of every step.
TRAINING_PROCESSES = env_int("TRAINING_PROCESSES", 1)

# --- sign-in (backend/accounts/sign_in_limits.py) -------------------------------------------
# The client's address is REMOTE_ADDR, unless the app sits behind this many reverse proxies of
# yours: then it is the address the outermost of them wrote into X-Forwarded-For (what a client puts
# there itself is ignored). Never more than the proxies really in front of the app.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
REST_FRAMEWORK["NUM_PROXIES"] = TRUSTED_PROXY_COUNT  # DRF throttles, if any, see the same address
# Failed sign-ins (token endpoint, browser, admin) counted in the cache per client address and per
# username over a window; past either limit a sign-in answers 429 until the window ends.
SIGN_IN_WINDOW_SECONDS = env_int("SIGN_IN_WINDOW_SECONDS", 300)
SIGN_IN_FAILURES_PER_ADDRESS = env_int("SIGN_IN_FAILURES_PER_ADDRESS", 30)
SIGN_IN_FAILURES_PER_USERNAME = env_int("SIGN_IN_FAILURES_PER_USERNAME", 10)
# API tokens (POST /api/auth/token/) stop working this many hours after they were made; 0: never.
API_TOKEN_HOURS = env_int("API_TOKEN_HOURS", 24 * 7)
# The browser app's session cookie lasts this long.
SESSION_COOKIE_AGE = env_int("SESSION_HOURS", 24 * 14) * 3600

# --- security (production: DEBUG off) ------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # the browser app reads it for session-authenticated writes
CSRF_FAILURE_VIEW = "backend.config.api_errors.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "kombu.connection": {"level": "ERROR"},  # "no hostname" for the filesystem:// broker
    },
}
