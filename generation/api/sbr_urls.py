"""C2PA Soft Binding Resolution API paths, as its specification names them."""

from django.urls import path

from . import sbr_views

urlpatterns = [
    path("matches/byBinding", sbr_views.MatchesByBindingView.as_view(), name="sbr-by-binding"),
    path("matches/byContent", sbr_views.MatchesByContentView.as_view(), name="sbr-by-content"),
    path("manifests/<str:manifest_id>", sbr_views.ManifestView.as_view(), name="sbr-manifest"),
    path("services/supportedAlgorithms", sbr_views.SupportedAlgorithmsView.as_view(),
         name="sbr-supported-algorithms"),
]
