from django.urls import path, re_path

from . import views
from .errors import openai_not_found

urlpatterns = [
    path("videos", views.VideosView.as_view(), name="openai-videos"),
    path("videos/<str:video_id>", views.VideoView.as_view(), name="openai-video"),
    path("videos/<str:video_id>/remix", views.VideoRemixView.as_view(),
         name="openai-video-remix"),
    path("videos/<str:video_id>/content", views.VideoContentView.as_view(),
         name="openai-video-content"),
    path("models", views.ModelsView.as_view(), name="openai-models"),
    path("models/<str:model_id>", views.ModelView.as_view(), name="openai-model"),
    re_path(r"^", openai_not_found),
]
