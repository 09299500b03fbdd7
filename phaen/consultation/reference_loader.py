"""Load the reference hearings and events from `phaen/consultation/reference/`.

`hearings.yaml` holds the public hearings the seed news reports describe (the EEC phase-2
hearing), `events.yaml` the meetings (its hearing meeting in Chonburi, the MDES strategy
workshop, ONDE's fourth seminar), each with the counts the reports give and its sources. No
comment is loaded: the sources quote none.

The loader runs as the system after the delivery loader (order 60), inside the caller's
transaction (`phaen.core.services.reference_load_all`), and writes the rows itself with the
helpers of `phaen.kpis.reference_loader`, each change with its audit record. It reads and
checks both files before it writes anything, so a bad entry stops the load with the file and
the entry named, and nothing is written.

Rows are matched by code. Only what differs from the files is written, so a second load writes
nothing; rows users added (hearings, events, registrations, comments, sources or invited
organisations added to a reference row) are never deleted. A field the files leave empty is not
known: it is empty on a new row and left as it is on an existing one. Two fields move only
forward: a hearing's `status` is the least advanced one the sources establish (a reload never
takes a summarised hearing back to closed), and its `version` is set once, to the plan's newest
version when the hearing is first loaded (or while it has none).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.text import slugify

from phaen.consultation.models import (
    Event,
    EventKind,
    EventMode,
    Hearing,
    HearingStatus,
)
from phaen.core.reference import ReferenceError, require
from phaen.kpis.reference_loader import (
    Codes,
    check_fields,
    check_unique,
    flag,
    items_of,
    read_entries,
    split_known,
    sync_row,
)
from phaen.plans.models import Plan, PlanVersion

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"
HEARINGS_FILE = "hearings.yaml"
EVENTS_FILE = "events.yaml"

STATUS_ORDER: dict[str, int] = {
    HearingStatus.SCHEDULED: 0,
    HearingStatus.OPEN: 1,
    HearingStatus.CLOSED: 2,
    HearingStatus.SUMMARISED: 3,
}
MAX_COUNT = 100_000_000


@dataclass
class _Row:
    """A checked entry: its code, where it is, its fields and its many-to-many rows."""

    code: str
    where: str
    fields: dict[str, Any]
    related: dict[str, list[Any]] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)


def consultation_load_reference(directory: Path = REFERENCE_DIR) -> dict[str, int]:
    """Create or update the reference hearings and events.

    Returns the number of hearings and events held after the load.
    """
    codes = Codes()
    hearings = _read_hearings(directory / HEARINGS_FILE, codes)
    events = _read_events(directory / EVENTS_FILE, codes, {h.code: h for h in hearings})

    for entry in hearings:
        _write_hearing(entry)
    for entry in events:
        fields = dict(entry.fields)
        hearing_code = fields.pop("hearing_code", None)
        if hearing_code:
            fields["hearing_id"] = Hearing.objects.values_list("pk", flat=True).get(
                code=hearing_code
            )
        stated, unknown = split_known(fields)
        sync_row(
            Event,
            {"code": entry.code},
            stated,
            defaults={**unknown, **entry.defaults},
            related=entry.related,
            action="event",
        )
    return {"hearings": Hearing.objects.count(), "events": Event.objects.count()}


def _write_hearing(entry: _Row) -> None:
    fields = dict(entry.fields)
    current = Hearing.objects.filter(code=entry.code).values_list("status", "version_id").first()
    newest = (
        PlanVersion.objects.filter(plan_id=fields["plan_id"])
        .order_by("-number")
        .values_list("pk", flat=True)
        .first()
    )
    defaults = {"version_id": newest}
    if current is not None:
        status, version_id = current
        if STATUS_ORDER.get(status, 0) >= STATUS_ORDER[fields["status"]]:
            # Never move a hearing back: the file states where it had got to, at least.
            fields.pop("status")
        if version_id is None and newest is not None:
            fields["version_id"] = newest
    stated, unknown = split_known(fields)
    sync_row(
        Hearing,
        {"code": entry.code},
        stated,
        defaults={**unknown, **defaults},
        related=entry.related,
        action="hearing",
    )


# --- Reading and checking -----------------------------------------------------------------------


def _text(raw: Mapping[str, Any], name: str) -> str:
    """A one-line text: whitespace (YAML folding, line breaks) collapsed to single spaces."""
    return " ".join(str(raw.get(name) or "").split())


def _block(raw: Mapping[str, Any], name: str) -> str:
    """A text of several lines, as written."""
    return str(raw.get(name) or "").strip()


def _choice(raw: Mapping[str, Any], name: str, choices: Any, where: str, default: str) -> str:
    value = str(raw.get(name) or default)
    if value not in choices.values:
        raise ReferenceError(
            "reference_invalid",
            f"{where}: '{name}' is '{value}'; use one of {', '.join(choices.values)}.",
        )
    return value


def _code(raw: Any, what: str, path: Path, position: int) -> str:
    code = str(require(raw, "code", f"{path.name}, {what} {position}"))
    if slugify(code) != code:
        raise ReferenceError(
            "reference_invalid",
            f"{path.name}, {what} '{code}': the code may hold only lower-case letters, digits "
            "and hyphens.",
        )
    return code


def _moment(value: Any, key: str, where: str) -> dt.datetime | None:
    """Read a moment: an ISO datetime (an offset, or Thai time), or a date (00:00 Thai time,
    for events whose time the sources do not give). None when left out."""
    if value in (None, ""):
        return None
    thai = timezone.get_default_timezone()
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time())
    else:
        text = str(value).strip()
        try:
            moment = (
                dt.datetime.combine(dt.date.fromisoformat(text), dt.time())
                if len(text) == 10
                else dt.datetime.fromisoformat(text)
            )
        except ValueError:
            raise ReferenceError(
                "reference_malformed",
                f"{where}: '{key}' must be a date (YYYY-MM-DD) or a date and time "
                "(YYYY-MM-DDTHH:MM+07:00).",
            ) from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, thai)
    return moment


def _count(raw: Mapping[str, Any], key: str, where: str) -> int | None:
    value = raw.get(key)
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
        raise ReferenceError(
            "reference_malformed", f"{where}: '{key}' must be a whole number of 0 or more."
        )
    return value


def _read_hearings(path: Path, codes: Codes) -> list[_Row]:
    entries: list[_Row] = []
    for position, raw in enumerate(read_entries(path, "hearings"), start=1):
        code = _code(raw, "hearing", path, position)
        where = f"{path.name}, hearing '{code}'"
        plan = codes.plan(require(raw, "plan", where), where)
        organiser = codes.organisation(require(raw, "organiser", where), where)
        starts_at = _moment(require(raw, "starts_at", where), "starts_at", where)
        ends_at = _moment(require(raw, "ends_at", where), "ends_at", where)
        assert starts_at is not None and ends_at is not None
        if ends_at <= starts_at:
            raise ReferenceError(
                "reference_invalid", f"{where}: the hearing must close after it opens."
            )
        status = _choice(raw, "status", HearingStatus, where, require(raw, "status", where))
        summary = _block(raw, "summary_th")
        if status == HearingStatus.SUMMARISED and not summary:
            raise ReferenceError(
                "reference_invalid",
                f"{where}: a summarised hearing needs the summary the organiser published.",
            )
        fields: dict[str, Any] = {
            "title_th": _text(raw, "title_th") or str(require(raw, "title_th", where)),
            "title_en": _text(raw, "title_en"),
            "description": _block(raw, "description"),
            "plan_id": plan.pk,
            "organiser_id": organiser.pk,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "online_comments": flag(raw, "online_comments", where),
            "in_person": flag(raw, "in_person", where),
            "written": flag(raw, "written", where),
            "affected_groups": _block(raw, "affected_groups"),
            "status": status,
            "reported_participants": _count(raw, "reported_participants", where),
            "reported_online_views": _count(raw, "reported_online_views", where),
            "summary_th": summary,
        }
        check_fields(Hearing(code=code, **fields), where)
        invited = [codes.organisation(c, where) for c in items_of(raw, "invited", where)]
        entries.append(
            _Row(
                code,
                where,
                fields,
                related={"sources": codes.sources(raw, where), "invited": invited},
            )
        )
    check_unique([e.code for e in entries], path, "hearing")
    return entries


def _hearing_plan(code: str, in_file: Mapping[str, _Row], where: str) -> int:
    """Return the plan id of the hearing `code`, from the file or from the database."""
    if code in in_file:
        return int(in_file[code].fields["plan_id"])
    plan_id = Hearing.objects.filter(code=code).values_list("plan_id", flat=True).first()
    if plan_id is None:
        raise ReferenceError("reference_invalid", f"{where}: unknown hearing '{code}'.")
    return int(plan_id)


def _read_events(path: Path, codes: Codes, hearings: Mapping[str, _Row]) -> list[_Row]:
    entries: list[_Row] = []
    for position, raw in enumerate(read_entries(path, "events"), start=1):
        code = _code(raw, "event", path, position)
        where = f"{path.name}, event '{code}'"
        organiser = codes.organisation(require(raw, "organiser", where), where)
        plan: Plan | None = codes.plan(raw["plan"], where) if raw.get("plan") else None
        hearing_code = str(raw.get("hearing") or "")
        if hearing_code:
            hearing_plan = _hearing_plan(hearing_code, hearings, where)
            if plan is not None and plan.pk != hearing_plan:
                raise ReferenceError(
                    "reference_invalid",
                    f"{where}: the plan '{plan.code}' is not the plan of the hearing "
                    f"'{hearing_code}'.",
                )
            plan_id: int | None = hearing_plan
        else:
            plan_id = plan.pk if plan is not None else None
        mode = _choice(raw, "mode", EventMode, where, EventMode.IN_PERSON)
        starts_at = _moment(require(raw, "starts_at", where), "starts_at", where)
        ends_at = _moment(raw.get("ends_at"), "ends_at", where)
        assert starts_at is not None
        if ends_at is not None and ends_at <= starts_at:
            raise ReferenceError(
                "reference_invalid", f"{where}: the event must end after it starts."
            )
        online_url = _text(raw, "online_url")
        online_views = _count(raw, "online_views", where)
        if mode == EventMode.IN_PERSON and (online_url or online_views is not None):
            raise ReferenceError(
                "reference_invalid",
                f"{where}: an in-person event has no online link or views; use online or hybrid.",
            )
        province = codes.province(raw["province"], where) if raw.get("province") else None
        fields: dict[str, Any] = {
            "kind": _choice(raw, "kind", EventKind, where, require(raw, "kind", where)),
            "mode": mode,
            "title_th": _text(raw, "title_th") or str(require(raw, "title_th", where)),
            "title_en": _text(raw, "title_en"),
            "plan_id": plan_id,
            "organiser_id": organiser.pk,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "venue": _text(raw, "venue"),
            "province_id": province.pk if province else None,
            "agenda": _block(raw, "agenda"),
            "online_url": online_url,
            "online_views": online_views,
            "attendance": _count(raw, "attendance", where),
            "minutes": _block(raw, "minutes"),
        }
        check_fields(Event(code=code, **fields), where)
        outputs = codes.elements({"elements": items_of(raw, "outputs", where)}, where)
        strays = [e.code for e in outputs if e.plan_id != plan_id]
        if strays:
            raise ReferenceError(
                "reference_invalid",
                f"{where}: the output '{strays[0]}' is not an element of the event's plan.",
            )
        if hearing_code:
            fields["hearing_code"] = hearing_code
        entries.append(
            _Row(
                code,
                where,
                fields,
                related={"sources": codes.sources(raw, where), "outputs": outputs},
                # Registration is the organiser's to open; the file never opens or closes it.
                defaults={"registration_open": False},
            )
        )
    check_unique([e.code for e in entries], path, "event")
    return entries
