from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GeographyConfig(AppConfig):
    name = "phaen.geography"
    label = "geography"
    verbose_name = _("Geography")

    def ready(self) -> None:
        """Register the geography loader, which must run before anything that names a province."""
        from phaen.core import reference
        from phaen.geography.services import geography_load_reference

        reference.register("geography", 10, geography_load_reference)
