"""The public /verify page: drop a file, read in plain words where it comes from. The page is
static; its script posts the file to the verify API (open, rate-limited, size-limited)."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def verify_page(request: HttpRequest) -> HttpResponse:
    return render(request, "generation/verify.html",
                  {"max_upload_bytes": settings.MAX_UPLOAD_BYTES,
                   "max_upload_mb": settings.MAX_UPLOAD_BYTES // (1024 * 1024)})
