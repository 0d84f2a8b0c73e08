from django.urls import path

from layers.tiles import views

# z, x and y are matched as text so that a bad one gets a JSON 400 naming it, not a 404.
urlpatterns = [
    path("<str:layer>.json", views.tilejson, name="tiles-tilejson"),
    path("<str:layer>/<str:z>/<str:x>/<str:y>.mvt", views.vector_tile, name="tiles-tile"),
]
