"""The C2PA Soft Binding Resolution API (its OpenAPI 1.0.0 paths, under /c2pa/sbr/v1): any
Content Credentials tool holding a copy whose manifest was stripped gets the original manifest
back from its watermark. Open to anyone, rate-limited, size-limited; errors in our shape."""

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import BaseParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import DomainError
from core.parsers import BoundedJSONParser
from generation import soft_binding
from generation.provenance.manifest_store import STORE_MEDIA_TYPE

TAGS = ["c2pa-soft-binding"]
ASSET_TYPES = ("video/*", "application/octet-stream")


class SoftBindingQueryResult(serializers.Serializer[Any]):
    matches = inline_serializer("SoftBindingMatch", {
        "manifestId": serializers.CharField(help_text="urn:c2pa:<uuid> of a matched manifest; "
                                            "fetch it from /manifests/{manifestId} here."),
        "similarityScore": serializers.IntegerField(min_value=0, max_value=100),
    }, many=True)


class SoftBindingQuery(serializers.Serializer[Any]):
    alg = serializers.CharField(max_length=200)
    value = serializers.CharField(max_length=1000)


class MaxResults(serializers.Serializer[Any]):
    maxResults = serializers.IntegerField(min_value=1, max_value=soft_binding.MAX_RESULTS,  # noqa: N815
                                          default=10)


class ByBindingQuery(SoftBindingQuery, MaxResults):
    pass


class ByContentQuery(MaxResults):
    alg = serializers.CharField(max_length=200, required=False)
    hintAlg = serializers.CharField(max_length=200, required=False)  # noqa: N815
    hintValue = serializers.CharField(max_length=1000, required=False)  # noqa: N815


class ManifestQuery(serializers.Serializer[Any]):
    returnActiveManifest = serializers.BooleanField(default=False)  # noqa: N815


SUPPORTED = inline_serializer("SoftBindingAlgList", {
    "watermarks": inline_serializer("SoftBindingAlg", {"alg": serializers.CharField()},
                                    many=True),
    "fingerprints": inline_serializer("SoftBindingFingerprintAlg",
                                      {"alg": serializers.CharField()}, many=True),
})


class RawAssetParser(BaseParser):
    """The request body is the asset itself (the specification's byContent upload)."""

    media_type = "video/*"

    def parse(self, stream: Any, media_type: str | None = None,
              parser_context: Mapping[str, Any] | None = None) -> Mapping[str, bytes]:
        limit = settings.MAX_UPLOAD_BYTES
        data = stream.read(limit + 1) if stream is not None else b""
        if len(data) > limit:
            raise DomainError("upload.too_large", "The file is too large.", status_code=413)
        return {"asset": bytes(data)}


class OctetStreamParser(RawAssetParser):
    media_type = "application/octet-stream"


class C2paStoreRenderer(BaseRenderer):
    """Lets `Accept: application/c2pa` through negotiation; the store is sent as is."""

    media_type = STORE_MEDIA_TYPE
    format = "c2pa"

    def render(self, data: Any, accepted_media_type: str | None = None,
               renderer_context: Mapping[str, Any] | None = None) -> bytes:
        del accepted_media_type, renderer_context  # the signature DRF calls
        return data if isinstance(data, bytes) else b""


class ResolutionView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_scope = "sbr"

    def finalize_response(self, request: Request, response: Any, *args: Any,
                          **kwargs: Any) -> Any:
        # Errors are JSON in our shape whatever the client accepts.
        if isinstance(response, Response) and response.status_code >= 400:
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = "application/json"
        return super().finalize_response(request, response, *args, **kwargs)


def _matches_body(found: list[soft_binding.Match]) -> dict[str, Any]:
    return {"matches": [{"manifestId": m.manifest_id, "similarityScore": m.similarity_score}
                        for m in found]}


def _valid(serializer_class: type[serializers.Serializer[Any]], data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class MatchesByBindingView(ResolutionView):
    parser_classes = [BoundedJSONParser]

    @extend_schema(tags=TAGS, operation_id="queryByBinding", parameters=[ByBindingQuery],
                   responses=SoftBindingQueryResult,
                   summary="Manifest ids for a soft-binding value (base64 of the watermark).")
    def get(self, request: Request) -> Response:
        query = _valid(ByBindingQuery, request.query_params)
        return Response(_matches_body(soft_binding.matches_by_binding(
            alg=query["alg"], value=query["value"], limit=query["maxResults"])))

    @extend_schema(tags=TAGS, operation_id="queryByLargeBinding", parameters=[MaxResults],
                   request=SoftBindingQuery, responses=SoftBindingQueryResult,
                   summary="Manifest ids for a soft-binding value sent as JSON.")
    def post(self, request: Request) -> Response:
        limit = _valid(MaxResults, request.query_params)["maxResults"]
        body = _valid(SoftBindingQuery, request.data)
        return Response(_matches_body(soft_binding.matches_by_binding(
            alg=body["alg"], value=body["value"], limit=limit)))


class MatchesByContentView(ResolutionView):
    parser_classes = [RawAssetParser, OctetStreamParser]

    @extend_schema(tags=TAGS, operation_id="uploadFile", parameters=[ByContentQuery],
                   request={media: OpenApiTypes.BINARY for media in ASSET_TYPES},
                   responses=SoftBindingQueryResult,
                   summary="Manifest ids for a video: the body is the file; its watermark "
                           "is read (the picture's, else the soundtrack's).")
    def post(self, request: Request) -> Response:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
        if declared > settings.MAX_UPLOAD_BYTES:
            raise DomainError("upload.too_large", "The file is too large.", status_code=413)
        query = _valid(ByContentQuery, request.query_params)
        data = request.data.get("asset") if isinstance(request.data, Mapping) else None
        if not isinstance(data, bytes) or not data:
            raise DomainError(soft_binding.UNREADABLE, "The body must be the video file.")
        found = soft_binding.matches_by_content(data=data, alg=query.get("alg"),
                                                limit=query["maxResults"])
        if not found and query.get("hintAlg") and query.get("hintValue"):
            found = soft_binding.matches_by_binding(alg=query["hintAlg"],
                                                    value=query["hintValue"],
                                                    limit=query["maxResults"])
        return Response(_matches_body(found))


class ManifestView(ResolutionView):
    renderer_classes = [C2paStoreRenderer]  # errors switch to JSON (finalize_response)

    @extend_schema(tags=TAGS, operation_id="getManifestById", parameters=[ManifestQuery],
                   responses={(200, STORE_MEDIA_TYPE): OpenApiTypes.BINARY},
                   summary="The manifest store (application/c2pa). Always the whole store: "
                           "the active manifest and the ingredients' manifests it cites.")
    def get(self, request: Request, manifest_id: str) -> HttpResponse:
        _valid(ManifestQuery, request.query_params)
        store = soft_binding.manifest_store_get(manifest_id=manifest_id)
        return HttpResponse(store, content_type=STORE_MEDIA_TYPE)


class SupportedAlgorithmsView(ResolutionView):
    @extend_schema(tags=TAGS, operation_id="getSupportedBindings", responses=SUPPORTED,
                   summary="The soft-binding algorithms this service resolves.")
    def get(self, request: Request) -> Response:
        return Response({"watermarks": [{"alg": alg} for alg in soft_binding.ALGORITHMS],
                         "fingerprints": []})
