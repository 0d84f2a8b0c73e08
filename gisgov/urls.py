from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from layers.areas.api import AdminAreaViewSet
from layers.areas.views import admin_basemap
from layers.balancing.api import PlanViewSet
from layers.buildings.api import BuildingViewSet
from layers.cameras.api import CameraSiteViewSet
from layers.departments.api import DepartmentViewSet
from layers.grids.api import GridViewSet
from layers.incidents.api import IncidentViewSet
from layers.keysites.api import KeySiteViewSet

api = DefaultRouter()
api.register("areas", AdminAreaViewSet, basename="area")
api.register("grids", GridViewSet, basename="grid")
api.register("buildings", BuildingViewSet, basename="building")
api.register("cameras", CameraSiteViewSet, basename="camera")
api.register("key-sites", KeySiteViewSet, basename="key-site")
api.register("departments", DepartmentViewSet, basename="department")
api.register("incidents", IncidentViewSet, basename="incident")
api.register("balancing/plans", PlanViewSet, basename="balancing-plan")

urlpatterns = [
    path("api/v1/audit/", include("layers.audit.urls")),
    path("api/v1/coverage/", include("layers.coverage.urls")),
    path("", include("layers.incidents.urls")),
    path("open311/v2/", include("layers.open311.urls")),
    path("api/v1/supervision/", include("layers.supervision.urls")),
    path("", include("layers.heatmaps.urls")),
    path("api/v1/", include(api.urls)),
    path("", include("layers.disputes.urls")),
    path("tiles/", include("layers.tiles.urls")),
    path("ogc/", include("layers.ogc.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/basemap.geojson", admin_basemap, name="admin-basemap"),
    path("admin/", admin.site.urls),
    *static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT),
    path("", include("layers.console.urls")),
]

handler500 = "layers.access.security.server_error"
