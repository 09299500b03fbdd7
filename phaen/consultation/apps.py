from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationConfig(AppConfig):
    name = "phaen.consultation"
    label = "consultation"
    verbose_name = _("Public participation")

    def ready(self) -> None:
        """Register the reference hearings and events, after the delivery loader (they name
        plans, elements, organisations and provinces)."""
        from phaen.consultation.reference_loader import consultation_load_reference
        from phaen.core import reference

        reference.register("consultation", 60, consultation_load_reference)
