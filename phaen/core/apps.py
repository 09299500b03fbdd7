from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "phaen.core"
    label = "core"
    verbose_name = "Phaen core"
