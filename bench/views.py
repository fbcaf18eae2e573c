from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from bench.models import BaselineRow


class BaselineInput(serializers.Serializer):
    enrollment_no = serializers.CharField(max_length=20)


class BaselineInsert(APIView):
    """Parse a JSON body, validate it, insert one row, answer 201: the floor a write endpoint can reach."""

    authentication_classes: list = []
    permission_classes: list = []

    def post(self, request, event_id: str):
        data = BaselineInput(data=request.data)
        data.is_valid(raise_exception=True)
        row = BaselineRow.objects.create(enrollment_no=data.validated_data["enrollment_no"])
        return Response({"id": row.pk, "event_id": event_id}, status=status.HTTP_201_CREATED)
