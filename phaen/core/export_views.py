"""The download every list page offers: its rows as CSV, XLSX or JSON (`?format=`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _

from phaen.core import exports

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json; charset=utf-8",
}


def export_download(
    request: HttpRequest,
    export: exports.Export,
    rows: Iterable[dict[str, Any]],
    *,
    filename: str,
    formats: Iterable[str] = tuple(FORMATS),
) -> HttpResponse:
    """Answer `rows` as an attachment in the format the request asks for (CSV by default).

    CSV starts with a BOM so that Excel reads the Thai text as UTF-8. An unknown format is a 400
    that names the formats on offer.
    """
    allowed = [name for name in FORMATS if name in set(formats)]
    fmt = request.GET.get("format", "csv")
    if fmt not in allowed:
        return HttpResponseBadRequest(
            _("Choose one of the formats: %(formats)s.") % {"formats": ", ".join(allowed)}
        )
    response = HttpResponse(content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    if fmt == "csv":
        response.write("\ufeff")
        exports.write_csv(export, rows, response)
    elif fmt == "xlsx":
        exports.write_xlsx(export, rows, response)
    else:
        exports.write_json(export, rows, response)
    return response
