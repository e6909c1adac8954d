from django.contrib import admin
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularSwaggerView

from core.errors import json_not_found
from core.health import healthz
from core.openapi import SchemaView

api_v1 = [
    path("", include("accounts.api.urls")),
    path("", include("events.api.urls")),
    path("", include("billing.api.urls")),
    path("", include("moderation.api.urls")),
    path("", include("generation.api.urls")),
    path("", include("feed.api.urls")),
    path("", include("cameo.api.urls")),
    path("", include("apikeys.api.urls")),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/schema/", SchemaView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("api/v1/", include(api_v1)),
    # The OpenAI-compatible door: OpenAI's objects and errors onto the same services.
    path("v1/", include("openai_api.urls")),
    path("admin/", admin.site.urls),
    path("console/", include("moderation.console.urls")),
    # C2PA's Soft Binding Resolution API: a stripped copy's watermark gets its manifest back.
    path("c2pa/sbr/v1/", include("generation.api.sbr_urls")),
    path("", include("generation.page_urls")),
    # Unknown API paths answer in the API's error shape whatever DEBUG says, whatever the
    # method: the API authenticates by bearer token, so no CSRF page for a POST either.
    re_path(r"^api/", csrf_exempt(json_not_found)),
]

handler400 = "core.errors.json_bad_request"
handler404 = "core.errors.json_not_found"
handler500 = "core.errors.json_server_error"
