from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BalancingConfig(AppConfig):
    name = "layers.balancing"
    label = "balancing"
    verbose_name = _("Grid balancing")
