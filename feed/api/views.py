"""Feed endpoints: each view validates input, calls one service or selector, shapes output."""

from collections.abc import Callable
from typing import Any, ClassVar
from uuid import UUID

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from accounts.facade import request_user
from core.api import DeleteNoContentView, PostNoContentView, validated
from core.errors import NotFoundError

from .. import services
from ..models import Comment, SteeringTerm
from ..selectors import comments as comment_selectors
from ..selectors import lists
from ..selectors.pages import liked_post_ids
from ..selectors.stories import StoryTree, choices_taken, story_tree
from ..selectors.visibility import post_get_visible
from ..services.pages import Page
from ..services.publishing import PostSettings
from . import serializers as s


def _page_response(request: Request, page: Page) -> Response:
    next_url = (replace_query_param(request.build_absolute_uri(), "cursor", page.next_cursor)
                if page.next_cursor else None)
    handles = s.chain_handles(page.posts)
    results = [s.post_out(row, handles) for row in page.posts]
    return Response({"results": results, "next": next_url, "next_cursor": page.next_cursor})


class ChronologicalView(APIView):
    """A newest-first list of posts, paged by an id keyset."""

    # Which posts the list shows: called with the viewer and the URL's arguments by name.
    posts_of: ClassVar[Callable[..., lists.PostList]]

    @extend_schema(parameters=[s.PageIn], responses=s.PostPageOut)
    def get(self, request: Request, **kwargs: Any) -> Response:
        query = validated(s.PageIn, request.query_params)
        viewer = request_user(request)
        page = services.chronological_page(viewer=viewer,
                                           posts=type(self).posts_of(viewer=viewer, **kwargs),
                                           cursor=query.get("cursor"),
                                           page_size=query.get("page_size"))
        return _page_response(request, page)


class FollowingFeedView(ChronologicalView):
    posts_of = staticmethod(lists.following_posts)


class UserPostsView(ChronologicalView):
    posts_of = staticmethod(lists.user_posts)


class AppearancesView(ChronologicalView):
    posts_of = staticmethod(lists.appearance_posts)


class HashtagPostsView(ChronologicalView):
    posts_of = staticmethod(lists.hashtag_posts)


class RemixesView(ChronologicalView):
    posts_of = staticmethod(lists.remix_posts)


class ForYouFeedView(APIView):
    @extend_schema(parameters=[s.PageIn], responses=s.PostPageOut)
    def get(self, request: Request) -> Response:
        query = validated(s.PageIn, request.query_params)
        page = services.for_you_page(viewer=request_user(request), cursor=query.get("cursor"),
                                     page_size=query.get("page_size"))
        return _page_response(request, page)


def _post_out(request: Request, video_id: UUID) -> Response:
    user = request_user(request)
    post = post_get_visible(viewer=user, video_id=video_id, with_story=True)
    return Response(s.PostOut(post, context={
        "liked_ids": liked_post_ids(viewer_id=user.pk, posts=[post])}).data)


class PublishView(DeleteNoContentView):
    throttle_scope = "social"
    on_delete = staticmethod(services.post_unpublish)

    @extend_schema(request=s.PublishIn, responses={201: s.PostOut, 200: s.PostOut})
    def post(self, request: Request, video_id: UUID) -> Response:
        data = validated(s.PublishIn, request.data)
        post, created = services.post_publish(user=request_user(request), video_id=video_id,
                                              settings=PostSettings(**data))
        response = _post_out(request, post.video_id)
        response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return response


class PostDetailView(APIView):
    @extend_schema(responses=s.PostOut)
    def get(self, request: Request, video_id: UUID) -> Response:
        return _post_out(request, video_id)


class LikeView(APIView):
    throttle_scope = "social"

    @extend_schema(request=None, responses=s.PostOut)
    def post(self, request: Request, video_id: UUID) -> Response:
        services.like_add(user=request_user(request), video_id=video_id)
        return _post_out(request, video_id)

    # DELETE documents 204 unless told: this one answers the post as it now is.
    @extend_schema(responses={200: s.PostOut})
    def delete(self, request: Request, video_id: UUID) -> Response:
        services.like_remove(user=request_user(request), video_id=video_id)
        return _post_out(request, video_id)


class CommentListCreateView(generics.ListAPIView[Comment]):
    serializer_class = s.CommentOut
    throttle_scope = "social"

    def get_queryset(self) -> QuerySet[Comment]:
        query = validated(s.CommentListIn, self.request.query_params)
        return comment_selectors.comments_list(viewer=request_user(self.request),
                                               video_id=self.kwargs["video_id"],
                                               parent_id=query.get("parent_id"))

    @extend_schema(request=s.CommentIn, responses={201: s.CommentOut})
    def post(self, request: Request, video_id: UUID) -> Response:
        data = validated(s.CommentIn, request.data)
        comment = services.comment_create(user=request_user(request), video_id=video_id,
                                          **data)
        return Response(s.CommentOut(comment).data, status=status.HTTP_201_CREATED)


class CommentDeleteView(DeleteNoContentView):
    on_delete = staticmethod(services.comment_delete)


class ViewRecordView(APIView):
    @extend_schema(request=None, responses=s.ViewOut)
    def post(self, request: Request, video_id: UUID) -> Response:
        counted = services.view_record(user=request_user(request), video_id=video_id)
        return Response({"counted": counted})


class ShareView(APIView):
    throttle_scope = "social"

    @extend_schema(request=s.ShareIn, responses=s.PostOut)
    def post(self, request: Request, video_id: UUID) -> Response:
        data = validated(s.ShareIn, request.data)
        services.share_record(user=request_user(request), video_id=video_id, **data)
        return _post_out(request, video_id)


class NotInterestedView(PostNoContentView):
    on_post = staticmethod(services.not_interested_mark)


class HideCreatorView(PostNoContentView, DeleteNoContentView):
    on_post = staticmethod(services.creator_hide)
    on_delete = staticmethod(services.creator_unhide)


class SteeringListView(generics.ListAPIView[SteeringTerm]):
    serializer_class = s.SteeringOut
    pagination_class = None

    def get_queryset(self) -> QuerySet[SteeringTerm]:
        return comment_selectors.steering_list(user=request_user(self.request))

    @extend_schema(request=s.SteeringIn, responses=s.SteeringOut)
    def put(self, request: Request) -> Response:
        data = validated(s.SteeringIn, request.data)
        row = services.steering_set(user=request_user(request), **data)
        return Response(s.SteeringOut(row).data)


class SteeringDeleteView(DeleteNoContentView):
    on_delete = staticmethod(services.steering_remove)


def _story_response(request: Request, tree: StoryTree) -> Response:
    return Response(s.story_out(tree, viewer_id=request_user(request).pk))


class StoryView(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, video_id: UUID) -> Response:
        """The story this video belongs to, from its root, as the viewer may see it."""
        return _story_response(request, story_tree(viewer=request_user(request),
                                                   video_id=video_id))


class StoryCanonicalPathView(APIView):
    @extend_schema(request=s.CanonicalPathIn, responses=OpenApiTypes.OBJECT)
    def put(self, request: Request, video_id: UUID) -> Response:
        data = validated(s.CanonicalPathIn, request.data)
        return _story_response(request, services.canonical_path_set(
            user=request_user(request), video_id=video_id, path=data["path"]))


class StoryBranchView(APIView):
    @extend_schema(request=s.BranchArrangeIn, responses=OpenApiTypes.OBJECT)
    def put(self, request: Request, video_id: UUID, branch_id: UUID) -> Response:
        data = validated(s.BranchArrangeIn, request.data)
        return _story_response(request, services.branch_arrange(
            user=request_user(request), video_id=video_id, branch_id=branch_id,
            pinned=data.get("pinned"), hidden=data.get("hidden")))


class StoryLabelView(APIView):
    throttle_scope = "social"

    @extend_schema(request=s.ChoiceLabelIn, responses=s.PostOut)
    def put(self, request: Request, video_id: UUID) -> Response:
        data = validated(s.ChoiceLabelIn, request.data)
        services.choice_label_set(user=request_user(request), video_id=video_id,
                                  label=data["choice_label"])
        return _post_out(request, video_id)


class StoryPlaybackView(APIView):
    @extend_schema(parameters=[s.PlaybackIn], responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, video_id: UUID) -> Response:
        query = validated(s.PlaybackIn, request.query_params)
        tree = story_tree(viewer=request_user(request), video_id=video_id)
        node = tree.by_id.get(query.get("from") or tree.root.id)
        if node is None:
            raise NotFoundError("stories.node_not_found", "No such node in this story.")
        return Response(s.playback_out(tree, node, choices_taken(node_id=node.id)))


class StoryChoiceView(APIView):
    throttle_scope = "social"

    @extend_schema(request=s.ChoiceIn, responses=s.ChoiceOut)
    def post(self, request: Request, video_id: UUID) -> Response:
        data = validated(s.ChoiceIn, request.data)
        row, counted = services.choice_record(user=request_user(request), video_id=video_id,
                                              node_id=data["node"], choice_id=data["choice"])
        return Response({"counted": counted, "choice": str(row.choice_id)})
