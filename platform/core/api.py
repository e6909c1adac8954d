"""Small helpers every API view uses."""

from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from django.db.models import Model, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

from accounts.facade import request_user

RowT = TypeVar("RowT", bound=Model)


def validated(serializer_class: type[BaseSerializer[Any]], data: Any) -> dict[str, Any]:
    """Validate input with an explicit input serializer; errors become 400 validation_error."""
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


# The views below do one thing to what their URL names (hide a creator, delete a comment): a
# service called with the request's user, under `user_keyword`, and the URL's arguments by
# name. Comments rather than docstrings: the OpenAPI schema takes a view's description from
# the nearest class docstring, and these bases must add none to their subclasses' operations.

class PostNoContentView(APIView):
    # POST calls `on_post` and answers 204 No Content.
    on_post: ClassVar[Callable[..., object]]
    user_keyword: ClassVar[str] = "user"

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request, **kwargs: Any) -> Response:
        type(self).on_post(**{self.user_keyword: request_user(request)}, **kwargs)
        return Response(status=status.HTTP_204_NO_CONTENT)


class DeleteNoContentView(APIView):
    # DELETE calls `on_delete` and answers 204 No Content.
    on_delete: ClassVar[Callable[..., object]]
    user_keyword: ClassVar[str] = "user"

    @extend_schema(responses={204: None})
    def delete(self, request: Request, **kwargs: Any) -> Response:
        type(self).on_delete(**{self.user_keyword: request_user(request)}, **kwargs)
        return Response(status=status.HTTP_204_NO_CONTENT)


class OwnRowsView(generics.ListAPIView[RowT]):
    # A paged list of the request's user's own rows: `rows(user=...)`, shaped by
    # serializer_class.
    rows: ClassVar[Callable[..., QuerySet[Any]]]

    def get_queryset(self) -> QuerySet[RowT]:
        return type(self).rows(user=request_user(self.request))
