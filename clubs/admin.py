from django.contrib import admin

from clubs.models import Club, ClubMembership
from clubs.services import club_create, club_member_remove, club_member_set, club_update
from eventsite.admin_tools import ServiceModelAdmin


class ClubMembershipInline(admin.TabularInline):
    model = ClubMembership
    fields = ("user", "role")
    autocomplete_fields = ("user",)
    extra = 1
    verbose_name = "member"
    verbose_name_plural = "members (owners manage the members; organizers run the club's events)"


@admin.register(Club)
class ClubAdmin(ServiceModelAdmin):
    list_display = ("name", "club_id", "kind", "department")
    list_filter = ("kind", "department")
    search_fields = ("club_id", "name")
    inlines = [ClubMembershipInline]

    def get_readonly_fields(self, request, obj=None):
        return ("club_id",) if obj is not None else ()

    def has_delete_permission(self, request, obj=None):
        # A club's events keep their club; delete nothing that events point at.
        return False

    def save_model(self, request, obj, form, change):
        """Written with its members in save_related, through the services."""

    def save_related(self, request, form, formsets, change):
        data = form.cleaned_data
        fields = {name: data[name] for name in ("name", "kind", "department", "contact_email")}
        if change:
            club = club_update(club=form.instance, actor=request.user, **fields)
        else:
            club = club_create(club_id=data["club_id"], actor=request.user, **fields)
        for formset in formsets:
            if formset.model is not ClubMembership:
                continue
            formset.save(commit=False)
            # Additions and role changes first, so that naming a new owner may precede removing the old one.
            for member_form in formset.forms:
                if member_form in formset.deleted_forms or not member_form.cleaned_data.get("user"):
                    continue
                user = member_form.cleaned_data["user"]
                replaced = member_form.instance.pk and "user" in member_form.changed_data
                if replaced:
                    previous = ClubMembership.objects.select_related("user").get(pk=member_form.instance.pk).user
                    club_member_remove(club=club, username=previous.username, actor=request.user)
                club_member_set(
                    club=club, username=user.username, role=member_form.cleaned_data["role"], actor=request.user
                )
            for member_form in formset.deleted_forms:
                if member_form.instance.pk:
                    club_member_remove(club=club, username=member_form.instance.user.username, actor=request.user)
        form.instance = club
