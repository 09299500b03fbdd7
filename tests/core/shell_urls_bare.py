"""URLs of a project whose apps have no pages yet: the shell must still render."""

from django.urls import include, path

from tests.core.shell_urls import demo_page

urlpatterns = [
    path("shell-demo/", demo_page, name="shell_demo"),
    path("i18n/", include("django.conf.urls.i18n")),
]
