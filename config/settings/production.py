"""Settings for a production server. Every secret comes from the environment.

`manage.py check --deploy --settings=config.settings.production` reports no issues
(tests/accounts/test_security.py runs it). Phaen is expected behind one TLS-terminating reverse
proxy that sets X-Forwarded-Proto and appends to X-Forwarded-For (`PHAEN_PROXY_COUNT`).
"""

from django.core.exceptions import ImproperlyConfigured

from config import env
from config.settings.base import *  # noqa: F403
from config.settings.base import PHAEN_UPLOAD_ROOT

DEBUG = False
SECRET_KEY = env.string("DJANGO_SECRET_KEY")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set to a random value of 50+ characters.")
ALLOWED_HOSTS = env.strings("DJANGO_ALLOWED_HOSTS", [])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must name the host names Phaen answers to.")
CSRF_TRUSTED_ORIGINS = env.strings("DJANGO_CSRF_TRUSTED_ORIGINS", [])

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
PHAEN_PROXY_COUNT = env.integer("PHAEN_PROXY_COUNT", 1)
SECURE_SSL_REDIRECT = env.boolean("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env.integer("DJANGO_HSTS_SECONDS", 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
# "__Host-" cookies are sent only over HTTPS, to this host, for every path: a sibling subdomain
# cannot set or shadow them.
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-phaen-session"
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_NAME = "__Host-phaen-csrf"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    "uploads": {
        "BACKEND": "phaen.core.uploads.UploadStorage",
        "OPTIONS": {"location": env.string("PHAEN_UPLOAD_ROOT", str(PHAEN_UPLOAD_ROOT))},
    },
}
