from django.urls import path

from . import views

urlpatterns = [
    path("api-keys", views.ApiKeyListCreateView.as_view(), name="api-keys"),
    path("api-keys/<id:key_id>", views.ApiKeyDetailView.as_view(), name="api-key"),
]
