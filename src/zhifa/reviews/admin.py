"""Legal reviews in the administration site, read-only: determinations, requests with their
rounds, extensions and collective discussions with their attendees. Every change goes through
the review services (which write the ledger), never through the admin: nothing here can be
added, changed or deleted."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from zhifa.cases.admin import _ReadOnly

from .models import (
    CollectiveDiscussion,
    DiscussionAttendee,
    ReviewDetermination,
    ReviewExtension,
    ReviewRequest,
    ReviewRound,
)


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ReviewDetermination)
class ReviewDeterminationAdmin(_ReadOnly):
    list_display = ["case", "required", "catalogue", "evaluated_at"]
    list_filter = ["required"]
    search_fields = ["case__number"]
    list_select_related = ["case", "catalogue"]


class ReviewRoundInline(_ReadOnlyInline):
    model = ReviewRound
    fields = ["number", "state", "submitted_on", "due", "reviewer", "outcome", "decided_on",
              "late", "overdue_alerted"]


@admin.register(ReviewRequest)
class ReviewRequestAdmin(_ReadOnly):
    list_display = ["case", "body", "state", "current_round", "voluntary", "passed_on",
                    "updated_at"]
    list_filter = ["state", "voluntary"]
    search_fields = ["case__number", "case__title"]
    list_select_related = ["case", "body"]
    inlines = [ReviewRoundInline]


class ReviewExtensionInline(_ReadOnlyInline):
    model = ReviewExtension
    fields = ["days", "state", "reason", "requested_by", "decided_by", "decided_at", "comment"]


@admin.register(ReviewRound)
class ReviewRoundAdmin(_ReadOnly):
    list_display = ["request", "number", "state", "submitted_on", "due", "reviewer", "outcome",
                    "decided_on", "late", "overdue_alerted"]
    list_filter = ["state", "outcome", "late", "overdue_alerted"]
    search_fields = ["request__case__number", "reviewer__name"]
    list_select_related = ["request__case", "reviewer"]
    inlines = [ReviewExtensionInline]


@admin.register(ReviewExtension)
class ReviewExtensionAdmin(_ReadOnly):
    list_display = ["round", "days", "state", "requested_by", "decided_by", "decided_at"]
    list_filter = ["state"]
    search_fields = ["round__request__case__number"]
    list_select_related = ["round", "requested_by", "decided_by"]


class DiscussionAttendeeInline(_ReadOnlyInline):
    model = DiscussionAttendee
    fields = ["person", "position", "view"]
    show_change_link = False


@admin.register(CollectiveDiscussion)
class CollectiveDiscussionAdmin(_ReadOnly):
    list_display = ["case", "reason", "state", "held_on", "presided_by", "conclusion"]
    list_filter = ["reason", "state", "conclusion"]
    search_fields = ["case__number"]
    list_select_related = ["case", "presided_by"]
    inlines = [DiscussionAttendeeInline]
