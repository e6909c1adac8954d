from django.apps import AppConfig


class GenerationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "generation"

    def ready(self) -> None:
        from django.conf import settings

        from accounts.facade import user_id_is_moderator
        from core.periodic import periodic_task_register
        from core.setup_hooks import setup_hook_register
        from moderation.facade import target_register

        from . import moderation_targets
        from .access import view_rule_register

        def create_dev_signing_credentials() -> str:
            from .postprocess import dev_credentials, signing_credentials

            signing_credentials()
            return f"C2PA trust anchor: {dev_credentials().ca_cert}"

        setup_hook_register(create_dev_signing_credentials)
        target_register("video", owner_of=moderation_targets.video_owner,
                        enforce=moderation_targets.video_enforce,
                        describe=moderation_targets.video_describe,
                        visible_to=moderation_targets.video_visible_to)
        # Moderators review any video, drafts included.
        view_rule_register(lambda user_id, video: user_id_is_moderator(user_id))
        periodic_task_register(name="reap-stale-videos",
                               task="generation.tasks.reap_stale_videos",
                               every_s=settings.GENERATION_REAP_INTERVAL_S)
