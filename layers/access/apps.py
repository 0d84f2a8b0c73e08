from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "layers.access"
    label = "access"
    verbose_name = _("Access")

    def ready(self):
        from layers.access import schema  # noqa: F401  (registers the token's OpenAPI scheme)
