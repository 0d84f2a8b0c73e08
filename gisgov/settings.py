"""gisgov settings: everything that varies between deployments comes from gisgov.env."""

from django.utils.translation import gettext_lazy as _

from gisgov.env import BASE_DIR, database_config, env_bool, env_int, env_list, env_str

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
    "layers.keysites",
    "layers.incidents",
    "layers.transfer",
    "layers.jobs",
    "layers.tiles",
    "layers.ogc",
    "corsheaders",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

# The language of pages without a preference, of commands and of the worker.
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
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "layers.common.api.exception_handler",
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

# Web maps on other origins may read the OGC API, tiles and the REST API; credentials travel
# as bearer tokens, never cookies, so any origin is allowed and writes stay same-origin.
CORS_URLS_REGEX = r"^/(ogc|tiles|api)/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_EXPOSE_HEADERS = ["Content-Crs", "ETag"]

# Incident tiles below this zoom carry clusters (counts per category) instead of incidents.
GISGOV_TILES_CLUSTER_BELOW_ZOOM = env_int("GISGOV_TILES_CLUSTER_BELOW_ZOOM", 14)

# An evidence photo whose EXIF position lies farther than this from its incident is flagged.
GISGOV_EVIDENCE_MAX_DISTANCE_M = env_int("GISGOV_EVIDENCE_MAX_DISTANCE_M", 500)

# Balancing plans of parents with more buildings than this go through the job queue.
GISGOV_BALANCING_INLINE_BUILDINGS = env_int("GISGOV_BALANCING_INLINE_BUILDINGS", 20_000)
