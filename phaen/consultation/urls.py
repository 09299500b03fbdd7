"""Pages of public participation, mounted at /consultation/ (namespace "consultation").

A hearing's pages live at `<code>/…`. Their code is matched by the `hearing` converter, which
never matches a reserved first segment (`services.RESERVED_CODES`: new, comments, groups,
events, registrations, surveys, reference, export, documents, manage, api), and the services
refuse those words as codes. So other pages of the app (events, topic grouping) may append
their patterns to `urlpatterns` below, in any order, under those first segments or under
`<hearing:code>/<their own word>/`.

The hearing pages' own second segments: comment, manage, edit, delete, steps, entries,
documents.
"""

from __future__ import annotations

from django.urls import path, register_converter

from phaen.consultation import views
from phaen.consultation.services import RESERVED_CODES


class HearingCodeConverter:
    """A hearing's code: a slug that is not one of the reserved first segments."""

    regex = "(?!(?:{})/)[-a-zA-Z0-9_]+".format("|".join(sorted(RESERVED_CODES)))

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(HearingCodeConverter, "hearing")

H = "<hearing:code>"

app_name = "consultation"
urlpatterns = [
    path("", views.hearing_list, name="hearing_list"),
    path("new/", views.hearing_create, name="hearing_create"),
    path("comments/<int:pk>/", views.comment_author, name="comment_author"),
    path("comments/<int:pk>/moderate/", views.comment_moderate, name="comment_moderate"),
    path("comments/<int:pk>/response/", views.comment_respond, name="comment_respond"),
    path("groups/<int:pk>/response/", views.group_respond, name="group_respond"),
    path(f"{H}/", views.hearing_detail, name="hearing_detail"),
    path(f"{H}/comment/", views.comment_create, name="comment_create"),
    path(f"{H}/manage/", views.hearing_manage, name="hearing_manage"),
    path(f"{H}/edit/", views.hearing_edit, name="hearing_edit"),
    path(f"{H}/delete/", views.hearing_delete, name="hearing_delete"),
    path(f"{H}/steps/<slug:step>/", views.hearing_step, name="hearing_step"),
    path(f"{H}/entries/new/", views.comment_enter, name="comment_enter"),
    path(f"{H}/documents/", views.document_add, name="document_add"),
    path(f"{H}/documents/<int:pk>/", views.document_download, name="document_download"),
    path(f"{H}/documents/<int:pk>/remove/", views.document_remove, name="document_remove"),
]
from phaen.consultation import grouping_urls  # noqa: E402

urlpatterns += grouping_urls.urlpatterns

from phaen.consultation import event_urls  # noqa: E402

urlpatterns += event_urls.urlpatterns

from phaen.consultation import survey_urls  # noqa: E402

urlpatterns += survey_urls.urlpatterns

from phaen.consultation import report_urls  # noqa: E402

urlpatterns += report_urls.urlpatterns
