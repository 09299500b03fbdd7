from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "phaen.plans"
    label = "plans"
    verbose_name = _("Plans")

    def ready(self) -> None:
        from phaen.core import exports, reference
        from phaen.plans import exports as plan_exports
        from phaen.plans.reference_loader import plans_load_reference

        reference.register("plans", 30, plans_load_reference)
        exports.register("plans", plan_exports.PLAN_COLUMNS, plan_exports.plan_rows)
        exports.register("plan-elements", plan_exports.ELEMENT_COLUMNS, plan_exports.element_rows)
        exports.register("alignment-links", plan_exports.LINK_COLUMNS, plan_exports.link_rows)
