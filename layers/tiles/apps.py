from django.apps import AppConfig


class TilesConfig(AppConfig):
    name = "layers.tiles"
    label = "tiles"
