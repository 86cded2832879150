# Placeholder API: replaced by the real one.
from rest_framework.response import Response
from rest_framework.views import APIView

from secretariat.core.access import PublicReadOnly


class StateListApi(APIView):
    permission_classes = [PublicReadOnly]
    access_policy = "public"

    def get(self, request):
        return Response([])


class StateDetailApi(APIView):
    permission_classes = [PublicReadOnly]
    access_policy = "public"

    def get(self, request, iso3):
        return Response({})
