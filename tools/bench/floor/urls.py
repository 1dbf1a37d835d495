from django.http import JsonResponse
from django.urls import path


def constant(request):
    return JsonResponse({"version": "0.1.0"})


urlpatterns = [path("floor", constant)]
