from django.db import models


class BaselineRow(models.Model):
    """One row per baseline request: the cheapest write through the same stack."""

    enrollment_no = models.CharField(max_length=20)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.enrollment_no
