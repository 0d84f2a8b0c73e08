from django.urls import path

from layers.incidents import public

urlpatterns = [
    path(
        "api/v1/public/reports/",
        public.CitizenReportCreateView.as_view(),
        name="citizen-report-create",
    ),
    path(
        "api/v1/public/reports/<str:code>/",
        public.CitizenReportStatusView.as_view(),
        name="citizen-report-status",
    ),
    path(
        "api/v1/public/reports/<str:code>/rating/",
        public.CitizenRatingView.as_view(),
        name="citizen-report-rating",
    ),
    path("reports/<str:code>/", public.CitizenReportPageView.as_view(), name="citizen-report-page"),
]
