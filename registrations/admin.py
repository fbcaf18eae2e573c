from django.contrib import admin

from registrations.models import FeedbackQuestion


class FeedbackQuestionInline(admin.TabularInline):
    """The event's extra feedback questions, edited on the event's admin page."""

    model = FeedbackQuestion
    extra = 0
    fields = ("position", "kind", "prompt", "required")
    ordering = ("position", "id")
