"""Pages of events, appended to `phaen.consultation.urls` (namespace "consultation").

`events/new/` comes before `events/<code>/`, so no event may have the code "new" (the services
refuse it).
"""

from django.urls import path

from phaen.consultation import event_views as views

E = "events/<slug:code>"

urlpatterns = [
    path("events/", views.event_list, name="event_list"),
    path("events/new/", views.event_create, name="event_create"),
    path(f"{E}/", views.event_detail, name="event_detail"),
    path(f"{E}/edit/", views.event_edit, name="event_edit"),
    path(f"{E}/delete/", views.event_delete, name="event_delete"),
    path(f"{E}/record/", views.event_outputs, name="event_outputs"),
    path(f"{E}/register/", views.event_register, name="event_register"),
    path(
        f"{E}/registrations/<int:pk>/attended/",
        views.event_attended,
        name="event_attended",
    ),
]
