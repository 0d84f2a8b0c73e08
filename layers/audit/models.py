from django.db import models
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    INSERT = "insert", _("created")
    UPDATE = "update", _("changed")
    DELETE = "delete", _("deleted")


class Change(models.Model):
    """One row created, changed or deleted in an audited table: who, when, what, from where.

    No geometry of its own (a changed geometry is in old_values/new_values as hex EWKB).
    Written only by the database trigger audit_record_changes (sql/audit_function.sql), never
    by Django: whatever path wrote the row (API, admin, import, SQL), it is recorded.
    """

    at = models.DateTimeField(_("when"), db_index=True)
    table_name = models.CharField(_("table"), max_length=63)
    row_id = models.BigIntegerField(_("row"))
    action = models.CharField(_("action"), max_length=8, choices=Action.choices)
    # No foreign key: a change outlives the account that made it.
    actor_id = models.BigIntegerField(_("user id"), null=True, blank=True)
    actor = models.TextField(_("who"))
    # Text, not inet: whatever the front proxy passes must never make a write fail.
    ip = models.CharField(_("from address"), max_length=64, blank=True, db_default="")
    user_agent = models.TextField(_("user agent"), blank=True, db_default="")
    area_code = models.CharField(_("division code"), max_length=12, blank=True, db_default="")
    old_values = models.JSONField(_("old values"), null=True, blank=True)
    new_values = models.JSONField(_("new values"), null=True, blank=True)

    class Meta:
        verbose_name = _("change")
        verbose_name_plural = _("changes")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["table_name", "row_id", "at"], name="audit_row_history_idx"),
            models.Index(
                fields=["area_code"], name="audit_area_idx", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self):
        return f"{self.table_name} {self.row_id} {self.action} {self.at:%Y-%m-%d %H:%M}"
