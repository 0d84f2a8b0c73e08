from django.apps import AppConfig


class KeysitesConfig(AppConfig):
    name = "layers.keysites"
    label = "keysites"
