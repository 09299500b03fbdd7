"""The JSON API: one NinjaAPI, each app contributing its router. OpenAPI docs at /api/docs.

It lives in `config` because it gathers every app; `phaen.api` holds only the plumbing
(errors, pagination) that the apps build on.
"""

from __future__ import annotations

from ninja import NinjaAPI

from phaen.api import errors
from phaen.api.auth import WRITE_AUTH
from phaen.api.pagination import PagePagination
from phaen.core.imports_api import build_router as build_imports_router
from phaen.geography.api import router as geography_router
from phaen.orgs.api import router as orgs_router
from phaen.plans.api import elements_router, links_router, reports_router
from phaen.plans.api import router as plans_router

api = NinjaAPI(
    title="Phaen API",
    version="1",
    description=(
        "Thai public agencies' digital-development plans, their elements and alignment. "
        "Errors are `{code, message, detail}`; messages follow `Accept-Language` (th, en)."
    ),
    urls_namespace="api",
)
errors.install(api)
api.add_router("/geography", geography_router)
api.add_router("/organisations", orgs_router)
api.add_router("/plans", plans_router)
api.add_router("/elements", elements_router)
api.add_router("/alignment-links", links_router)
api.add_router("/reports", reports_router)
api.add_router("/audit", "phaen.accounts.audit_api.router")
api.add_router("/accounts", "phaen.accounts.api.router")
api.add_router("/indicators", "phaen.kpis.api.router")
api.add_router("/delivery", "phaen.projects.api.router")
api.add_router("/dashboards", "phaen.dashboards.api.router")
api.add_router("/consultation", "phaen.consultation.api.router")
api.add_router("/consultation/groups", "phaen.consultation.grouping_api.router")
api.add_router("/consultation/events", "phaen.consultation.event_api.router")
api.add_router("/consultation/surveys", "phaen.consultation.survey_api.router")
api.add_router("/consultation/reports", "phaen.consultation.report_api.router")
api.add_router("/imports", build_imports_router(write_auth=WRITE_AUTH, pagination=PagePagination))
