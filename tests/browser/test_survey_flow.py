"""Surveys in Chromium: a planner of MDES starts a survey of problems and needs for the east
of the country on the web form, builds its questions (one choice, one scale, one text) and
opens it; two members of the public find it in the list and answer it from provinces of the
east; the public results page then shows the exact count of each option and the scale's mean,
the planner alone reads the text answers, and cites the results as evidence for an element of
the EEC plan the survey informs.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.cache import cache
from django.utils import timezone, translation
from playwright.sync_api import Locator, Page, expect

from phaen.accounts.models import Role
from phaen.consultation.survey_models import (
    Answer,
    Evidence,
    Question,
    QuestionKind,
    Survey,
    SurveyResponse,
    SurveyStatus,
)
from phaen.orgs.models import Organisation
from tests.conftest import member

CODE = "eec-digital-needs-browser"
TITLE = "สำรวจปัญหาและความต้องการด้านดิจิทัลของชุมชนภาคตะวันออก (ทดสอบในเบราว์เซอร์)"
PLAN = "eec-digital-infra-2"  # owned by MDES; its first approach is eec2-a1
ELEMENT = "eec2-a1"
ELEMENT_TITLE = "พัฒนาโครงสร้างพื้นฐานด้านดิจิทัลให้ทันสมัย"
CHOICE = "ปัญหาหลักด้านอินเทอร์เน็ตในชุมชนของท่านคืออะไร"
OPTIONS = ["ไม่มีสัญญาณ", "สัญญาณช้า", "ค่าบริการแพง"]
SCALE = "ท่านพึงพอใจบริการภาครัฐออนไลน์เพียงใด"
TEXT = "ข้อเสนอแนะอื่นถึงผู้วางแผน"
WISH = "อยากให้มีศูนย์ดิจิทัลชุมชนที่ตำบลบ้านฉาง"
NOTE = "ผู้ตอบส่วนใหญ่ระบุว่าสัญญาณช้า"


def thai(message: str) -> str:
    with translation.override("th"):
        return translation.gettext(message)


def watch(page: Page, errors: list[str]) -> Page:
    page.on("pageerror", lambda exc: errors.append(f"{page.url}: {exc}"))
    return page


def labelled(scope: Locator, msgid: str) -> Locator:
    """The field labelled exactly with the msgid in Thai (a required field's label ends in *)."""
    return scope.get_by_label(re.compile(rf"^{re.escape(thai(msgid))}( \*)?$"))


def moment(days: int) -> str:
    """A time `days` from now as a datetime-local input takes it, in Thai time."""
    return timezone.localtime(timezone.now() + dt.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def add_question(page: Page, kind: str, prompt: str, **fields: str) -> None:
    form = page.locator("#add-question")
    labelled(form, "Kind").select_option(kind)
    labelled(form, "Question").fill(prompt)
    if fields.pop("optional", None):
        labelled(form, "An answer is required").uncheck()
    for label, value in fields.items():
        labelled(form, label).fill(value)
    form.get_by_role("button", name=thai("Add the question")).click()
    expect(page.locator("#questions > ol")).to_contain_text(prompt)


def answer(page: Page, list_url: str, province: str, option: str, value: str, text: str) -> None:
    """Find the survey in the public list and answer it; check the thank-you page."""
    page.goto(list_url)
    page.get_by_role("link", name=TITLE).click()
    form = page.locator("#survey-answer-form")
    labelled(form, "You answer as").select_option("citizen")
    where = labelled(form, "Province you answer from")
    expect(where.locator("option[value='50']")).to_have_count(0)  # Chiang Mai: not the east
    where.select_option(province)
    form.get_by_role("group", name=CHOICE).get_by_label(option, exact=True).check()
    form.get_by_role("group", name=SCALE).get_by_label(value, exact=True).check()
    if text:
        form.get_by_label(TEXT).fill(text)
    form.locator("#answer-consent").check()
    form.get_by_role("button", name=thai("Send my answers")).click()
    expect(page).to_have_url(f"{list_url}{CODE}/thanks/")
    expect(page.get_by_role("heading", level=1)).to_have_text(thai("Thank you for your answers"))


def option_count(figure: Locator, label: str) -> Locator:
    header = figure.page.get_by_role("rowheader", name=label, exact=True)
    return figure.locator("tbody tr", has=header).locator("td")


def test_a_planner_runs_a_survey_the_public_answers_and_its_results_become_evidence(
    live: Any, sign_in_as: Any
) -> None:
    cache.clear()  # the answers' throttle counts per client in the shared local-memory cache
    errors: list[str] = []
    list_url = f"{live.url}/consultation/surveys/"
    mdes = Organisation.objects.get(code="mdes")
    planner = member("mdes-survey-planner", Role.PLANNER, mdes)
    staff = watch(sign_in_as(planner), errors)

    # The planner starts the survey from the list, limited to the eastern region
    staff.goto(list_url)
    staff.get_by_role("link", name=thai("New survey")).click()
    form = staff.locator("main form")
    labelled(form, "Code").fill(CODE)
    labelled(form, "Thai title").fill(TITLE)
    labelled(form, "Organiser").select_option("mdes")
    labelled(form, "Plan it informs").select_option(PLAN)
    labelled(form, "Who answers").select_option("both")
    labelled(form, "Regions").select_option(["east"])
    labelled(form, "Opens").fill(moment(-1))
    labelled(form, "Closes").fill(moment(30))
    form.get_by_role("button", name=thai("Save the draft")).click()
    expect(staff).to_have_url(f"{list_url}{CODE}/manage/")
    survey = Survey.objects.get(code=CODE)
    assert survey.status == SurveyStatus.DRAFT
    assert survey.organiser == mdes and survey.plan is not None and survey.plan.code == PLAN
    assert list(survey.regions.values_list("code", flat=True)) == ["east"]
    assert not survey.provinces.exists()

    # … builds its form: one choice with three options, a 1–5 scale, an optional text
    add_question(staff, "choice", CHOICE, Topic="อินเทอร์เน็ต", Options="\n".join(OPTIONS))
    add_question(
        staff,
        "scale",
        SCALE,
        Topic="บริการภาครัฐ",
        **{"Label of the lowest value": "น้อยที่สุด", "Label of the highest value": "มากที่สุด"},
    )
    add_question(staff, "text", TEXT, optional="yes")
    questions = {q.kind: q for q in Question.objects.filter(survey=survey)}
    assert [q.kind for q in survey.questions.order_by("order")] == ["choice", "scale", "text"]
    assert [o.label for o in questions[QuestionKind.CHOICE].options.all()] == OPTIONS
    scale = questions[QuestionKind.SCALE]
    assert (scale.scale_min, scale.scale_max, scale.scale_max_label) == (1, 5, "มากที่สุด")
    assert questions[QuestionKind.TEXT].required is False

    # … and opens it
    staff.locator("#steps").get_by_role("button", name=thai("Open for answers")).click()
    expect(staff.locator("#steps").get_by_role("button")).to_have_text(thai("Close the survey"))
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.OPEN

    # Two members of the public answer from Chonburi and Rayong
    public = watch(sign_in_as(None), errors)
    answer(public, list_url, "20", OPTIONS[1], "4", WISH)
    second = watch(sign_in_as(None), errors)
    answer(second, list_url, "21", OPTIONS[2], "5 มากที่สุด", "")
    responses = SurveyResponse.objects.filter(survey=survey).order_by("created_at", "id")
    assert responses.count() == 2
    assert [r.province.code for r in responses if r.province] == ["20", "21"]
    assert all(r.respondent_kind == "citizen" and r.consented_at for r in responses)
    choice = questions[QuestionKind.CHOICE]
    answered = {
        (row.response.province.code if row.response.province else "", row.question.kind): (
            row.option.label if row.option else row.scale_value or row.text
        )
        for row in Answer.objects.filter(response__survey=survey).select_related(
            "response__province", "question", "option"
        )
    }
    assert answered == {
        ("20", "choice"): OPTIONS[1],
        ("20", "scale"): 4,
        ("20", "text"): WISH,
        ("21", "choice"): OPTIONS[2],
        ("21", "scale"): 5,
    }

    # The public results: each option's count, the scale's mean, no text answers
    public.get_by_role("link", name=thai("See the results")).click()
    expect(public).to_have_url(f"{list_url}{CODE}/results/")
    choice_figure = public.locator(f"#question-{choice.pk}")
    expect(option_count(choice_figure, OPTIONS[0]).first).to_have_text("0")
    expect(option_count(choice_figure, OPTIONS[1]).first).to_have_text("1")
    expect(option_count(choice_figure, OPTIONS[2]).first).to_have_text("1")
    expect(option_count(choice_figure, OPTIONS[1]).nth(1)).to_have_text("50.0%")
    scale_figure = public.locator(f"#question-{scale.pk}")
    expect(scale_figure.locator("p strong")).to_have_text("4.50")
    expect(option_count(scale_figure, "4")).to_have_text("1")
    expect(option_count(scale_figure, "5")).to_have_text("1")
    expect(option_count(scale_figure, "3")).to_have_text("0")
    expect(choice_figure.locator("[data-chart-drawn]")).to_have_count(1)
    areas = public.locator("#areas")
    expect(areas.locator("tbody tr", has_text="ชลบุรี").locator("td.numeric").first).to_have_text("1")
    expect(areas.locator("tbody tr", has_text="ระยอง").locator("td.numeric").first).to_have_text(
        "1"
    )
    expect(public.locator("main")).not_to_contain_text(WISH)

    # The planner reads the text answers on the same page
    staff.goto(f"{list_url}{CODE}/results/")
    expect(staff.locator(f"#question-{questions[QuestionKind.TEXT].pk}")).to_contain_text(WISH)

    # … and cites the choice question's results as evidence for the plan's first approach
    staff.get_by_role("link", name=thai("Manage the survey")).click()
    evidence = staff.locator("#evidence form")
    labelled(evidence, "Plan element").select_option(ELEMENT)
    labelled(evidence, "Question").select_option(str(choice.pk))
    labelled(evidence, "Note").fill(NOTE)
    evidence.get_by_role("button", name=thai("Cite as evidence")).click()
    expect(staff.locator("#evidence li")).to_contain_text(ELEMENT_TITLE)
    cited = Evidence.objects.get(survey=survey)
    assert (cited.plan.code, cited.element_code, cited.question_id) == (PLAN, ELEMENT, choice.pk)
    assert cited.note == NOTE

    # The public results page lists the citation with a link to the element
    public.reload()
    citations = public.locator("#evidence")
    expect(citations).to_contain_text(ELEMENT_TITLE)
    expect(citations).to_contain_text(NOTE)
    expect(citations.locator(f"a[href$='/#element-{ELEMENT}']")).to_have_count(1)
    assert SurveyResponse.objects.filter(survey=survey).count() == 2
    assert errors == []
