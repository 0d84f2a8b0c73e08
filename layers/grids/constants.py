"""Defaults of the grid workload measure; callers (and later settings) may pass their own."""

from datetime import timedelta

from layers.incidents.choices import Category

# Incidents of the last year count unless the caller names another window.
DEFAULT_WINDOW = timedelta(days=365)

# A sudden event or a dispute takes a gridder far longer than a livelihood request.
DEFAULT_CATEGORY_WEIGHTS = {
    Category.DISPUTE: 3.0,
    Category.PUBLIC_SAFETY: 2.0,
    Category.SAFETY_HAZARD: 2.0,
    Category.LIVELIHOOD: 1.0,
    Category.URBAN_MANAGEMENT: 1.0,
    Category.SUDDEN_EVENT: 5.0,
}

# A grid's score counts one point per household; the rest is scaled to compare with that.
WEIGHT_PER_HOUSEHOLD = 1.0
WEIGHT_PER_WEIGHTED_INCIDENT = 0.5
WEIGHT_PER_KM2 = 20.0
WEIGHT_PER_KM_TRAVEL = 50.0  # per km of mean distance from the buildings to the centroid
