from django.apps import AppConfig


class TransferConfig(AppConfig):
    name = "layers.transfer"
    label = "transfer"
