"""/v1/webhook_endpoints as the SDK's `client.webhooks` resource manages them."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.facade import request_user
from core.api import validated

from . import webhook_services as services
from .models import WebhookEndpoint
from .views import MAX_LIST_LIMIT, OpenAIView
from .webhook_signing import secret_hint

TAGS = ["v1 (OpenAI-compatible)"]


class WebhookEndpointIn(serializers.Serializer[None]):
    name = serializers.CharField(max_length=100)
    url = serializers.URLField(max_length=2000)
    event_types = serializers.ListField(child=serializers.CharField(max_length=40),
                                        max_length=10)


class WebhookEndpointUpdateIn(serializers.Serializer[None]):
    name = serializers.CharField(max_length=100, required=False)
    url = serializers.URLField(max_length=2000, required=False)
    event_types = serializers.ListField(child=serializers.CharField(max_length=40),
                                        max_length=10, required=False)


class WebhookRotateIn(serializers.Serializer[None]):
    keep_old_secret_active_for_24_hours = serializers.BooleanField(required=False,
                                                                   default=False)


class WebhookTestIn(serializers.Serializer[None]):
    event_type = serializers.CharField(max_length=40)


class WebhookEndpointListIn(serializers.Serializer[None]):
    after = serializers.CharField(max_length=40, required=False, allow_null=True)
    limit = serializers.IntegerField(min_value=1, max_value=MAX_LIST_LIMIT, required=False,
                                     default=20)


def endpoint_object(endpoint: WebhookEndpoint, *, with_secret: bool = False
                    ) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": endpoint.public_id, "object": "webhook_endpoint", "name": endpoint.name,
        "url": endpoint.url, "event_types": endpoint.event_types,
        "created_at": int(endpoint.created_at.timestamp()),
        "updated_at": int(endpoint.updated_at.timestamp()),
        "signing_secret_hint": secret_hint(endpoint.secret)}
    if with_secret:
        body["signing_secret"] = endpoint.secret
    return body


class EndpointsView(OpenAIView):
    @extend_schema(operation_id="openai_webhook_endpoints_list", parameters=[WebhookEndpointListIn],
                   responses=dict, tags=TAGS)
    def get(self, request: Request) -> Response:
        data = validated(WebhookEndpointListIn, request.query_params)
        rows = WebhookEndpoint.objects.filter(owner=request_user(request),
                                              deleted_at__isnull=True).order_by("id")
        if data.get("after"):
            anchor = rows.filter(public_id=data["after"]).values_list("id", flat=True).first()
            rows = rows.filter(id__gt=anchor or 0)
        page = list(rows[:data["limit"] + 1])
        return Response({"object": "list",
                         "data": [endpoint_object(e) for e in page[:data["limit"]]],
                         "has_more": len(page) > data["limit"]})

    @extend_schema(operation_id="openai_webhook_endpoints_create", request=WebhookEndpointIn,
                   responses=dict, tags=TAGS)
    def post(self, request: Request) -> Response:
        data = validated(WebhookEndpointIn, request.data)
        endpoint = services.endpoint_create(user=request_user(request), **data)
        return Response(endpoint_object(endpoint, with_secret=True))


class EndpointView(OpenAIView):
    @extend_schema(operation_id="openai_webhook_endpoints_retrieve", responses=dict, tags=TAGS)
    def get(self, request: Request, endpoint_id: str) -> Response:
        endpoint = services.endpoint_get(user=request_user(request), public_id=endpoint_id)
        return Response(endpoint_object(endpoint))

    @extend_schema(operation_id="openai_webhook_endpoints_update", request=WebhookEndpointUpdateIn,
                   responses=dict, tags=TAGS)
    def post(self, request: Request, endpoint_id: str) -> Response:
        data = validated(WebhookEndpointUpdateIn, request.data)
        endpoint = services.endpoint_update(user=request_user(request), public_id=endpoint_id,
                                            **data)
        return Response(endpoint_object(endpoint))

    @extend_schema(operation_id="openai_webhook_endpoints_delete", responses={200: dict}, tags=TAGS)
    def delete(self, request: Request, endpoint_id: str) -> Response:
        services.endpoint_delete(user=request_user(request), public_id=endpoint_id)
        return Response({"id": endpoint_id, "object": "webhook_endpoint.deleted",
                         "deleted": True})


class EndpointRotateView(OpenAIView):
    @extend_schema(operation_id="openai_webhook_endpoints_rotate_secret", request=WebhookRotateIn,
                   responses=dict, tags=TAGS)
    def post(self, request: Request, endpoint_id: str) -> Response:
        data = validated(WebhookRotateIn, request.data)
        endpoint = services.endpoint_rotate_secret(
            user=request_user(request), public_id=endpoint_id,
            keep_old_for_24h=data["keep_old_secret_active_for_24_hours"])
        return Response(endpoint_object(endpoint, with_secret=True))


class EndpointTestView(OpenAIView):
    @extend_schema(operation_id="openai_webhook_endpoints_test", request=WebhookTestIn,
                   responses=dict, tags=TAGS)
    def post(self, request: Request, endpoint_id: str) -> Response:
        data = validated(WebhookTestIn, request.data)
        code = services.endpoint_test(user=request_user(request), public_id=endpoint_id,
                                      event_type=data["event_type"])
        return Response({"object": "webhook_endpoint.test", "event_type": data["event_type"],
                         "status_code": code, "success": True,
                         "webhook_endpoint_id": endpoint_id})
