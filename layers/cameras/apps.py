from django.apps import AppConfig


class CamerasConfig(AppConfig):
    name = "layers.cameras"
    label = "cameras"
