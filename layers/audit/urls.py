from django.urls import path

from layers.audit.api import ChangeList

urlpatterns = [path("", ChangeList.as_view(), name="audit-changes")]
