from django.apps import AppConfig


class CameoConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cameo"

    def ready(self) -> None:
        from django.conf import settings

        from accounts.facade import account_erasure_hook_register
        from core.periodic import periodic_task_register
        from generation.facade import casting_provider_register, view_rule_register
        from moderation.facade import likeness_check_register, target_register

        from . import moderation_targets
        from .casting import CameoCasting
        from .likeness import output_likeness_check
        from .selectors import uses_likeness_of
        from .services import cameo_erase_for_account

        casting_provider_register(CameoCasting())
        # A cameo owner may view every video that uses their likeness, drafts included.
        view_rule_register(lambda user_id, video: uses_likeness_of(user_id, video.id))
        likeness_check_register(output_likeness_check)
        target_register("cameo_use", owner_of=moderation_targets.cameo_use_owner,
                        enforce=moderation_targets.cameo_use_enforce,
                        describe=moderation_targets.cameo_use_describe,
                        visible_to=moderation_targets.cameo_use_visible_to)
        account_erasure_hook_register(cameo_erase_for_account)
        periodic_task_register(name="cameo-expire-approvals", task="cameo.tasks.expire_approvals",
                               every_s=settings.CAMEO_APPROVAL_SWEEP_S)
