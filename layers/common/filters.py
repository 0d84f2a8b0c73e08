"""Filters shared by every layer's FilterSet (and so by the REST API, OGC API and console)."""

import django_filters
from django import forms
from django.db.models import Q

from layers.areas.models import division_prefix
from layers.common.parameters import bbox_numbers, lonlat_box


class BBoxField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        try:
            return lonlat_box(*bbox_numbers(value))
        except ValueError as exc:
            # django-filter %-formats the message: a % the client sent must stay literal.
            raise forms.ValidationError(str(exc).replace("%", "%%")) from exc


class BBoxFilter(django_filters.Filter):
    """Features intersecting a longitude/latitude box (GiST-indexed ST_Intersects)."""

    field_class = BBoxField

    def filter(self, qs, value):
        if value is None:
            return qs
        return qs.filter(**{f"{self.field_name}__intersects": value})


class DivisionCodeField(forms.CharField):
    """A division code at any level, cleaned to the prefix of everything inside it."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        try:
            return division_prefix(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc).replace("%", "%%")) from exc


class AreaFilter(django_filters.Filter):
    """Everything inside the unit with this division code, at any level."""

    field_class = DivisionCodeField

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{f"{self.field_name}__startswith": value})


class TextSearchFilter(django_filters.CharFilter):
    """Case-insensitive search over several text fields at once."""

    def __init__(self, *args, fields: list[str], **kwargs):
        self.search_fields = fields
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{f"{field}__icontains": value})
        return qs.filter(condition)
