from django.urls import path

from layers.coverage import api

urlpatterns = [
    path("sectors/", api.SectorsView.as_view(), name="coverage-sectors"),
    path("areas/", api.AreaCoverageView.as_view(), name="coverage-areas"),
    path("blind-spots/", api.BlindSpotsView.as_view(), name="coverage-blind-spots"),
    path("map/", api.CoverageMapView.as_view(), name="coverage-map"),
    path("suggestions/", api.SuggestionsView.as_view(), name="coverage-suggestions"),
    path(
        "suggestions/<int:job_id>/",
        api.SuggestionJobView.as_view(),
        name="coverage-suggestion-job",
    ),
]
