"""Pages of surveys, appended to `phaen.consultation.urls` (namespace "consultation").

`surveys/new/` comes before `surveys/<code>/`, so no survey may have the code "new" (the
services refuse it).
"""

from django.urls import path

from phaen.consultation import survey_views as views

S = "surveys/<slug:code>"

urlpatterns = [
    path("surveys/", views.survey_list, name="survey_list"),
    path("surveys/new/", views.survey_create, name="survey_create"),
    path(f"{S}/", views.survey_detail, name="survey_detail"),
    path(f"{S}/thanks/", views.survey_thanks, name="survey_thanks"),
    path(f"{S}/results/", views.survey_results, name="survey_results"),
    path(f"{S}/manage/", views.survey_manage, name="survey_manage"),
    path(f"{S}/edit/", views.survey_edit, name="survey_edit"),
    path(f"{S}/delete/", views.survey_delete, name="survey_delete"),
    path(f"{S}/steps/<slug:step>/", views.survey_step, name="survey_step"),
    path(f"{S}/questions/", views.question_add, name="survey_question_add"),
    path(f"{S}/questions/<int:pk>/", views.question_edit, name="survey_question_edit"),
    path(f"{S}/questions/<int:pk>/remove/", views.question_remove, name="survey_question_remove"),
    path(f"{S}/questions/<int:pk>/move/", views.question_move, name="survey_question_move"),
    path(f"{S}/evidence/", views.evidence_add, name="survey_evidence_add"),
    path(f"{S}/evidence/<int:pk>/remove/", views.evidence_remove, name="survey_evidence_remove"),
    path(f"{S}/export/", views.survey_export, name="survey_export"),
]
