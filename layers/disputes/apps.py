from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

LAYER = "disputes"


class DisputesConfig(AppConfig):
    name = "layers.disputes"
    label = "disputes"
    verbose_name = _("Land disputes")
