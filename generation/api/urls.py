from django.urls import include, path

from . import provenance_views, views

urlpatterns = [
    path("videos", views.VideoListCreateView.as_view(), name="videos"),
    path("videos/styles", views.PresetListView.as_view(), name="video-styles"),
    path("videos/<uuid:video_id>", views.VideoDetailView.as_view(), name="video"),
    path("videos/<uuid:video_id>/cancel", views.VideoCancelView.as_view(), name="video-cancel"),
    path("videos/<uuid:video_id>/remix", views.VideoRemixView.as_view(), name="video-remix"),
    path("videos/<uuid:video_id>/extend", views.VideoExtendView.as_view(),
         name="video-extend"),
    path("videos/<uuid:video_id>/content", views.VideoContentView.as_view(),
         name="video-content"),
    path("provenance/verify", provenance_views.ProvenanceVerifyView.as_view(),
         name="provenance-verify"),
    path("", include("generation.storyboards.api.urls")),
]
