from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

LAYER = "disputes"


class DisputesConfig(AppConfig):
    name = "layers.disputes"
    label = "disputes"
    verbose_name = _("Land disputes")

    def ready(self):
        from layers.access import policy

        # Cases belong to a village: an area-limited credential sees its villages' cases. Kept
        # here until the access policy lists the disputes layer itself.
        policy.LAYERS.setdefault(LAYER, "village__code")
