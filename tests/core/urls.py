"""The real URLs plus test-only views that exercise the shared §1 machinery."""

from datetime import UTC, datetime

from django.contrib.auth import get_user_model
from django.urls import path
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from config.urls import urlpatterns as real_urlpatterns
from core.routing import route


class UserRow(serializers.ModelSerializer):
    class Meta:
        model = get_user_model()
        fields = ["id", "username", "email", "date_joined"]


class UserList(generics.ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = UserRow
    queryset = get_user_model().objects.all()


class Stamp(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        return Response(
            {
                "at": serializers.DateTimeField().to_representation(datetime(2026, 11, 22, 12, 34, 56, tzinfo=UTC)),
                "extra": 1,
            }
        )


class Boom(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        raise RuntimeError("a bug")


def plain_boom(request):
    raise RuntimeError("a bug in a plain Django view")


urlpatterns = [
    route("api/v1/test-users", UserList.as_view(), "test-users"),
    route("api/v1/test-stamp", Stamp.as_view(), "test-stamp"),
    route("api/v1/test-boom", Boom.as_view(), "test-boom"),
    path("api/v1/test-plain-boom", plain_boom),
    *real_urlpatterns,
]
