from django.apps import AppConfig


class OgcConfig(AppConfig):
    name = "layers.ogc"
    label = "ogc"
