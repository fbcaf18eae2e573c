"""Provenance: which rows the legacy migration created.

The migration may bring a row it created back to the export's state on a later run; a row
it did not create (an event made in the site, a student who signed up or came from
``import_students``) is never overwritten: importing over it is an ``ID_TAKEN`` conflict.
Rows inside an imported event (teams, registrations, attendance, feedback, certificates)
follow their event: a legacy id already used in another event is ``ID_TAKEN`` too.
Deleting the row deletes its provenance, so a new row that later takes the same id is
the site's.
"""

from django.db import models

from events.models import Event
from registrations.models import Student


class ImportedEvent(models.Model):
    event = models.OneToOneField(Event, primary_key=True, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=300, help_text="The file and line (or array index) it was first read from.")
    imported_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.event_id} from {self.source}"


class ImportedStudent(models.Model):
    student = models.OneToOneField(Student, primary_key=True, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=300, help_text="Where the migration first met the student.")
    imported_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.student_id} from {self.source}"
