"""Feed writes, one module per concern; views import the functions from here."""

from .engagement import (
    comment_create,
    comment_delete,
    like_add,
    like_remove,
    share_record,
    view_record,
)
from .pages import chronological_page, for_you_page
from .preferences import (
    creator_hide,
    creator_unhide,
    not_interested_mark,
    steering_remove,
    steering_set,
)
from .publishing import post_publish, post_unpublish, posts_erase_for_account
from .stories import branch_arrange, canonical_path_set, choice_label_set, choice_record

__all__ = [
    "branch_arrange",
    "canonical_path_set",
    "choice_label_set",
    "choice_record",
    "chronological_page",
    "comment_create",
    "comment_delete",
    "creator_hide",
    "creator_unhide",
    "for_you_page",
    "like_add",
    "like_remove",
    "not_interested_mark",
    "post_publish",
    "post_unpublish",
    "posts_erase_for_account",
    "share_record",
    "steering_remove",
    "steering_set",
    "view_record",
]
