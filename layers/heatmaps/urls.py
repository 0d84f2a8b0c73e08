from django.urls import path

from layers.heatmaps import views

# Included before the generic tile layers: /tiles/heat/ is this app's, not a vector layer.
urlpatterns = [
    path("api/v1/heatmaps/density/", views.density_view, name="heatmaps-density"),
    path("api/v1/heatmaps/hexbins/", views.hexbins_view, name="heatmaps-hexbins"),
    path("api/v1/heatmaps/hotspots/", views.hotspots_view, name="heatmaps-hotspots"),
    path("api/v1/heatmaps/jobs/<int:job_id>/", views.job_view, name="heatmaps-job"),
    path("tiles/heat/<str:z>/<str:x>/<str:y>.png", views.heat_tile_view, name="heatmaps-tile"),
]
