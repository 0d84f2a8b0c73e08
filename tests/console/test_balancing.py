"""The grid balancing view in a real browser: a village's workload choropleth, a draft plan made
by clicking, its grids and moved buildings drawn, the before/after table, and Apply."""

from datetime import date

import pytest

from layers.balancing.models import Plan, PlanStatus
from layers.balancing.services import grid_plan_create
from layers.grids.constants import WEIGHT_PER_HOUSEHOLD, WEIGHT_PER_KM2
from layers.grids.models import Grid
from layers.grids.workload import grid_workload
from tests import factories as f
from tests.balancing.conftest import lattice
from tests.browser import needs_chromium, wait_until
from tests.console.conftest import PASSWORD, rendered, wait_for_map, wait_until_drawn
from tests.factories import LAT, LON

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True)]

VILLAGE = "419821101201"


@pytest.fixture
def unbalanced_village(transactional_db):
    """The balancing tests' village: a west and an east grid, west with six times the households
    (the grids' area weighs too, so a small surplus would be within the tolerance)."""
    *_, village = f.county_with_village()
    west = f.grid(f"{VILLAGE}001", village, f.rectangle(LON - 0.1, LAT - 0.1, LON, LAT + 0.1))
    east = f.grid(f"{VILLAGE}002", village, f.rectangle(LON, LAT - 0.1, LON + 0.1, LAT + 0.1))
    lattice(lambda i, j: 60 if i < 5 else 10)
    return west, east


@pytest.fixture
def grid_editor(transactional_db, django_user_model):
    return django_user_model.objects.create_superuser("planner", password=PASSWORD)


def test_a_plan_is_made_looked_at_and_applied_by_clicking(
    unbalanced_village, grid_editor, open_page
):
    west, east = unbalanced_village
    # Half the village's balancing workload (households and area; travel is not balanced), so
    # the plan keeps two grids and moves households from west to east.
    rows = grid_workload(VILLAGE)
    total = sum(WEIGHT_PER_HOUSEHOLD * r.households + WEIGHT_PER_KM2 * r.area_km2 for r in rows)
    # An earlier draft from scratch, made stale below when the clicked plan is applied.
    earlier = grid_plan_create(
        parent=west.village, target_kind="workload", target_value=total / 2, user=grid_editor
    )
    watched = open_page(grid_editor, f"/balancing/#village={VILLAGE}", width=1600, height=900)
    page = watched.page
    wait_for_map(page)
    wait_until_drawn(page, ["current-fill"])
    page.wait_for_selector("#legend-current li")
    page.wait_for_selector(f"[data-plan='{earlier.pk}']")
    assert "草案" in page.inner_text("#plan-list")  # the page is Chinese by default

    page.fill("#plan-target", f"{total / 2:.1f}")
    page.check("#plan-from-current")
    page.click("#plan-create")
    page.wait_for_selector("#plan-table tbody tr")
    plan = Plan.objects.exclude(pk=earlier.pk).get()
    assert plan.status == PlanStatus.DRAFT and plan.from_current
    wait_until(page, f"location.hash.includes('plan={plan.pk}')")
    assert page.locator("#plan-list li").count() == 2
    rows = {
        row.get_attribute("data-code"): row.inner_text()
        for row in page.locator("#plan-table tbody tr").all()
    }
    assert set(rows) == {west.code, east.code}
    assert "3000" in rows[west.code]  # west's households now
    wait_until_drawn(page, ["moved-circle"])
    wait_until_drawn(page, ["plan-line"])
    moved = page.evaluate("window.consoleMap.querySourceFeatures('moved')")
    assert moved and {m["properties"]["from"] for m in moved} == {west.code}
    assert rendered(page, ["current-fill"]) >= 2
    watched.screenshot("console-balancing.png")

    page.click("#plan-apply")
    page.wait_for_selector("#plan-status.notice-success")
    assert page.is_hidden("#plan-actions")  # an applied plan is decided
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPLIED and plan.decided_by == grid_editor
    for old in (west, east):
        old.refresh_from_db()
        assert old.valid_to == date.today()
    current = Grid.objects.current().filter(village__code=VILLAGE)
    assert {g.code for g in current} == {west.code, east.code}
    assert not {g.pk for g in current} & {west.pk, east.pk}

    # The earlier draft no longer fits the village's grids: the refusal is told in the page.
    watched.expected_failures.append(f"/api/v1/balancing/plans/{earlier.pk}/apply/")
    page.click(f"[data-plan='{earlier.pk}']")
    wait_until(page, f"document.getElementById('plan-title').textContent.includes('{earlier.pk}')")
    page.click("#plan-apply")
    page.wait_for_selector("#plan-status.notice-error")
    assert "方案实施失败" in page.inner_text("#plan-status")
    earlier.refresh_from_db()
    assert earlier.status == PlanStatus.DRAFT
    assert set(Grid.objects.current().filter(village__code=VILLAGE)) == set(current)
