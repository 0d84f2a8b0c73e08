from django.apps import AppConfig


class BuildingsConfig(AppConfig):
    name = "layers.buildings"
    label = "buildings"
