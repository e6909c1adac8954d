from django.apps import AppConfig


class FeedConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "feed"

    def ready(self) -> None:
        from accounts.facade import account_erasure_hook_register
        from generation.facade import (
            extend_rule_register,
            remix_rule_register,
            shown_changed_hook_register,
            view_rule_register,
        )
        from moderation.facade import target_register

        from . import moderation_targets
        from .access import video_extend_rule, video_remix_rule, video_view_rule
        from .services import posts_erase_for_account
        from .services.publishing import video_shown_changed

        view_rule_register(video_view_rule)
        remix_rule_register(video_remix_rule)
        extend_rule_register(video_extend_rule)
        shown_changed_hook_register(video_shown_changed)
        account_erasure_hook_register(posts_erase_for_account)
        target_register("comment", owner_of=moderation_targets.comment_owner,
                        enforce=moderation_targets.comment_enforce,
                        describe=moderation_targets.comment_describe,
                        visible_to=moderation_targets.comment_visible_to)
