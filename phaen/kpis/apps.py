from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpisConfig(AppConfig):
    name = "phaen.kpis"
    label = "kpis"
    verbose_name = _("Indicators")
