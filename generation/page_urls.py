"""The public web pages of generation (no login): the verify page."""

from django.urls import path

from .pages import verify_page

urlpatterns = [
    path("verify", verify_page, name="verify-page"),
]
