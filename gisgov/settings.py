"""gisgov settings: everything that varies between deployments comes from gisgov.env."""

from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

from gisgov.env import (
    BASE_DIR,
    database_config,
    env_bool,
    env_int,
    env_list,
    env_str,
    replica_config,
)

SECRET_KEY = env_str(
    "GISGOV_SECRET_KEY", "gisgov-development-only-secret-key-change-me-in-production"
)
DEBUG = env_bool("GISGOV_DEBUG", False)
ALLOWED_HOSTS = env_list("GISGOV_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "rest_framework",
    "rest_framework_gis",
    "django_filters",
    "procrastinate.contrib.django",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "layers.common",
    "layers.access",
    "layers.areas",
    "layers.grids",
    "layers.balancing",
    "layers.departments",
    "layers.buildings",
    "layers.cameras",
    "layers.coverage",
    "layers.keysites",
    "layers.incidents",
    "layers.transfer",
    "layers.jobs",
    "layers.tiles",
    "layers.ogc",
    "layers.disputes",
    "layers.audit",
    "layers.open311",
    "layers.console",
    "layers.supervision",
    "layers.heatmaps",
    "corsheaders",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "gisgov.routers.ReplicaRoutingMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "layers.access.security.RequestLimitsMiddleware",
    "layers.access.security.ContentSecurityPolicyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "layers.audit.context.AuditContextMiddleware",
]

ROOT_URLCONF = "gisgov.urls"
WSGI_APPLICATION = "gisgov.wsgi.application"

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

DATABASES = {"default": database_config()}
if replica_config() is not None:  # reads to a streaming replica: gisgov/routers.py
    DATABASES["replica"] = replica_config()
DATABASE_ROUTERS = ["gisgov.routers.ReplicaRouter"]
GISGOV_REPLICA_STICKY_SECONDS = env_int("GISGOV_REPLICA_STICKY_SECONDS", 10)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

# The language of pages without a preference, of commands and of the worker.
# The console's sign-in page serves every page that needs a login (the admin keeps its own).
LOGIN_URL = "console-login"
LANGUAGE_CODE = env_str("GISGOV_LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("GISGOV_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / ".data" / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = env_str("GISGOV_MEDIA_ROOT", str(BASE_DIR / ".data" / "media"))

# Uploads larger than this are refused with a 413-style message rather than read into memory.
GISGOV_MAX_UPLOAD_MB = env_int("GISGOV_MAX_UPLOAD_MB", 200)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "layers.access.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["layers.access.permissions.LayerPermission"],
    "DEFAULT_PARSER_CLASSES": [
        "layers.access.security.JSONParser",
        "layers.access.security.GeoJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "layers.common.api.exception_handler",
    # Rate limits count per client address; behind N reverse proxies, the Nth from the right of
    # X-Forwarded-For (0: the socket's address, which a client cannot forge).
    "NUM_PROXIES": env_int("GISGOV_NUM_PROXIES", 0),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "gisgov API",
    "DESCRIPTION": "GeoJSON API for grids, buildings, cameras, key sites and incidents.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Reads of these layers need no login when GISGOV_PUBLIC_READ is on; cameras and incidents
# always need a token or a session.
GISGOV_PUBLIC_READ = env_bool("GISGOV_PUBLIC_READ", True)
GISGOV_PUBLIC_LAYERS = ["areas", "grids", "buildings"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("GISGOV_LOG_LEVEL", "INFO")},
    "loggers": {"procrastinate": {"level": "WARNING"}},
}

# Maps: an XYZ tile URL for the basemap (Tianditu with its key, or an intranet tile server);
# empty means our own administrative boundaries are the base. The centre is where empty maps open.
GISGOV_BASEMAP_URL = env_str("GISGOV_BASEMAP_URL", "")
GISGOV_MAP_CENTER = (
    float(env_str("GISGOV_MAP_CENTER_LON", "114.6")),
    float(env_str("GISGOV_MAP_CENTER_LAT", "34.5")),
)

# Debian 12 ships GDAL 3.6, which cannot sandbox file/network access while reading spatial
# references; imports only read files the operator names, so the warning is acknowledged here.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

# A geometry with more vertices than this is refused on every write path.
GISGOV_MAX_VERTICES = env_int("GISGOV_MAX_VERTICES", 200_000)
# A rejected import lists this many of its problems (command output, the job's result); the
# rest are only counted.
GISGOV_IMPORT_LISTED_PROBLEMS = env_int("GISGOV_IMPORT_LISTED_PROBLEMS", 100)

# Web maps on other origins may read the OGC API, tiles and the REST API; credentials travel
# as bearer tokens, never cookies, so any origin is allowed and writes stay same-origin.
CORS_URLS_REGEX = r"^/(ogc|tiles|api)/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_EXPOSE_HEADERS = ["Content-Crs", "ETag", "X-Bounds"]

# Incident tiles below this zoom carry clusters (counts per category) instead of incidents.
GISGOV_TILES_CLUSTER_BELOW_ZOOM = env_int("GISGOV_TILES_CLUSTER_BELOW_ZOOM", 14)

# An evidence photo whose EXIF position lies farther than this from its incident is flagged.
GISGOV_EVIDENCE_MAX_DISTANCE_M = env_int("GISGOV_EVIDENCE_MAX_DISTANCE_M", 500)

# Security headers and the Content-Security-Policy (django-csp): our own origin only, scripts
# only from files or carrying the request's nonce ({{ request.csp_nonce }}), no framing.
GISGOV_HTTPS = env_bool("GISGOV_HTTPS", False)  # behind a TLS-terminating nginx in production
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if GISGOV_HTTPS else None
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = GISGOV_HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if GISGOV_HTTPS else 0
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
# A basemap on another server is allowed by its origin; a tile set we serve ourselves is 'self'.
_basemap_origin = (
    "/".join(GISGOV_BASEMAP_URL.split("/")[:3])
    if GISGOV_BASEMAP_URL.startswith(("http://", "https://"))
    else None
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:", "blob:", *filter(None, [_basemap_origin])],
        "connect-src": [SELF, *filter(None, [_basemap_origin])],
        "font-src": [SELF, "data:"],
        "worker-src": [SELF, "blob:"],  # map libraries decode tiles in blob workers
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Path prefix → directives added there: third-party pages with inline scripts and styles
# (Django admin and its OpenLayers map widget, Swagger UI). Staff-only or documentation pages.
GISGOV_CSP_RELAXED = {
    "/admin/": {"script-src": [UNSAFE_INLINE], "style-src": [UNSAFE_INLINE]},
    "/api/docs/": {"script-src": [UNSAFE_INLINE], "style-src": [UNSAFE_INLINE]},
}
# Anonymous reads of /api/, /ogc/ and /tiles/ per client address and minute (0: no limit). A
# map view loads tens of tiles a second at most; per process unless CACHES is shared.
GISGOV_ANONYMOUS_RATE = env_int("GISGOV_ANONYMOUS_RATE", 1200)
# Front proxies whose X-Real-IP names the client (rate limits, the audit's "from where").
GISGOV_TRUSTED_PROXIES = env_list("GISGOV_TRUSTED_PROXIES", [])
# Citizen reports (民意快递) and Open311. Reports of the same category within this distance and
# time window are proposed as duplicates.
GISGOV_DUPLICATE_DISTANCE_M = env_int("GISGOV_DUPLICATE_DISTANCE_M", 200)
GISGOV_DUPLICATE_WINDOW_HOURS = env_int("GISGOV_DUPLICATE_WINDOW_HOURS", 72)
# Per client address: reports sent, and tracking-code look-ups (which also guard the codes).
GISGOV_CITIZEN_REPORT_RATE = env_str("GISGOV_CITIZEN_REPORT_RATE", "10/hour")
GISGOV_CITIZEN_LOOKUP_RATE = env_str("GISGOV_CITIZEN_LOOKUP_RATE", "120/hour")
GISGOV_CITIZEN_MAX_PHOTOS = env_int("GISGOV_CITIZEN_MAX_PHOTOS", 3)
GISGOV_CITIZEN_MAX_PHOTO_MB = env_int("GISGOV_CITIZEN_MAX_PHOTO_MB", 5)
# The rate-limit counters live in the database, so every web process shares them (the table is
# created by the incidents migrations).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "throttle": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "gisgov_throttle_cache",
    },
}

# Uploaded files (incident attachments and thumbnails) go through Django's storage API: local
# disk under MEDIA_ROOT by default; any storage class (e.g. django-storages' S3) by its path.
STORAGES = {
    "default": {
        "BACKEND": env_str(
            "GISGOV_FILE_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"
        )
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# When the job worker escalates overdue incidents (cron syntax, server time zone).
GISGOV_ESCALATION_CRON = env_str("GISGOV_ESCALATION_CRON", "*/10 * * * *")
# Incidents are partitioned by month: the worker creates the partitions this many months ahead.
GISGOV_PARTITION_CRON = env_str("GISGOV_PARTITION_CRON", "17 3 * * *")
GISGOV_PARTITION_MONTHS_AHEAD = env_int("GISGOV_PARTITION_MONTHS_AHEAD", 3)
# Heatmaps: incidents are pre-binned in cells of this many metres (a requested cell is a multiple);
# category weights multiply each incident's kernel; hot spots need at least this many incidents.
GISGOV_HEATMAP_BASE_CELL_M = env_int("GISGOV_HEATMAP_BASE_CELL_M", 50)
GISGOV_HEATMAP_CATEGORY_WEIGHTS = {
    "dispute": 1.0,
    "public_safety": 1.5,
    "safety_hazard": 1.5,
    "livelihood": 1.0,
    "urban_management": 0.5,
    "sudden_event": 2.0,
}
GISGOV_HEATMAP_MAX_CELLS = env_int("GISGOV_HEATMAP_MAX_CELLS", 4_000_000)
GISGOV_HEATMAP_EXACT_MAX_POINTS = env_int("GISGOV_HEATMAP_EXACT_MAX_POINTS", 50_000)
GISGOV_HOTSPOT_MIN_INCIDENTS = env_int("GISGOV_HOTSPOT_MIN_INCIDENTS", 30)
# Each web process keeps the daily cells it has read (about 12 bytes an incident), by version.
GISGOV_HEATMAP_CACHE = env_bool("GISGOV_HEATMAP_CACHE", True)
# Balancing plans of parents with more buildings than this go through the job queue.
GISGOV_BALANCING_INLINE_BUILDINGS = env_int("GISGOV_BALANCING_INLINE_BUILDINGS", 20_000)
