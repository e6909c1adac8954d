"""Managing API keys: only with the app's own login (a key cannot mint or revoke keys)."""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.facade import request_user
from apikeys import selectors, services
from apikeys.models import ApiKey
from core.api import DeleteNoContentView, validated

from .serializers import ApiKeyCreatedOut, ApiKeyCreateIn, ApiKeyOut, ApiKeyRenameIn


class ApiKeyListCreateView(generics.ListAPIView[ApiKey]):
    serializer_class = ApiKeyOut

    def get_queryset(self) -> QuerySet[ApiKey]:
        return selectors.api_keys_of_owner(user=request_user(self.request))

    @extend_schema(request=ApiKeyCreateIn, responses={201: ApiKeyCreatedOut})
    def post(self, request: Request) -> Response:
        data = validated(ApiKeyCreateIn, request.data)
        created = services.api_key_create(user=request_user(request), **data)
        body = {**ApiKeyOut(created.key).data, "key": created.secret}
        return Response(body, status=status.HTTP_201_CREATED)


class ApiKeyDetailView(DeleteNoContentView):
    on_delete = staticmethod(services.api_key_revoke)

    @extend_schema(request=ApiKeyRenameIn, responses=ApiKeyOut)
    def patch(self, request: Request, key_id: int) -> Response:
        data = validated(ApiKeyRenameIn, request.data)
        key = services.api_key_rename(user=request_user(request), key_id=key_id,
                                      name=data["name"])
        return Response(ApiKeyOut(key).data)
