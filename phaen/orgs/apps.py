from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "phaen.orgs"
    label = "orgs"
    verbose_name = _("Organisations")

    def ready(self) -> None:
        """Register the organisations loader, after the geography (organisations name provinces)."""
        from phaen.core import reference
        from phaen.orgs.services import organisation_load_reference

        reference.register("organisations", 20, organisation_load_reference)
