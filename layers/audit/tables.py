"""The tables whose every change is recorded: model label → the lookup to its AdminArea (the
division code stored with each change, so supervisors read the changes in their area): a field
of the row, or a path through its parents (`case__village`); None for tables outside the
hierarchy (only city administrators read those changes). Adding a table is one line here; the
triggers are (re)installed after every migrate. tests/audit checks every label names a model."""

AUDITED = {
    "grids.Grid": "village",
    "buildings.Building": "area",
    "cameras.CameraSite": "area",
    "keysites.KeySite": "area",
    "incidents.Incident": "area",
    "disputes.DisputeCase": "village",
    "disputes.Party": "case__village",
    "disputes.Claim": "case__village",
    "disputes.ReferenceBoundary": "case__village",
    "disputes.FieldVisit": "case__village",
    "disputes.VisitPhoto": "visit__case__village",
    # Images are not a case's: they cover whatever lies under them.
    "disputes.Imagery": None,
    # Who may see what: granting a role or a membership widens someone's reads; so do a
    # department co-handling an incident and an officer assigned to a dispute case.
    "access.Role": None,
    "grids.GridStaff": None,
    "incidents.DepartmentMember": None,
    "incidents.Incident_co_departments": "incident__area",
    "disputes.DisputeCase_officers": "disputecase__village",
}
# disputes.HistoryEntry is not listed: it is itself the disputes' append-only change log.

# Model label → the layer name of layers.access.policy (whose rules decide who reads what).
LAYER_OF = {
    "grids.Grid": "grids",
    "buildings.Building": "buildings",
    "cameras.CameraSite": "cameras",
    "keysites.KeySite": "key-sites",
    "incidents.Incident": "incidents",
    "disputes.DisputeCase": "disputes",
}
