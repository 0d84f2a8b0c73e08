from django.urls import include, path
from rest_framework.routers import DefaultRouter

from layers.disputes import views
from layers.disputes.api import DisputeCaseViewSet, ImageryViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("cases", DisputeCaseViewSet, basename="dispute-case")
router.register("imagery", ImageryViewSet, basename="dispute-imagery")

urlpatterns = [
    path(
        "api/v1/disputes/cases/<int:pk>/imagery/<int:image_id>/clip.png",
        DisputeCaseViewSet.as_view({"get": "clip"}),
        name="dispute-case-clip",
    ),
    path(
        "api/v1/disputes/imagery/<int:pk>/tiles/<int:z>/<int:x>/<int:y>.png",
        ImageryViewSet.as_view({"get": "tiles"}),
        name="dispute-imagery-tile",
    ),
    path("api/v1/disputes/", include(router.urls)),
    path("disputes/cases/<int:pk>/report/", views.case_report, name="dispute-case-report"),
    path("field/", views.field_page, name="field"),
    path("field/sw.js", views.field_service_worker, name="field-service-worker"),
]
