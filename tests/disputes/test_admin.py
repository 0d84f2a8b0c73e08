import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "page",
    [
        "disputecase",
        "claim",
        "referenceboundary",
        "imagery",
        "fieldvisit",
        "historyentry",
    ],
)
def test_every_disputes_page_renders(admin_client, case, page):
    changelist = admin_client.get(reverse(f"admin:disputes_{page}_changelist"))
    assert changelist.status_code == 200


def test_a_case_opens_on_the_offline_map(admin_client, case):
    response = admin_client.get(reverse("admin:disputes_disputecase_change", args=[case.pk]))
    assert response.status_code == 200
    assert "/static/vendor/ol/ol.js" in response.content.decode()
