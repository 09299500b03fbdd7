from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "phaen.api"
    label = "api"
