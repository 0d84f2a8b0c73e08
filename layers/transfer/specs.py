"""What each importable layer is: its model, geometry, file columns and the codes rows refer to.

The column names here are both what import_layer reads and what export_layer writes, so an
exported file imports again unchanged.
"""

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from layers.areas.models import AdminArea, AreaLevel
from layers.buildings.models import Building
from layers.cameras.models import CameraSite
from layers.departments.models import Department
from layers.grids.models import Grid, GridKind
from layers.incidents.choices import SUBCATEGORIES
from layers.incidents.models import Incident
from layers.keysites.models import KeySite


class FieldKind(StrEnum):
    TEXT = "text"
    INT = "int"
    FLOAT = "float"
    DATE = "date"
    DATETIME = "datetime"
    CHOICE = "choice"
    REFERENCE = "code-reference"


class GeometryType(StrEnum):
    """The geometry a layer stores, spelled as PostGIS GeometryType() returns it."""

    POINT = "POINT"
    POLYGON = "POLYGON"
    MULTIPOLYGON = "MULTIPOLYGON"

    @property
    def is_polygonal(self) -> bool:
        return self is not GeometryType.POINT


@dataclass(frozen=True)
class Bounds:
    """An allowed numeric interval; None is unbounded on that side."""

    low: float | None = None
    high: float | None = None
    low_inclusive: bool = True
    high_inclusive: bool = True

    def __str__(self) -> str:
        low = "-∞" if self.low is None else f"{self.low:g}"
        high = "∞" if self.high is None else f"{self.high:g}"
        opening = "[" if self.low_inclusive and self.low is not None else "("
        closing = "]" if self.high_inclusive and self.high is not None else ")"
        return f"{opening}{low}, {high}{closing}"


@dataclass(frozen=True)
class Reference:
    """A column naming another row by a code or name; import resolves it to that row's id."""

    candidates: Callable[[], models.QuerySet]  # the rows a value may name
    key: str  # the field of those rows the value is compared with
    target: Promise  # what those rows are, for messages
    within_file: bool = False  # a row of the same file may be named too (by the same key)


@dataclass(frozen=True)
class FieldSpec:
    """One column of an import/export file and the model field it fills."""

    name: str
    kind: FieldKind
    model_field: str = ""  # defaults to `name`
    required: bool = False
    # Used when the value is absent; None means the model field's own default.
    default: Callable[[], Any] | None = None
    # Narrower than the column type allows, mirroring a model CHECK constraint.
    bounds: Bounds | None = None
    reference: Reference | None = None

    @property
    def model_field_name(self) -> str:
        return self.model_field or self.name


@dataclass(frozen=True)
class Rule:
    """A condition across the fields of one row, mirroring a model CHECK constraint.

    `violated` and `shown` are SQL over the staged row `r` (typed columns named like the
    fields; a reference's resolved id is `<name>_id`); `{table}` is the layer's table and
    %s placeholders take `params`.
    """

    name: str
    field: str
    violated: str
    shown: str
    message: Promise
    params: tuple = ()


@dataclass(frozen=True)
class LayerSpec:
    """An importable layer: its model, the geometry it stores and the file columns it has."""

    name: str
    model: type[models.Model]
    geometry_field: str
    geometry_type: GeometryType
    fields: tuple[FieldSpec, ...]
    # The lookup from a row to the 12-digit division code that export --area filters on.
    area_code_lookup: str
    # Fields whose values must be new: not repeated in the file nor present in `existing`.
    unique: tuple[str, ...] = ()
    rules: tuple[Rule, ...] = ()
    # The rows that count as present (for uniqueness and export); all rows when None.
    current: Callable[[], models.QuerySet] | None = None

    def existing(self) -> models.QuerySet:
        return self.current() if self.current else self.model._default_manager.all()

    def model_field(self, field_spec: FieldSpec) -> models.Field:
        return self.model._meta.get_field(field_spec.model_field_name)

    def field(self, name: str) -> FieldSpec:
        return next(field_spec for field_spec in self.fields if field_spec.name == name)

    def choices(self, field_spec: FieldSpec) -> list:
        return [value for value, _label in self.model_field(field_spec).flatchoices]

    def default(self, field_spec: FieldSpec):
        return (
            field_spec.default()
            if field_spec.default
            else self.model_field(field_spec).get_default()
        )

    def bounds(self, field_spec: FieldSpec) -> Bounds | None:
        """The spec's bounds, else the range the column type holds (its Django validators)."""
        if field_spec.kind not in (FieldKind.INT, FieldKind.FLOAT):
            return None
        limits = {type(v): v.limit_value for v in self.model_field(field_spec).validators}
        declared = field_spec.bounds or Bounds()
        low = declared.low if declared.low is not None else limits.get(MinValueValidator)
        high = declared.high if declared.high is not None else limits.get(MaxValueValidator)
        if low is None and high is None:
            return None
        return Bounds(low, high, declared.low_inclusive, declared.high_inclusive)


def _villages() -> models.QuerySet:
    return AdminArea.objects.filter(level=AreaLevel.VILLAGE)


AREAS = LayerSpec(
    name="areas",
    model=AdminArea,
    geometry_field="geom",
    geometry_type=GeometryType.MULTIPOLYGON,
    fields=(
        FieldSpec("code", FieldKind.TEXT, required=True),
        FieldSpec("name", FieldKind.TEXT, required=True),
        FieldSpec("level", FieldKind.CHOICE, required=True),
        FieldSpec(
            "parent_code",
            FieldKind.REFERENCE,
            model_field="parent",
            reference=Reference(
                AdminArea.objects.all, "code", _("administrative area"), within_file=True
            ),
        ),
    ),
    area_code_lookup="code",
    unique=("code",),
    rules=(
        Rule(
            name="code_12_digits",
            field="code",
            violated=r"r.code !~ '^\d+$' OR char_length(r.code) <> 12",
            shown="r.code",
            message=_("division code %(value)s is not exactly 12 digits"),
        ),
        # Also what keeps a file from making a cycle of parents.
        Rule(
            name="parent_wider",
            field="parent_code",
            violated="""r.level <= coalesce(
                (SELECT p.level FROM {table} p WHERE p.id = r.parent_code_id),
                (SELECT p.level FROM transfer_rows p WHERE p.new_id = r.parent_code_id))""",
            shown="r.parent_code",
            message=_("parent %(value)s is not a wider level than the area itself"),
        ),
    ),
)

GRIDS = LayerSpec(
    name="grids",
    model=Grid,
    geometry_field="geom",
    geometry_type=GeometryType.POLYGON,
    fields=(
        FieldSpec("code", FieldKind.TEXT, required=True),
        FieldSpec("name", FieldKind.TEXT, required=True),
        FieldSpec(
            "village_code",
            FieldKind.REFERENCE,
            model_field="village",
            required=True,
            reference=Reference(_villages, "code", _("village or community")),
        ),
        FieldSpec("kind", FieldKind.CHOICE, required=True),
        FieldSpec("exclusive_type", FieldKind.CHOICE),
        FieldSpec("valid_from", FieldKind.DATE, default=timezone.localdate),
    ),
    area_code_lookup="village__code",
    unique=("code",),
    rules=(
        Rule(
            name="exclusive_type_iff_exclusive",
            field="exclusive_type",
            violated="(r.kind = %s) <> (r.exclusive_type IS NOT NULL)",
            shown="r.kind",
            params=(GridKind.EXCLUSIVE.value,),
            message=_("exclusive grids, and only they, have an exclusive_type (kind is %(value)s)"),
        ),
    ),
    # Closed (re-drawn) grids keep their code in history; only current ones must differ.
    current=Grid.objects.current,
)

BUILDINGS = LayerSpec(
    name="buildings",
    model=Building,
    geometry_field="footprint",
    geometry_type=GeometryType.POLYGON,
    fields=(
        FieldSpec("address", FieldKind.TEXT),
        FieldSpec("floors", FieldKind.INT, bounds=Bounds(low=1)),
        FieldSpec("households", FieldKind.INT),
        FieldSpec("residents", FieldKind.INT),
        FieldSpec("use", FieldKind.CHOICE, required=True),
    ),
    area_code_lookup="area__code",
)

CAMERAS = LayerSpec(
    name="cameras",
    model=CameraSite,
    geometry_field="location",
    geometry_type=GeometryType.POINT,
    fields=(
        FieldSpec("code", FieldKind.TEXT, required=True),
        FieldSpec("name", FieldKind.TEXT, required=True),
        FieldSpec("kind", FieldKind.CHOICE, required=True),
        FieldSpec("azimuth", FieldKind.FLOAT, required=True, bounds=Bounds(0, 360, True, False)),
        FieldSpec("field_of_view", FieldKind.FLOAT, required=True, bounds=Bounds(0, 360, False)),
        FieldSpec("range_m", FieldKind.FLOAT, required=True, bounds=Bounds(0, 5000, False)),
        FieldSpec("status", FieldKind.CHOICE),
        FieldSpec(
            "department",
            FieldKind.REFERENCE,
            reference=Reference(Department.objects.all, "name", _("department")),
        ),
        FieldSpec("installed_on", FieldKind.DATE),
    ),
    area_code_lookup="area__code",
    unique=("code",),
)

KEY_SITES = LayerSpec(
    name="key-sites",
    model=KeySite,
    geometry_field="location",
    geometry_type=GeometryType.POINT,
    fields=(
        FieldSpec("name", FieldKind.TEXT, required=True),
        FieldSpec("kind", FieldKind.CHOICE, required=True),
    ),
    area_code_lookup="area__code",
)

INCIDENTS = LayerSpec(
    name="incidents",
    model=Incident,
    geometry_field="location",
    geometry_type=GeometryType.POINT,
    fields=(
        FieldSpec("category", FieldKind.CHOICE, required=True),
        FieldSpec("subcategory", FieldKind.CHOICE, required=True),
        FieldSpec("source", FieldKind.CHOICE, required=True),
        FieldSpec("title", FieldKind.TEXT, required=True),
        FieldSpec("description", FieldKind.TEXT),
        FieldSpec("reported_at", FieldKind.DATETIME, required=True),
        FieldSpec("status", FieldKind.CHOICE),
    ),
    area_code_lookup="area__code",
    rules=(
        Rule(
            name="subcategory_of_category",
            field="subcategory",
            violated="r.category || '/' || r.subcategory <> ALL(%s)",
            shown="r.category || '/' || r.subcategory",
            params=([f"{cat}/{sub}" for cat, subs in SUBCATEGORIES.items() for sub in subs],),
            message=_("category/subcategory %(value)s: the subcategory is not of that category"),
        ),
    ),
)

LAYERS = {spec.name: spec for spec in (AREAS, GRIDS, BUILDINGS, CAMERAS, KEY_SITES, INCIDENTS)}
