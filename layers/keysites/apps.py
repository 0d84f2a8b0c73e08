from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KeysitesConfig(AppConfig):
    name = "layers.keysites"
    label = "keysites"
    verbose_name = _("Key sites")
