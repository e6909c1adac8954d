from django.urls import path, re_path

from . import characters, files, views, webhook_views
from .errors import openai_not_found

urlpatterns = [
    path("videos", views.VideosView.as_view(), name="openai-videos"),
    path("videos/extensions", views.VideoExtensionsView.as_view(),
         name="openai-video-extensions"),
    path("videos/edits", views.VideoEditsView.as_view(), name="openai-video-edits"),
    path("videos/characters", characters.CharactersView.as_view(),
         name="openai-video-characters"),
    path("videos/characters/<str:character_id>", characters.CharacterView.as_view(),
         name="openai-video-character"),
    path("videos/<str:video_id>", views.VideoView.as_view(), name="openai-video"),
    path("videos/<str:video_id>/remix", views.VideoRemixView.as_view(),
         name="openai-video-remix"),
    path("videos/<str:video_id>/content", views.VideoContentView.as_view(),
         name="openai-video-content"),
    path("models", views.ModelsView.as_view(), name="openai-models"),
    path("models/<str:model_id>", views.ModelView.as_view(), name="openai-model"),
    path("webhook_endpoints", webhook_views.EndpointsView.as_view(),
         name="openai-webhook-endpoints"),
    path("webhook_endpoints/<str:endpoint_id>", webhook_views.EndpointView.as_view(),
         name="openai-webhook-endpoint"),
    path("webhook_endpoints/<str:endpoint_id>/rotate_secret",
         webhook_views.EndpointRotateView.as_view(), name="openai-webhook-endpoint-rotate"),
    path("webhook_endpoints/<str:endpoint_id>/test", webhook_views.EndpointTestView.as_view(),
         name="openai-webhook-endpoint-test"),
    path("files", files.FilesView.as_view(), name="openai-files"),
    path("files/<str:file_id>", files.FileView.as_view(), name="openai-file"),
    path("files/<str:file_id>/content", files.FileContentView.as_view(),
         name="openai-file-content"),
    re_path(r"^", openai_not_found),
]
