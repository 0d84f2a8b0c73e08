from django.apps import AppConfig


class AreasConfig(AppConfig):
    name = "layers.areas"
    label = "areas"
