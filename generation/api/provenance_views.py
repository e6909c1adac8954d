from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import DomainError
from generation.verification import provenance_verify


class VerifyIn(serializers.Serializer[None]):
    file = serializers.FileField()


class ProvenanceVerifyView(APIView):
    """Open to anyone: what is this file, who made it, was it signed by us."""

    permission_classes = [AllowAny]
    authentication_classes = []
    parser_classes = [MultiPartParser]
    throttle_scope = "verify"

    @extend_schema(request={"multipart/form-data": VerifyIn}, responses=dict)
    def post(self, request: Request) -> Response:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
        if declared > settings.MAX_UPLOAD_BYTES:
            raise DomainError("upload.too_large", "The file is too large.", status_code=413)
        data = VerifyIn(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        if upload.size > settings.MAX_UPLOAD_BYTES:
            raise DomainError("upload.too_large", "The file is too large.", status_code=413)
        return Response(provenance_verify(source=upload.read()))
