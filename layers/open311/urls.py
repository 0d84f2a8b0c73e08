from django.urls import re_path

from layers.open311 import views

FORMAT = r"\.(?P<format>json|xml)$"

urlpatterns = [
    re_path(r"^services" + FORMAT, views.ServicesView.as_view(), name="open311-services"),
    re_path(r"^requests" + FORMAT, views.RequestsView.as_view(), name="open311-requests"),
    re_path(
        r"^requests/(?P<service_request_id>[0-9]+)" + FORMAT,
        views.RequestView.as_view(),
        name="open311-request",
    ),
]
