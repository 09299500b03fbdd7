"""Django admin for public participation: a read-only view of hearings, comments, moderation
steps and answers.

They change only through the services (the hearing pages, the API, the reference loader), which
check who may act, keep the moderation log and the audit trail, and protect personal data. The
admin never shows a commenter's e-mail address, keyed hash or access-key hash.
"""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse

from phaen.consultation.models import Comment, Hearing, ModerationAction, Response
from phaen.core.admin import ReadOnlyAdmin


@admin.register(Hearing)
class HearingAdmin(ReadOnlyAdmin):
    list_display = ["code", "title_th", "plan", "organiser", "status", "starts_at", "ends_at"]
    list_filter = ["status", "moderation", "online_comments", "in_person", "written"]
    search_fields = ["code", "title_th", "title_en", "plan__code", "organiser__code"]
    list_select_related = ["plan", "organiser"]

    def view_on_site(self, obj: Hearing) -> str:
        return reverse("consultation:hearing_detail", args=[obj.code])


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    list_display = ["pk", "hearing", "element_code", "stance", "channel", "status", "created_at"]
    list_filter = ["status", "channel", "stance"]
    search_fields = ["hearing__code", "element_code"]
    list_select_related = ["hearing"]
    exclude = ["email", "commenter_key", "fingerprint", "access_key_hash", "search_document"]

    def view_on_site(self, obj: Comment) -> str:
        return reverse("consultation:hearing_manage", args=[obj.hearing.code])


@admin.register(ModerationAction)
class ModerationActionAdmin(ReadOnlyAdmin):
    list_display = ["comment", "action", "actor", "created_at"]
    list_filter = ["action"]
    list_select_related = ["comment", "actor"]


@admin.register(Response)
class ResponseAdmin(ReadOnlyAdmin):
    list_display = ["hearing", "comment", "group", "decision", "created_at"]
    list_filter = ["decision"]
    search_fields = ["hearing__code"]
    list_select_related = ["hearing", "comment", "group"]
