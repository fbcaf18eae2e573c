from django.conf import settings
from django.core.validators import validate_slug
from django.db import models

from eventsite.text import single_line_text


class Club(models.Model):
    """An organizing unit: a club, a department or a committee."""

    class Kind(models.TextChoices):
        CLUB = "club", "Club"
        DEPARTMENT = "department", "Department"
        COMMITTEE = "committee", "Committee"

    club_id = models.CharField(primary_key=True, max_length=64, validators=[validate_slug])
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.CLUB)
    department = models.CharField(
        max_length=20,
        blank=True,
        default="",
        db_index=True,
        validators=[single_line_text],
        help_text="The department it belongs to, as students' departments are written (e.g. CSE); empty: college-wide.",
    )
    contact_email = models.EmailField(blank=True, default="", help_text="Shown on its events' pages.")
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, through="ClubMembership", related_name="clubs")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "club_id"]

    def __str__(self) -> str:
        return self.name


class ClubMembership(models.Model):
    """One person's role in one club: owners manage the members, organizers run the club's events."""

    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        ORGANIZER = "organizer", "Organizer"

    club = models.ForeignKey(Club, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="club_memberships")
    role = models.CharField(max_length=12, choices=Role.choices)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["club", "role", "user"]
        constraints = [
            models.UniqueConstraint(fields=["club", "user"], name="club_member_once"),
            models.CheckConstraint(
                condition=models.Q(role__in=["owner", "organizer"]),
                name="club_member_role_known",
                violation_error_message="A club member is an owner or an organizer.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) in {self.club_id}"
