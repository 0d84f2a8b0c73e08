from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseKind(models.TextChoices):
    FARMLAND = "farmland", _("Farmland")
    FOREST = "forest", _("Forest land")
    GRASSLAND = "grassland", _("Grassland")
    HOMESTEAD = "homestead", _("Homestead")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    MEDIATING = "mediating", _("Under mediation")
    SETTLED = "settled", _("Settled")
    CLOSED = "closed", _("Closed without settlement")


OPEN_STATUSES = (CaseStatus.OPEN, CaseStatus.MEDIATING)


class PartyRole(models.TextChoices):
    CLAIMANT = "claimant", _("Claimant")
    RESPONDENT = "respondent", _("Respondent")
    THIRD_PARTY = "third_party", _("Third party")


class ClaimMethod(models.TextChoices):
    DRAWN = "drawn", _("Drawn on the map")
    WALKED = "walked", _("Walked with GPS")
    UPLOADED = "uploaded", _("Uploaded file")


class ReferenceKind(models.TextChoices):
    CONTRACT_LAND = "contract_land", _("Contract-land registration (确权)")
    HOMESTEAD_CERTIFICATE = "homestead_certificate", _("Homestead certificate")
    FOREST_CERTIFICATE = "forest_certificate", _("Forest-right certificate")
    GRASSLAND_CERTIFICATE = "grassland_certificate", _("Grassland contract")
    SURVEY = "survey", _("Other survey")


class ImageryStatus(models.TextChoices):
    PROCESSING = "processing", _("Processing")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class VisitPurpose(models.TextChoices):
    VERIFICATION = "verification", _("Verification track")
    CLAIM_WALK = "claim_walk", _("Boundary walked for a claim")
    POSITION = "position", _("Position check")


# Upload formats of a boundary file, by the name's ending.
BOUNDARY_FILE_SUFFIXES = (".geojson", ".json", ".zip", ".kml")
