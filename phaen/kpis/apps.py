from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpisConfig(AppConfig):
    name = "phaen.kpis"
    label = "kpis"
    verbose_name = _("Indicators")

    def ready(self) -> None:
        """Register the indicators loader, after the plans (indicators name plans and elements)."""
        from phaen.core import reference
        from phaen.kpis.reference_loader import indicators_load_reference

        reference.register("indicators", 40, indicators_load_reference)
        self._register_exports_and_imports()

    def _register_exports_and_imports(self) -> None:
        """Register the `indicators`, `targets` and `actuals` exports and the actuals importer."""
        from phaen.core import exports, imports
        from phaen.kpis import exports as kpi_exports
        from phaen.kpis.imports import ActualsImporter

        headers = kpi_exports.HEADERS
        exports.register(
            "indicators",
            kpi_exports.INDICATOR_COLUMNS,
            kpi_exports.indicator_rows,
            headers=headers,
        )
        exports.register(
            "targets", kpi_exports.TARGET_COLUMNS, kpi_exports.target_rows, headers=headers
        )
        exports.register(
            "actuals", kpi_exports.ACTUAL_COLUMNS, kpi_exports.actual_rows, headers=headers
        )
        imports.register(ActualsImporter())
