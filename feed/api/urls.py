from django.urls import path

from . import views

urlpatterns = [
    path("feed/following", views.FollowingFeedView.as_view(), name="feed-following"),
    path("feed/for-you", views.ForYouFeedView.as_view(), name="feed-for-you"),
    path("feed/steering", views.SteeringListView.as_view(), name="feed-steering"),
    path("feed/steering/<str:term>", views.SteeringDeleteView.as_view(),
         name="feed-steering-term"),
    path("videos/<uuid:video_id>/publish", views.PublishView.as_view(), name="post-publish"),
    path("videos/<uuid:video_id>/post", views.PostDetailView.as_view(), name="post"),
    path("videos/<uuid:video_id>/remixes", views.RemixesView.as_view(), name="post-remixes"),
    path("videos/<uuid:video_id>/like", views.LikeView.as_view(), name="post-like"),
    path("videos/<uuid:video_id>/comments", views.CommentListCreateView.as_view(),
         name="post-comments"),
    path("videos/<uuid:video_id>/comments/<id:comment_id>", views.CommentDeleteView.as_view(),
         name="post-comment"),
    path("videos/<uuid:video_id>/view", views.ViewRecordView.as_view(), name="post-view"),
    path("videos/<uuid:video_id>/share", views.ShareView.as_view(), name="post-share"),
    path("videos/<uuid:video_id>/not-interested", views.NotInterestedView.as_view(),
         name="post-not-interested"),
    path("users/<str:handle>/posts", views.UserPostsView.as_view(), name="user-posts"),
    path("users/<str:handle>/appearances", views.AppearancesView.as_view(),
         name="user-appearances"),
    path("users/<str:handle>/hide", views.HideCreatorView.as_view(), name="user-hide"),
    path("hashtags/<str:tag>/posts", views.HashtagPostsView.as_view(), name="hashtag-posts"),
]
