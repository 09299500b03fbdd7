"""URLs for the shell's tests: the project's, the core pages, and one page built on base.html.

The core pages come first, as they must in config/urls.py (the plans app's codes sit at "").
"""

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import include, path

from config.urls import urlpatterns as project_urlpatterns

DEMO_PAGE = """{% extends "base.html" %}{% load i18n %}
{% block title %}Demo · {{ block.super }}{% endblock %}
{% block breadcrumbs %}<li aria-current="page">Demo</li>{% endblock %}
{% block content %}<h1>Demo</h1>{% endblock %}"""


def demo_page(request: HttpRequest) -> HttpResponse:
    """Render a page that fills base.html's blocks, as every app's pages do."""
    return HttpResponse(engines["django"].from_string(DEMO_PAGE).render({}, request))


_core_mounted = any(getattr(p, "namespace", None) == "core" for p in project_urlpatterns)

urlpatterns = [
    *([] if _core_mounted else [path("", include("phaen.core.urls"))]),
    path("shell-demo/", demo_page, name="shell_demo"),
    *project_urlpatterns,
]
