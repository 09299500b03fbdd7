"""Pages of surveys of problems and needs, mounted at /consultation/surveys/.

Views are thin: they read the request through a form, call selectors or one service, and
render. The list, a survey's page with its answer form, the thank-you page and the results are
public (drafts are "not found" to the public). Answering is throttled per client (429) and has a
honeypot field: a filled one is dropped silently, and the sender sees the usual thank-you page.
The organiser's pages (start and edit a survey, build its form, open and close it, cite its
results as evidence, export its responses) send an anonymous visitor to sign in, answer 403
(audited by the permission check) to someone who may not act, and show the form again with the
service's messages and status 422 when it refuses the input.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from phaen.consultation import survey_permissions as permissions
from phaen.consultation import survey_selectors as selectors
from phaen.consultation import survey_services as services
from phaen.consultation.services import client_key_material
from phaen.consultation.survey_forms import (
    AnswerForm,
    AreaFilterForm,
    EvidenceForm,
    QuestionForm,
    SurveyFilterForm,
    SurveyForm,
    add_service_errors,
)
from phaen.consultation.survey_models import Evidence, Question, Survey, SurveyStatus
from phaen.core import exports
from phaen.core.errors import ApplicationError, NotFound, ValidationFailed
from phaen.core.export_views import export_download
from phaen.core.ratelimit import RateLimited, client_ip
from phaen.plans.views import translate_domain_errors


def _url(name: str, *args: Any) -> str:
    return reverse(f"consultation:{name}", args=args)


def _crumbs(survey: Survey | None = None) -> list[tuple[str, str]]:
    crumbs = [(_url("survey_list"), _("Surveys"))]
    if survey is not None:
        crumbs.append((_url("survey_detail", survey.code), survey.title_th))
    return crumbs


def _saved(request: HttpRequest, message: str, url: str) -> HttpResponse:
    messages.success(request, message)
    return redirect(url)


def _form_page(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    """A form on its own page; 422 when the form was refused."""
    form = context["form"]
    context.setdefault("action", request.path)
    status = 422 if form.is_bound and form.errors else 200
    return render(request, "consultation/surveys/pages/form.html", context, status=status)


def _plan_shown(request: HttpRequest, survey: Survey) -> bool:
    return survey.plan is not None and permissions.plan_is_public(request.user, survey.plan)


# --- Reading and answering --------------------------------------------------------------------


@require_GET
def survey_list(request: HttpRequest) -> HttpResponse:
    """List the open and closed surveys, filtered by region, province and status."""
    form = SurveyFilterForm(request.GET or None)
    filters = form.filters()
    paginator = Paginator(
        selectors.survey_list(viewer=request.user, **filters), settings.PHAEN_PAGE_SIZE
    )
    page_obj = paginator.get_page(request.GET.get("page"))
    context = {
        "form": form,
        "filtered": bool(filters),
        "page_obj": page_obj,
        "page_range": paginator.get_elided_page_range(page_obj.number, on_each_side=2),
        "can_create": permissions.can_create_survey(request.user),
    }
    return render(request, "consultation/surveys/pages/list.html", context)


def _detail_context(request: HttpRequest, survey: Survey) -> dict[str, Any]:
    return {
        "survey": survey,
        "can_manage": permissions.can_manage_survey(request.user, survey),
        "show_plan": _plan_shown(request, survey),
        "is_open": services.survey_is_open(survey),
        "national": not survey.regions.all() and not survey.provinces.all(),
        "crumbs": _crumbs(),
    }


@require_http_methods(["GET", "POST"])
@translate_domain_errors
def survey_detail(request: HttpRequest, code: str) -> HttpResponse:
    """A survey's page: what it asks about, where and until when, and the form to answer it
    while it is open. Answers go through `response_submit`; a refusal shows the form again
    (422, 429 when throttled, 409 when the survey no longer takes answers)."""
    survey = selectors.survey_detail(code, viewer=request.user)
    context = _detail_context(request, survey)
    status = 200
    form: AnswerForm | None = None
    if context["is_open"] or request.method == "POST":
        form = AnswerForm(
            request.POST if request.method == "POST" else None,
            survey=survey,
            national=context["national"],
        )
    if request.method == "POST" and form is not None:
        status = 422
        if form.is_valid():
            try:
                services.response_submit(
                    actor=request.user,
                    survey=survey,
                    client_key=client_key_material(request.user, client_ip(request)),
                    **form.service_arguments(),
                )
            except ValidationFailed as exc:
                add_service_errors(form, exc)
            except RateLimited as exc:
                form.add_error(None, str(exc.message))
                status = 429
            except ApplicationError as exc:
                form.add_error(None, str(exc.message))
                status = exc.http_status
            else:
                return redirect(_url("survey_thanks", survey.code))
    context["form"] = form
    return render(request, "consultation/surveys/pages/detail.html", context, status=status)


@require_GET
@translate_domain_errors
def survey_thanks(request: HttpRequest, code: str) -> HttpResponse:
    survey = selectors.survey_detail(code, viewer=request.user)
    return render(
        request, "consultation/surveys/pages/thanks.html", {"survey": survey, "crumbs": _crumbs()}
    )


@require_GET
@translate_domain_errors
def survey_results(request: HttpRequest, code: str) -> HttpResponse:
    """The survey's results: per question, per area and per topic, as charts and tables, with
    the plan elements they are cited for. Text answers only for the organiser and auditors."""
    survey = selectors.survey_detail(code, viewer=request.user)
    form = AreaFilterForm(request.GET or None, survey=survey)
    region, province = form.area()
    results = selectors.survey_results(
        survey, viewer=request.user, region=region, province=province
    )
    context = {
        "survey": survey,
        "form": form,
        "results": results,
        "evidence": selectors.evidence_list(survey),
        "show_plan": _plan_shown(request, survey),
        "can_manage": permissions.can_manage_survey(request.user, survey),
        "crumbs": _crumbs(survey),
    }
    return render(request, "consultation/surveys/pages/results.html", context)


# --- The organiser's pages --------------------------------------------------------------------


def _survey_for_manage(request: HttpRequest, code: str, action: str) -> Survey:
    survey = selectors.survey_detail(code, viewer=request.user)
    permissions.ensure(
        permissions.can_manage_survey(request.user, survey), request.user, action, survey
    )
    return survey


@login_required
@require_http_methods(["GET", "POST"])
@translate_domain_errors
def survey_create(request: HttpRequest) -> HttpResponse:
    permissions.ensure(permissions.can_create_survey(request.user), request.user, "survey.create")
    form = SurveyForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            survey = services.survey_create(actor=request.user, **form.service_arguments())
        except ValidationFailed as exc:
            add_service_errors(form, exc)
        else:
            return _saved(
                request,
                _("The survey “%(title)s” was saved as a draft; now add its questions.")
                % {"title": survey.title_th},
                _url("survey_manage", survey.code),
            )
    return _form_page(
        request,
        {
            "form": form,
            "title": _("New survey"),
            "crumbs": _crumbs(),
            "submit_label": _("Save the draft"),
            "cancel_url": _url("survey_list"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@translate_domain_errors
def survey_edit(request: HttpRequest, code: str) -> HttpResponse:
    survey = _survey_for_manage(request, code, "survey.update")
    form = SurveyForm(request.POST if request.method == "POST" else None, survey=survey)
    if form.is_bound and form.is_valid():
        try:
            saved = services.survey_update(
                actor=request.user, survey=survey, **form.service_arguments()
            )
        except ValidationFailed as exc:
            add_service_errors(form, exc)
        else:
            return _saved(
                request,
                _("The survey “%(title)s” was saved.") % {"title": saved.title_th},
                _url("survey_manage", saved.code),
            )
    return _form_page(
        request,
        {
            "form": form,
            "title": _("Edit survey"),
            "subject": survey.title_th,
            "crumbs": _crumbs(survey),
            "submit_label": _("Save the survey"),
            "cancel_url": _url("survey_manage", survey.code),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@translate_domain_errors
def survey_delete(request: HttpRequest, code: str) -> HttpResponse:
    survey = _survey_for_manage(request, code, "survey.delete")
    if request.method == "POST":
        services.survey_delete(actor=request.user, survey=survey)
        return _saved(
            request,
            _("The survey “%(title)s” was deleted.") % {"title": survey.title_th},
            _url("survey_list"),
        )
    context = {
        "title": _("Delete survey"),
        "name": survey.title_th,
        "consequence": _("Its questions will be deleted too. This cannot be undone."),
        "cancel_url": _url("survey_manage", code),
        "crumbs": _crumbs(survey),
    }
    return render(request, "consultation/surveys/pages/confirm_delete.html", context)


def _manage_page(
    request: HttpRequest,
    survey: Survey,
    *,
    question_form: QuestionForm | None = None,
    evidence_form: EvidenceForm | None = None,
    status: int = 200,
) -> HttpResponse:
    questions = list(survey.questions.all())
    context = {
        "survey": survey,
        "questions": questions,
        "draft": survey.status == SurveyStatus.DRAFT,
        "question_form": question_form or QuestionForm(),
        "evidence_form": evidence_form or EvidenceForm(survey=survey),
        "evidence": selectors.evidence_list(survey),
        "show_plan": survey.plan is not None,
        "crumbs": _crumbs(survey),
        "response_count": survey.responses.count(),
    }
    return render(request, "consultation/surveys/pages/manage.html", context, status=status)


@login_required
@require_GET
@translate_domain_errors
def survey_manage(request: HttpRequest, code: str) -> HttpResponse:
    """The organiser's page: the form builder (while a draft), the steps, the evidence and the
    exports."""
    survey = _survey_for_manage(request, code, "survey.manage")
    return _manage_page(request, survey)


@login_required
@require_POST
@translate_domain_errors
def survey_step(request: HttpRequest, code: str, step: str) -> HttpResponse:
    """Open or close the survey."""
    steps = {"open": services.survey_open, "close": services.survey_close}
    if step not in steps:
        raise NotFound("survey_step_unknown", _("Unknown step."))
    survey = _survey_for_manage(request, code, f"survey.{step}")
    steps[step](actor=request.user, survey=survey)
    message = _("The survey is open for answers.") if step == "open" else _("The survey is closed.")
    return _saved(request, message, _url("survey_manage", code))


@login_required
@require_http_methods(["GET", "POST"])
@translate_domain_errors
def question_add(request: HttpRequest, code: str) -> HttpResponse:
    survey = _survey_for_manage(request, code, "survey.question_add")
    if request.method == "GET":
        return redirect(f"{_url('survey_manage', code)}#add-question")
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            services.question_add(actor=request.user, survey=survey, **form.service_arguments())
        except ValidationFailed as exc:
            add_service_errors(form, exc)
        else:
            return _saved(
                request, _("The question was added."), f"{_url('survey_manage', code)}#questions"
            )
    return _manage_page(request, survey, question_form=form, status=422)


def _question(survey: Survey, pk: int) -> Question:
    for question in survey.questions.all():
        if question.pk == pk:
            return question
    raise NotFound(services.SurveyError.QUESTION_NOT_FOUND, _("The survey has no such question."))


@login_required
@require_http_methods(["GET", "POST"])
@translate_domain_errors
def question_edit(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    survey = _survey_for_manage(request, code, "survey.question_update")
    question = _question(survey, pk)
    form = QuestionForm(request.POST if request.method == "POST" else None, question=question)
    if form.is_bound and form.is_valid():
        try:
            services.question_update(
                actor=request.user, question=question, **form.service_arguments()
            )
        except ValidationFailed as exc:
            add_service_errors(form, exc)
        else:
            return _saved(
                request, _("The question was saved."), f"{_url('survey_manage', code)}#questions"
            )
    return _form_page(
        request,
        {
            "form": form,
            "title": _("Edit question"),
            "subject": survey.title_th,
            "crumbs": _crumbs(survey),
            "submit_label": _("Save the question"),
            "cancel_url": _url("survey_manage", code),
        },
    )


@login_required
@require_POST
@translate_domain_errors
def question_remove(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    survey = _survey_for_manage(request, code, "survey.question_remove")
    services.question_remove(actor=request.user, question=_question(survey, pk))
    return _saved(
        request, _("The question was removed."), f"{_url('survey_manage', code)}#questions"
    )


@login_required
@require_POST
@translate_domain_errors
def question_move(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """Move a question up or down (`direction`), or to a `position` (1 is first)."""
    survey = _survey_for_manage(request, code, "survey.question_move")
    question = _question(survey, pk)
    questions = list(survey.questions.all())
    current = questions.index(question) + 1
    direction = request.POST.get("direction")
    if direction in ("up", "down"):
        position = current - 1 if direction == "up" else current + 1
    else:
        try:
            position = int(request.POST.get("position", ""))
        except ValueError:
            position = 0
    try:
        services.question_move(actor=request.user, question=question, position=position)
    except ValidationFailed as exc:
        messages.error(request, str(exc.message))
        return _manage_page(request, survey, status=422)
    return _saved(request, _("The question was moved."), f"{_url('survey_manage', code)}#questions")


@login_required
@require_http_methods(["GET", "POST"])
@translate_domain_errors
def evidence_add(request: HttpRequest, code: str) -> HttpResponse:
    """Cite the survey's results for an element of its plan, chosen from the plan's outline."""
    survey = _survey_for_manage(request, code, "survey.evidence_link")
    if request.method == "GET":
        return redirect(f"{_url('survey_manage', code)}#evidence")
    form = EvidenceForm(request.POST, survey=survey)
    if form.is_valid():
        try:
            services.evidence_link(actor=request.user, survey=survey, **form.service_arguments())
        except ValidationFailed as exc:
            add_service_errors(form, exc)
        else:
            return _saved(
                request,
                _("The results are now cited as evidence for the element."),
                f"{_url('survey_manage', code)}#evidence",
            )
    return _manage_page(request, survey, evidence_form=form, status=422)


@login_required
@require_POST
@translate_domain_errors
def evidence_remove(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    survey = _survey_for_manage(request, code, "survey.evidence_unlink")
    evidence = (
        Evidence.objects.select_related("survey", "plan").filter(survey=survey, pk=pk).first()
    )
    if evidence is None:
        raise NotFound(services.SurveyError.EVIDENCE_NOT_FOUND, _("No such evidence."))
    services.evidence_unlink(actor=request.user, evidence=evidence)
    return _saved(
        request,
        _("The citation was withdrawn."),
        f"{_url('survey_manage', code)}#evidence",
    )


@login_required
@require_GET
@translate_domain_errors
def survey_export(request: HttpRequest, code: str) -> HttpResponse:
    """Every response as CSV or XLSX (`?format=`), for the organiser and auditors."""
    survey = selectors.survey_detail(code, viewer=request.user)
    permissions.ensure(
        permissions.reads_everything(request.user, survey), request.user, "survey.export", survey
    )
    columns, headers, rows = selectors.response_rows(survey)
    export = exports.Export(f"survey-{survey.code}", columns, lambda: rows, headers)
    return export_download(
        request, export, rows, filename=f"{survey.code}-responses", formats=("csv", "xlsx")
    )
