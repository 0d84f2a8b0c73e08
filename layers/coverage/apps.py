from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoverageConfig(AppConfig):
    name = "layers.coverage"
    label = "coverage"
    verbose_name = _("Camera coverage")
