from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy
from django.views.i18n import JavaScriptCatalog

from layers.console import views

urlpatterns = [
    path("", views.console, name="console"),
    path("dashboard/", views.dashboard, name="console-dashboard"),
    path("disputes/", views.disputes, name="console-disputes"),
    path("balancing/", views.balancing, name="console-balancing"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="console/login.html",
            redirect_authenticated_user=True,
            next_page=reverse_lazy("console"),
        ),
        name="console-login",
    ),
    path(
        "logout/",
        auth_views.LogoutView.as_view(next_page=reverse_lazy("console-login")),
        name="console-logout",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(packages=["layers.console"]), name="console-jsi18n"),
]
