from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HeatmapsConfig(AppConfig):
    name = "layers.heatmaps"
    label = "heatmaps"
    verbose_name = _("Heatmaps and hot spots")
