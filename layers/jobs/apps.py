from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "layers.jobs"
    label = "jobs"
