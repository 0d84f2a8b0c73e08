import hashlib

from django.conf import settings
from django.contrib.gis.db import models
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def hash_key(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


class ApiToken(models.Model):
    """A credential another system uses: its scopes, the area it may see, when it expires.

    No geometry. Only a SHA-256 hash of the key is stored; the key is shown once, at creation.
    Scopes are `read`, `write`, or per layer `read:<layer>` / `write:<layer>`.
    """

    name = models.CharField(_("name"), max_length=100)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("key prefix"), max_length=8, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    area = models.ForeignKey(
        "areas.AdminArea",
        verbose_name=_("limited to area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("Empty: the whole deployment."),
    )
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    def allows(self, action: str, layer: str) -> bool:
        # Only a list of scopes counts: "read" is *in* the string "read:cameras" too.
        if not isinstance(self.scopes, list):
            return False
        return action in self.scopes or f"{action}:{layer}" in self.scopes

    def clean(self):
        from layers.access.services import scopes_validate

        if not isinstance(self.scopes, list):
            raise ValidationError(
                {"scopes": _('Scopes are a list, e.g. ["read", "write:incidents"].')}
            )
        scopes_validate(self.scopes)


class RoleKind(models.TextChoices):
    CITY_ADMIN = "city_admin", _("City administrator")
    SUPERVISOR = "supervisor", _("County or township supervisor")
    DEPARTMENT_STAFF = "department_staff", _("Department staff")
    GRIDDER = "gridder", _("Gridder")
    FIELD_OFFICER = "field_officer", _("Field officer")
    CITIZEN = "citizen", _("Citizen")


class Role(models.Model):
    """What a person does, and the part of the hierarchy it covers: the scope of every read.

    No geometry. A supervisor and a field officer are scoped to their area and everything
    inside it; department staff to the incidents dispatched to their departments (their
    membership is layers.incidents DepartmentMember); a gridder to the grids they staff
    (layers.grids GridStaff); a citizen to public layers and their own reports. A user without
    a role keeps the layer-level rules only (model permissions, token scopes and area).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="gisgov_role",
    )
    kind = models.CharField(_("role"), max_length=20, choices=RoleKind.choices)
    area = models.ForeignKey(
        "areas.AdminArea",
        verbose_name=_("scoped to area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The county or township a supervisor or field officer covers."),
    )

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind__in=["supervisor", "field_officer"])
                | models.Q(area__isnull=False),
                name="access_role_area_when_scoped",
                violation_error_message=_("A supervisor or field officer is scoped to an area."),
            )
        ]

    def __str__(self):
        return f"{self.user} · {self.get_kind_display()}"
