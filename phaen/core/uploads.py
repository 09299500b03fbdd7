"""Accept uploaded documents only for what they are, keep them out of the web root, serve them
only through views that check permission.

`validate_upload` decides a file's type from its first bytes (and, for Office files, from the
parts inside the ZIP container), never from the client's Content-Type. The file name's
extension must agree with that type, so a program renamed `report.pdf` is refused, and so is a
PDF named `report.exe`. Size is checked before anything is read.

Files are stored in the `uploads` storage (`STORAGES["uploads"]`): by default `UploadStorage`,
a FileSystemStorage under `settings.PHAEN_UPLOAD_ROOT` (var/uploads), which is neither
STATIC_ROOT nor MEDIA_ROOT and has no URL. A view that has checked the user's permission answers
with `protected_file_response(path)`. Stored names are random, so a name says nothing about the
document and cannot be guessed.

    upload = validate_upload(request.FILES["document"])
    path = save_upload(request.FILES["document"], upload, folder="plans/decisions")
    ...
    return protected_file_response(path, filename="มติคณะกรรมการ.pdf")
"""

from __future__ import annotations

import mimetypes
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import File
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

from phaen.core.errors import ValidationFailed

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PNG = "image/png"
JPEG = "image/jpeg"

DEFAULT_ALLOWED = frozenset({PDF, DOCX, XLSX, PNG, JPEG})
DEFAULT_MAX_BYTES = 20 * 1024 * 1024

# The extensions each type may carry; the first is the one stored files get.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    PDF: (".pdf",),
    DOCX: (".docx",),
    XLSX: (".xlsx",),
    PNG: (".png",),
    JPEG: (".jpg", ".jpeg"),
}
_HEAD_BYTES = 16


@dataclass(frozen=True)
class CheckedUpload:
    """What `validate_upload` found: the real type, the extension to store it under, the size."""

    content_type: str
    extension: str
    size: int
    original_name: str


def _refuse(code: str, message: str, **detail: Any) -> ValidationFailed:
    return ValidationFailed(code, message, detail={"fields": {"file": message}, **detail})


def _read_head(file: IO[bytes] | File, size: int) -> bytes:
    file.seek(0)
    head = file.read(size)
    file.seek(0)
    return head if isinstance(head, bytes) else bytes(head)


def _office_type(file: IO[bytes] | File) -> str | None:
    """Tell a .docx from a .xlsx by the parts listed in the ZIP's central directory.

    Only the directory is read; nothing is extracted, so a ZIP bomb costs nothing here.
    """
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    finally:
        file.seek(0)
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return None


def sniff_content_type(file: IO[bytes] | File) -> str | None:
    """Return the type the file's bytes show (one of the five Phaen knows), or None."""
    head = _read_head(file, _HEAD_BYTES)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        return _office_type(file)
    return None


def _type_label(content_type: str) -> str:
    return EXTENSIONS[content_type][0].lstrip(".").upper()


def validate_upload(
    file: File,
    *,
    allowed: set[str] | frozenset[str] = DEFAULT_ALLOWED,
    max_bytes: int | None = None,
) -> CheckedUpload:
    """Check an uploaded file's size, real type and extension; raise ValidationFailed if wrong.

    Codes: `upload_empty`, `upload_too_large`, `upload_type_not_allowed` (the bytes are not an
    allowed type) and `upload_extension_mismatch` (the name's extension is not the type's).
    """
    limit = max_bytes if max_bytes is not None else settings.PHAEN_UPLOAD_MAX_BYTES
    size = file.size or 0
    if size > limit:
        raise _refuse(
            "upload_too_large",
            _("The file is larger than %(limit)s MB.") % {"limit": f"{limit / 1024 / 1024:g}"},
            max_bytes=limit,
        )
    if size == 0:
        raise _refuse("upload_empty", _("The file is empty."))

    content_type = sniff_content_type(file)
    if content_type is None or content_type not in allowed:
        kinds = ", ".join(sorted(_type_label(kind) for kind in allowed))
        raise _refuse(
            "upload_type_not_allowed",
            _("This kind of file is not accepted. Accepted kinds: %(kinds)s.") % {"kinds": kinds},
        )

    name = file.name or ""
    extension = PurePosixPath(name.replace("\\", "/")).suffix.lower()
    if extension not in EXTENSIONS[content_type]:
        raise _refuse(
            "upload_extension_mismatch",
            _("The file's name does not match its content: a %(kind)s file must end in %(ext)s.")
            % {"kind": _type_label(content_type), "ext": " / ".join(EXTENSIONS[content_type])},
        )
    return CheckedUpload(
        content_type=content_type,
        extension=extension,
        size=size,
        original_name=PurePosixPath(name.replace("\\", "/")).name,
    )


@deconstructible
class UploadStorage(FileSystemStorage):
    """Files under `settings.PHAEN_UPLOAD_ROOT`, with no public URL."""

    def __init__(self, location: str | None = None, **kwargs: Any) -> None:
        kwargs.pop("base_url", None)
        super().__init__(location=location or str(settings.PHAEN_UPLOAD_ROOT), **kwargs)

    def url(self, name: str | None) -> str:
        raise ValueError("Uploaded files have no URL; serve them with protected_file_response.")


def upload_storage() -> Storage:
    """Return the `uploads` storage configured in STORAGES."""
    return storages["uploads"]


def save_upload(file: File, checked: CheckedUpload, *, folder: str) -> str:
    """Store a checked upload under `folder/<year>/<random>.<ext>` and return its stored path."""
    clean_folder = "/".join(part for part in folder.split("/") if part not in ("", ".", ".."))
    name = f"{clean_folder}/{timezone.now():%Y}/{uuid.uuid4().hex}{checked.extension}"
    file.seek(0)
    return upload_storage().save(name, file)


def protected_file_response(
    path: str, *, filename: str | None = None, as_attachment: bool = True
) -> FileResponse:
    """Stream a stored upload to a user whose permission the calling view has already checked.

    The response is an attachment by default, is never cached by shared caches, and carries a
    sandboxing Content-Security-Policy in case a browser renders it anyway.
    """
    storage = upload_storage()
    try:
        if not path or not storage.exists(path):
            raise Http404
    except SuspiciousFileOperation:  # a path that leaves the upload root
        raise Http404 from None
    extension = PurePosixPath(path).suffix.lower()
    content_type = next(
        (kind for kind, extensions in EXTENSIONS.items() if extension in extensions),
        mimetypes.guess_type(path)[0] or "application/octet-stream",
    )
    response = FileResponse(
        storage.open(path, "rb"),
        as_attachment=as_attachment,
        filename=filename or PurePosixPath(path).name,
        content_type=content_type,
    )
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
