from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "phaen.projects"
    label = "projects"
    verbose_name = _("Projects and agreements")

    def ready(self) -> None:
        """Register the delivery loader (after the indicators: projects name plans and areas),
        the importers of projects and agreements, and the exports of projects, budget lines,
        agreements, area programmes, smart city zones and community centres."""
        from phaen.core import exports, imports, reference
        from phaen.projects.exports import EXPORTS, headers_for
        from phaen.projects.imports import AgreementsImporter, ProjectsImporter
        from phaen.projects.reference_loader import delivery_load_reference

        reference.register("delivery", 50, delivery_load_reference)
        imports.register(ProjectsImporter())
        imports.register(AgreementsImporter())
        for name, (columns, rows) in EXPORTS.items():
            exports.register(name, columns, rows, headers=headers_for(columns))
