"""Routing rules: the most specific wins, the township is the default, dispatch uses the route."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from layers.areas.models import AreaLevel
from layers.grids.models import Grid
from layers.incidents.choices import Action, Status
from layers.incidents.models import RoutingRule
from layers.incidents.routing import incident_route
from tests import factories as f
from tests.factories import LAT, LON
from tests.incidents.steps import bring_to, step

pytestmark = pytest.mark.django_db


@pytest.fixture
def departments(places):
    """One department at each level, plus the township's governance centre."""
    return {
        "county": f.department("县公安局", places["county"]),
        "county_land": f.department("县自然资源局", places["county"], kind="land"),
        "township": f.department("镇派出所", places["township"]),
        "centre": f.department("镇综治中心", places["township"], kind="centre"),
        "justice": f.department("镇司法所", places["township"], kind="justice"),
        "village": f.department("村调委会", places["village"], kind="other"),
    }


def rule(department, category="", area=None, grid=None):
    return RoutingRule.objects.create(
        area=area, grid=grid, category=category, department=department
    )


def routed(incident):
    return incident_route(incident).department.name


def test_without_rules_the_townships_governance_centre_is_proposed(places, departments):
    route = incident_route(f.incident(LON, LAT))
    assert route.department == departments["centre"] and route.rule is None
    assert "township" in route.reason


def test_without_a_centre_the_townships_first_department_is_proposed(places):
    police = f.department("镇派出所", places["township"])
    f.department("镇司法所", places["township"], kind="justice")
    assert incident_route(f.incident(LON, LAT)).department == police


def test_outside_every_grid_and_village_nothing_is_proposed(places, departments):
    route = incident_route(f.incident(LON + 5, LAT))
    assert route.department is None and route.rule is None


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        # Deeper wins: county < township < village < grid, whatever the category.
        ([("county", "dispute", "county")], "县公安局"),
        ([("county", "dispute", "county"), ("township", "", "justice")], "镇司法所"),
        ([("township", "dispute", "justice"), ("village", "", "village")], "村调委会"),
        ([("village", "dispute", "village"), ("grid", "", "township")], "镇派出所"),
        # At the same place, the incident's category beats every category.
        ([("township", "", "township"), ("township", "dispute", "justice")], "镇司法所"),
        ([("county", "dispute", "county_land"), ("county", "", "county")], "县自然资源局"),
        # A rule for another category does not apply at all.
        ([("village", "sudden_event", "village"), ("county", "", "county")], "县公安局"),
    ],
)
def test_the_most_specific_rule_wins(places, departments, rules, expected):
    grid = Grid.objects.get()
    for place, category, department in rules:
        where = {"grid": grid} if place == "grid" else {"area": places[place]}
        rule(departments[department], category, **where)
    incident = f.incident(LON, LAT, category="dispute", subcategory="land")
    route = incident_route(incident)
    assert route.department.name == expected
    assert route.rule is not None and route.rule.department.name == expected


def test_rules_of_other_places_do_not_apply(places, departments):
    elsewhere = f.area(
        "419821102000",
        AreaLevel.TOWNSHIP,
        f.rectangle(LON + 0.2, LAT - 0.2, LON + 0.3, LAT + 0.2),
        places["county"],
    )
    rule(f.department("东镇派出所", elsewhere), "dispute", area=elsewhere)
    assert routed(f.incident(LON, LAT)) == "镇综治中心"


def test_a_rule_names_an_area_or_a_grid_and_one_rule_per_place_and_category(places, departments):
    with pytest.raises(IntegrityError), transaction.atomic():
        rule(departments["county"])
    rule(departments["county"], "dispute", area=places["county"])
    with pytest.raises(IntegrityError), transaction.atomic():
        rule(departments["township"], "dispute", area=places["county"])


def test_accept_records_the_proposal_and_dispatch_without_a_department_uses_it(
    places, departments, supervisor
):
    justice_rule = rule(departments["justice"], "dispute", area=places["township"])
    incident = step(Action.ACCEPT, f.incident(LON, LAT), supervisor)
    assert incident.events.get().data == {
        "proposed_department": departments["justice"].pk,
        "routing_rule": justice_rule.pk,
    }
    incident = step(Action.DISPATCH, incident, supervisor, lead_department=None)
    assert incident.lead_department == departments["justice"]
    assert incident.events.last().data["routed"] is True


def test_a_named_department_overrides_the_route(places, departments, supervisor):
    incident = bring_to(f.incident(LON, LAT), Status.ACCEPTED, supervisor)
    incident = step(Action.DISPATCH, incident, supervisor, lead_department=departments["county"])
    assert incident.lead_department == departments["county"]
    assert incident.events.last().data["routed"] is False


def test_dispatch_without_a_route_or_a_department_is_refused(places, supervisor):
    incident = bring_to(f.incident(LON, LAT), Status.ACCEPTED, supervisor)
    with pytest.raises(ValidationError) as refusal:
        step(Action.DISPATCH, incident, supervisor, lead_department=None)
    assert "lead_department" in refusal.value.message_dict
    incident.refresh_from_db()
    assert incident.status == Status.ACCEPTED and incident.version == 1


def test_dispatch_to_a_department_whose_area_misses_the_incident_is_refused(
    places, departments, supervisor
):
    elsewhere = f.area(
        "419821102000",
        AreaLevel.TOWNSHIP,
        f.rectangle(LON + 0.2, LAT - 0.2, LON + 0.3, LAT + 0.2),
        places["county"],
    )
    east_police = f.department("东镇派出所", elsewhere)
    incident = bring_to(f.incident(LON, LAT), Status.ACCEPTED, supervisor)
    with pytest.raises(ValidationError) as refusal:
        step(Action.DISPATCH, incident, supervisor, lead_department=east_police)
    assert "东镇派出所" in refusal.value.message_dict["lead_department"][0]
    incident.refresh_from_db()
    assert incident.status == Status.ACCEPTED and incident.lead_department is None


def test_the_api_shows_the_route_and_dispatches_along_it(
    places, departments, supervisor, client_for
):
    rule(departments["village"], area=places["village"])
    incident = bring_to(f.incident(LON, LAT), Status.ACCEPTED, supervisor)
    client = client_for(supervisor)
    route = client.get(f"/api/v1/incidents/{incident.pk}/route/").json()
    assert route["department"] == departments["village"].pk
    assert route["department_name"] == "村调委会" and route["rule"] is not None
    response = client.post(
        f"/api/v1/incidents/{incident.pk}/dispatch/", {"version": 1}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["properties"]["lead_department"] == departments["village"].pk


def test_the_api_names_a_department_that_does_not_cover_the_incident(
    places, supervisor, client_for
):
    far_county = f.area(
        "419822000000", AreaLevel.COUNTY, f.rectangle(LON + 1, LAT, LON + 1.1, LAT + 0.1)
    )
    far = f.department("邻县公安局", far_county)
    incident = bring_to(f.incident(LON, LAT), Status.ACCEPTED, supervisor)
    response = client_for(supervisor).post(
        f"/api/v1/incidents/{incident.pk}/dispatch/",
        {"version": 1, "lead_department": far.pk},
        format="json",
    )
    assert response.status_code == 400
    assert "邻县公安局" in str(response.json())


def test_routing_rules_are_edited_in_the_admin(admin_client, places, departments):
    response = admin_client.post(
        "/admin/incidents/routingrule/add/",
        {
            "area": places["township"].pk,
            "category": "dispute",
            "department": departments["justice"].pk,
        },
    )
    assert response.status_code == 302, response.content
    assert RoutingRule.objects.get().department == departments["justice"]
    assert admin_client.get("/admin/incidents/routingrule/").status_code == 200
