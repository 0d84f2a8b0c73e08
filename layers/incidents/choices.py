from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    DISPUTE = "dispute", _("Dispute (矛盾纠纷)")
    PUBLIC_SAFETY = "public_safety", _("Public-safety hazard (治安隐患)")
    SAFETY_HAZARD = "safety_hazard", _("Safety hazard (安全隐患)")
    LIVELIHOOD = "livelihood", _("Livelihood request (民生诉求)")
    URBAN_MANAGEMENT = "urban_management", _("Urban management (城市管理)")
    SUDDEN_EVENT = "sudden_event", _("Sudden event (突发事件)")


class Subcategory(models.TextChoices):
    NEIGHBOUR = "neighbour", _("Neighbour dispute")
    FAMILY = "family", _("Family / marriage dispute")
    LAND = "land", _("Land, forest, grassland or homestead boundary")
    LABOUR = "labour", _("Labour / wage dispute")
    PROPERTY = "property", _("Property management dispute")
    THEFT = "theft", _("Theft or fraud risk")
    GATHERING = "gathering", _("Gathering or fighting")
    KEY_PERSON = "key_person", _("Person under attention")
    FIRE = "fire", _("Fire risk")
    ROAD = "road", _("Road traffic hazard")
    BUILDING = "building", _("Dangerous building")
    WATER = "water", _("Drowning / flood risk")
    WATER_POWER = "utilities", _("Water, power or gas supply")
    ROADS_LIGHTS = "facilities", _("Roads, lights, public facilities")
    SOCIAL_AID = "social_aid", _("Social assistance")
    ENVIRONMENT = "environment", _("Sanitation / environment")
    ILLEGAL_BUILDING = "illegal_building", _("Illegal construction")
    STREET_VENDING = "vending", _("Street vending / occupation of roads")
    PARKING = "parking", _("Parking")
    ACCIDENT = "accident", _("Accident")
    DISASTER = "disaster", _("Natural disaster")
    MASS_INCIDENT = "mass_incident", _("Mass incident")


SUBCATEGORIES = {
    Category.DISPUTE: [
        Subcategory.NEIGHBOUR,
        Subcategory.FAMILY,
        Subcategory.LAND,
        Subcategory.LABOUR,
        Subcategory.PROPERTY,
    ],
    Category.PUBLIC_SAFETY: [Subcategory.THEFT, Subcategory.GATHERING, Subcategory.KEY_PERSON],
    Category.SAFETY_HAZARD: [
        Subcategory.FIRE,
        Subcategory.ROAD,
        Subcategory.BUILDING,
        Subcategory.WATER,
    ],
    Category.LIVELIHOOD: [
        Subcategory.WATER_POWER,
        Subcategory.ROADS_LIGHTS,
        Subcategory.SOCIAL_AID,
        Subcategory.ENVIRONMENT,
    ],
    Category.URBAN_MANAGEMENT: [
        Subcategory.ILLEGAL_BUILDING,
        Subcategory.STREET_VENDING,
        Subcategory.PARKING,
        Subcategory.ENVIRONMENT,
    ],
    Category.SUDDEN_EVENT: [Subcategory.ACCIDENT, Subcategory.DISASTER, Subcategory.MASS_INCIDENT],
}


class Source(models.TextChoices):
    PATROL = "patrol", _("Gridder patrol")
    CITIZEN = "citizen", _("Citizen report (民意快递)")
    HOTLINE = "hotline", _("12345 hotline")
    CAMERA = "camera", _("Camera")
    OTHER = "other", _("Other")


class Status(models.TextChoices):
    """The four steps: collect → dispatch → feedback → evaluation."""

    REPORTED = "reported", _("Reported")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    DISPATCHED = "dispatched", _("Dispatched")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    EVALUATED = "evaluated", _("Evaluated")
    CLOSED = "closed", _("Closed")
