from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "layers.access"
    label = "access"
