"""Registry of spreadsheet importers, and the contract every importer keeps.

An app describes one kind of upload (actuals, projects with budgets, agreements) as an
`Importer` and registers it in `AppConfig.ready()`:

    imports.register(ActualsImporter())

The machinery in `phaen.core.import_jobs` does the rest for every importer alike: it writes the
downloadable XLSX template from `columns`, reads an uploaded workbook, turns each cell into the
column's type (a text in a number column is a row error, not a crash), calls `check_row` for every
row, and commits only when no row has an error, in one transaction, with `commit`. Small files run
in the request; large ones as a background job with a progress bar (`ImportJob`).

Rules for importers:

- `prepare` checks that the actor may import at all and loads every look-up the rows need in a
  fixed number of queries (codes of provinces, indicators, organisations ...), so checking
  100,000 rows runs no query per row. It raises `PermissionDenied` *without* recording it: the
  machinery records the refusal (action `import.<name>`, outcome `denied`). It may raise
  `ValidationFailed` about the options. It runs when the file is uploaded and again when the job
  runs (a background job may run minutes later, and permissions may have changed).
- `check_row` never writes. It is called only for rows whose cells all have the right type and
  whose required cells are filled: `values` holds every column's key, typed by its `kind` (TEXT
  `str`, INTEGER `int`, DECIMAL `Decimal`, DATE `datetime.date`, BOOLEAN `bool`), and None for
  an empty optional cell or a column the file leaves out. It returns the cleaned row and its
  errors, each naming the column (by its header, `str(column.header)`) with a message in the
  user's language (the machinery runs it inside `translation.override(job.language)`).
  `context` is whatever `prepare` returned and may be changed, e.g. to report a key that two
  rows share.
- `commit` writes the cleaned rows through the app's own rules and returns a summary such as
  `{"created": 10, "updated": 2}`. It runs inside the machinery's `transaction.atomic()` block,
  which also writes the audit record `import.<name>`. Raising an `ApplicationError` rolls
  everything back and refuses the file with the error's message; `detail["errors"]` may list
  row errors as dicts (`RowError.as_dict()`).

An importer may also declare `option_columns: list[Column]`: values the whole file shares
(a fiscal year, an organisation), asked for on the upload page, the API's form fields and the
CLI's `--option key=value`, typed like cells and passed to `prepare` as `options`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.utils.functional import Promise


class ColumnKind:
    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    DATE = "date"
    BOOLEAN = "boolean"


@dataclass(frozen=True)
class Column:
    """One column of an import template."""

    key: str
    header: str | Promise  # the Thai header written in the template and matched on upload
    kind: str = ColumnKind.TEXT
    required: bool = False
    help: str | Promise = ""  # explained on the template's second sheet
    example: Any = None  # the example row of the template


@dataclass
class RowError:
    row: int  # the spreadsheet's own row number (the header is row 1)
    column: str  # the column's header as the user sees it; "" for the row as a whole
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class CheckedRow:
    row: int
    values: dict[str, Any]
    errors: list[RowError] = field(default_factory=list)


class Importer(Protocol):
    name: str  # the registry key and URL part: "actuals", "projects", "agreements"
    label: str | Promise

    @property
    def columns(self) -> list[Column]: ...

    def prepare(self, *, actor: Any, options: dict[str, Any]) -> Any:
        """Load the look-ups every row needs, in a fixed number of queries; check `actor` may
        import at all (raise `PermissionDenied`)."""
        ...

    def check_row(self, row: int, values: dict[str, Any], context: Any) -> CheckedRow:
        """Check one row whose cells are already typed; never write."""
        ...

    def commit(self, rows: list[CheckedRow], *, actor: Any, context: Any) -> dict[str, int]:
        """Write every valid row; called inside the caller's transaction, only when no row has
        an error. Returns counts for the summary."""
        ...


_IMPORTERS: dict[str, Importer] = {}
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
RESERVED_NAMES = frozenset({"jobs"})  # /imports/jobs/ and /api/imports/jobs are the jobs' own


def register(importer: Importer) -> None:
    """Register an importer under its `name` (a slug: lower-case letters, digits, hyphens)."""
    if not _NAME.match(importer.name) or importer.name in RESERVED_NAMES:
        raise ValueError(f"An importer's name must be a slug other than 'jobs': {importer.name!r}")
    keys = [column.key for column in importer.columns]
    if len(set(keys)) != len(keys):
        raise ValueError(f"Importer {importer.name!r} has two columns with the same key.")
    _IMPORTERS[importer.name] = importer


def unregister(name: str) -> None:
    """Remove the importer called `name` (tests register importers of their own)."""
    _IMPORTERS.pop(name, None)


def names() -> list[str]:
    """Return the registered importer names, sorted."""
    return sorted(_IMPORTERS)


def get(name: str) -> Importer:
    """Return the importer called `name`; `KeyError` when there is none."""
    return _IMPORTERS[name]
