"""The tables whose every change is recorded: model label → the field naming its AdminArea
(the division code stored with each change, so supervisors read the changes in their area), or
None for tables outside the hierarchy (only city administrators read those changes).
Adding a table is one line here; the triggers are (re)installed after every migrate."""

AUDITED = {
    "grids.Grid": "village",
    "buildings.Building": "area",
    "cameras.CameraSite": "area",
    "keysites.KeySite": "area",
    "incidents.Incident": "area",
    "disputes.Dispute": "area",  # once the disputes app exists; skipped while it does not
    # Who may see what: granting a role or a membership widens someone's reads.
    "access.Role": None,
    "grids.GridStaff": None,
    "incidents.DepartmentMember": None,
}
# Model label → the layer name of layers.access.policy (whose rules decide who reads what).
LAYER_OF = {
    "grids.Grid": "grids",
    "buildings.Building": "buildings",
    "cameras.CameraSite": "cameras",
    "keysites.KeySite": "key-sites",
    "incidents.Incident": "incidents",
    "disputes.Dispute": "disputes",
}
