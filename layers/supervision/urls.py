from django.urls import path

from layers.supervision.api import OverdueView, RankingView, SummaryView

app_name = "supervision"
urlpatterns = [
    path("summary/", SummaryView.as_view(), name="summary"),
    path("ranking/", RankingView.as_view(), name="ranking"),
    path("overdue/", OverdueView.as_view(), name="overdue"),
]
