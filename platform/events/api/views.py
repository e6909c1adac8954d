from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.facade import request_user
from events.models import Notification
from events.selectors import notifications_list
from events.services import notifications_mark_read

from .serializers import MarkReadIn, MarkReadOut, NotificationOut


@extend_schema(parameters=[OpenApiParameter("unread", bool, required=False)])
class NotificationListView(generics.ListAPIView[Notification]):
    serializer_class = NotificationOut

    def get_queryset(self):  # type: ignore[no-untyped-def]
        unread = self.request.query_params.get("unread") in {"1", "true"}
        return notifications_list(user_id=request_user(self.request).pk, unread_only=unread)


class NotificationMarkReadView(APIView):
    @extend_schema(request=MarkReadIn, responses=MarkReadOut)
    def post(self, request: Request) -> Response:
        data = MarkReadIn(data=request.data)
        data.is_valid(raise_exception=True)
        marked = notifications_mark_read(user_id=request_user(request).pk,
                                         ids=data.validated_data.get("ids"),
                                         up_to_id=data.validated_data.get("up_to_id"))
        return Response({"marked": marked})
