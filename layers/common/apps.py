from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "layers.common"
    label = "common"
    verbose_name = "gisgov"
