"""The comment-groups page of a hearing and its forms, appended to `phaen.consultation.urls`
(namespace "consultation"): /consultation/<hearing code>/groups/…

`<hearing:…>` is the converter `phaen.consultation.urls` registers before it appends these.
"""

from django.urls import path

from phaen.consultation import grouping_views as views

G = "<hearing:code>/groups"

urlpatterns = [
    path(f"{G}/", views.group_board, name="group_board"),
    path(f"{G}/suggest/", views.groups_suggest, name="groups_suggest"),
    path(f"{G}/merge/", views.group_merge, name="group_merge"),
    path(f"{G}/comments/", views.free_comments, name="group_free_comments"),
    path(f"{G}/<int:pk>/rename/", views.group_rename, name="group_rename"),
    path(f"{G}/<int:pk>/comments/", views.group_comments, name="group_comments"),
    path(f"{G}/<int:pk>/delete/", views.group_delete, name="group_delete"),
]
