from django.apps import AppConfig


class DepartmentsConfig(AppConfig):
    name = "layers.departments"
    label = "departments"
