"""Uploads: checked by their bytes and size, stored outside the web root, served privately."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from phaen.core import uploads
from phaen.core.errors import ValidationFailed
from phaen.core.uploads import (
    DOCX,
    PDF,
    PNG,
    XLSX,
    UploadStorage,
    protected_file_response,
    save_upload,
    validate_upload,
)

PDF_BYTES = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n"
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def office(*parts: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for part in parts:
            archive.writestr(part, "<xml/>")
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def refusal(file: SimpleUploadedFile, **kwargs: object) -> str:
    with pytest.raises(ValidationFailed) as caught:
        validate_upload(file, **kwargs)  # type: ignore[arg-type]
    assert caught.value.http_status == 422
    assert "file" in caught.value.detail["fields"]
    return caught.value.code


class TestValidateUpload:
    def test_a_pdf_passes(self) -> None:
        checked = validate_upload(upload("มติที่ประชุม.pdf", PDF_BYTES))

        assert checked.content_type == PDF
        assert checked.extension == ".pdf"
        assert checked.size == len(PDF_BYTES)
        assert checked.original_name == "มติที่ประชุม.pdf"

    def test_a_program_renamed_pdf_is_refused(self) -> None:
        assert refusal(upload("report.pdf", EXE_BYTES)) == "upload_type_not_allowed"

    def test_a_pdf_renamed_exe_is_refused(self) -> None:
        assert refusal(upload("report.exe", PDF_BYTES)) == "upload_extension_mismatch"

    def test_the_client_s_content_type_is_not_believed(self) -> None:
        file = upload("photo.pdf", PNG_BYTES, content_type="application/pdf")

        assert refusal(file) == "upload_extension_mismatch"

    def test_an_oversized_file_is_refused(self) -> None:
        too_big = PDF_BYTES + b"0" * (settings.PHAEN_UPLOAD_MAX_BYTES - len(PDF_BYTES) + 1)

        assert refusal(upload("big.pdf", too_big)) == "upload_too_large"

    def test_the_limit_can_be_lowered_per_call(self) -> None:
        assert refusal(upload("plan.pdf", PDF_BYTES), max_bytes=10) == "upload_too_large"

    def test_an_empty_file_is_refused(self) -> None:
        assert refusal(upload("empty.pdf", b"")) == "upload_empty"

    @pytest.mark.parametrize(
        ("name", "parts", "kind"),
        [
            ("plan.docx", ("[Content_Types].xml", "word/document.xml"), DOCX),
            ("budget.xlsx", ("[Content_Types].xml", "xl/workbook.xml"), XLSX),
        ],
    )
    def test_office_files_are_told_apart_by_their_parts(
        self, name: str, parts: tuple[str, ...], kind: str
    ) -> None:
        assert validate_upload(upload(name, office(*parts))).content_type == kind

    def test_a_plain_zip_named_docx_is_refused(self) -> None:
        assert refusal(upload("plan.docx", office("readme.txt"))) == "upload_type_not_allowed"

    def test_a_spreadsheet_named_docx_is_refused(self) -> None:
        content = office("[Content_Types].xml", "xl/workbook.xml")

        assert refusal(upload("plan.docx", content)) == "upload_extension_mismatch"

    def test_the_allowed_kinds_can_be_narrowed(self) -> None:
        assert refusal(upload("plan.pdf", PDF_BYTES), allowed={PNG}) == "upload_type_not_allowed"


class TestStorage:
    def test_uploads_are_kept_outside_the_static_and_media_roots(self) -> None:
        root = Path(settings.PHAEN_UPLOAD_ROOT)

        for public in (Path(settings.STATIC_ROOT), Path(settings.MEDIA_ROOT)):
            assert not root.is_relative_to(public)
            assert not public.is_relative_to(root)
        assert Path(UploadStorage().location) == root

    def test_uploads_have_no_url(self) -> None:
        with pytest.raises(ValueError):
            UploadStorage().url("plans/2026/x.pdf")

    def test_a_saved_upload_gets_a_random_name_and_is_served_as_a_private_attachment(
        self,
    ) -> None:
        file = upload("มติที่ประชุม.pdf", PDF_BYTES)
        path = save_upload(file, validate_upload(file), folder="plans/../decisions")

        assert path.startswith("plans/decisions/") and path.endswith(".pdf")
        assert "มติ" not in path

        response = protected_file_response(path, filename="มติที่ประชุม.pdf")
        assert response["Content-Type"] == PDF
        assert response["Content-Disposition"].startswith("attachment;")
        assert "no-store" in response["Cache-Control"]
        assert "sandbox" in response["Content-Security-Policy"]
        assert b"".join(response.streaming_content) == PDF_BYTES  # type: ignore[arg-type]

    @pytest.mark.parametrize("path", ["", "plans/missing.pdf"])
    def test_a_missing_file_is_a_404(self, path: str) -> None:
        with pytest.raises(Http404):
            protected_file_response(path)

    def test_paths_cannot_leave_the_upload_root(self, tmp_path: Path, monkeypatch) -> None:
        storage = UploadStorage(location=str(tmp_path))
        monkeypatch.setattr(uploads, "upload_storage", lambda: storage)

        with pytest.raises(Http404):
            protected_file_response("../../etc/passwd")
