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


# Where an incident is not handled yet: still in the queue or with a department.
OPEN_STATUSES = frozenset({Status.REPORTED, Status.ACCEPTED, Status.DISPATCHED, Status.IN_PROGRESS})


class RejectionReason(models.TextChoices):
    INVALID = "invalid", _("Not a valid report")
    DUPLICATE = "duplicate", _("Duplicate of another incident")


class Priority(models.TextChoices):
    URGENT = "urgent", _("Urgent")
    HIGH = "high", _("High")
    NORMAL = "normal", _("Normal")


class Level(models.IntegerChoices):
    """Who handles it: "小事不出网格、大事不出镇街、难事不出区"; the value orders them upwards."""

    GRID = 1, _("Grid")
    TOWNSHIP = 2, _("Township / street")
    COUNTY = 3, _("County / district")


class Action(models.TextChoices):
    """What a workflow event did to an incident."""

    ACCEPT = "accept", _("Accepted")
    REJECT = "reject", _("Rejected")
    DISPATCH = "dispatch", _("Dispatched")
    START = "start", _("Work started")
    RESOLVE = "resolve", _("Resolved")
    EVALUATE = "evaluate", _("Evaluated")
    CLOSE = "close", _("Closed")
    ESCALATE = "escalate", _("Escalated")
    DEESCALATE = "deescalate", _("De-escalated")
    # Logged on the incident that carries on when reports are merged into it; not a step.
    MERGE = "merge", _("Duplicates merged in")


# The statuses each action may start from; the status it leads to is the service's business.
ALLOWED_FROM = {
    Action.ACCEPT: frozenset({Status.REPORTED}),
    Action.REJECT: frozenset({Status.REPORTED}),
    Action.DISPATCH: frozenset({Status.ACCEPTED}),
    Action.START: frozenset({Status.DISPATCHED}),
    Action.RESOLVE: frozenset({Status.IN_PROGRESS}),
    Action.EVALUATE: frozenset({Status.RESOLVED}),
    Action.CLOSE: frozenset({Status.EVALUATED}),
    Action.ESCALATE: OPEN_STATUSES,
    Action.DEESCALATE: OPEN_STATUSES,
}

# Hours from dispatch (or reopening) to the department's feedback. Working values until a county
# sets its own: sudden events and hazards are measured in hours, disputes and requests in days.
DEADLINE_HOURS = {
    Category.SUDDEN_EVENT: {Priority.URGENT: 2, Priority.HIGH: 6, Priority.NORMAL: 24},
    Category.PUBLIC_SAFETY: {Priority.URGENT: 4, Priority.HIGH: 24, Priority.NORMAL: 72},
    Category.SAFETY_HAZARD: {Priority.URGENT: 4, Priority.HIGH: 24, Priority.NORMAL: 72},
    Category.DISPUTE: {Priority.URGENT: 24, Priority.HIGH: 72, Priority.NORMAL: 168},
    Category.LIVELIHOOD: {Priority.URGENT: 24, Priority.HIGH: 72, Priority.NORMAL: 120},
    Category.URBAN_MANAGEMENT: {Priority.URGENT: 24, Priority.HIGH: 72, Priority.NORMAL: 120},
}


class AttachmentKind(models.TextChoices):
    PHOTO = "photo", _("Photo of the problem")
    EVIDENCE = "evidence", _("Evidence of the result (佐证材料)")
    DOCUMENT = "document", _("Document")


# Judged by what the bytes turn out to be, never by the name or the type the client sends.
ATTACHMENT_CONTENT_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "application/pdf"})
EVIDENCE_CONTENT_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
