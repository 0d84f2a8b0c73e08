from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "layers.audit"
    label = "audit"
    verbose_name = _("Audit")

    def ready(self):
        from layers.audit.triggers import install_triggers

        # After every migrate, so a table added to AUDITED (or re-created by another app's
        # migration) is watched without a migration in its own app.
        post_migrate.connect(install_triggers, dispatch_uid="audit-install-triggers")
