"""The casting provider generation calls: consent + receipts at submit, the fence while the
job runs, and the reference frames that condition generation."""

import re
from uuid import UUID, uuid4

import numpy as np
import numpy.typing as npt
from django.utils import timezone

from accounts.facade import User, user_get
from core.errors import DomainError
from generation import facade as generation
from generation.facade import CastMember, FenceVerdict
from moderation.facade import ReasonCode, owner_rule_terms, prompt_check

from . import events, vault
from .approvals import approval_request, job_fence_on_approvals
from .characters import character_cast, character_fence, character_frames
from .consent_log import consent_log_append, sha256_of
from .models import Cameo, Receipt
from .selectors import cast_refusal

RECEIPT_VERSION = 1
# "no political content" → "political": a restriction names what it forbids.
_NEGATION = re.compile(r"^(?:no|not|never|nothing|avoid|without|don't|do not)\s+", re.I)
_GENERIC = re.compile(r"\s+(?:content|stuff|themes?|scenes?|videos?|jokes?|references?)$",
                      re.I)


def rule_phrases(rules: list[str]) -> list[str]:
    phrases = [_GENERIC.sub("", _NEGATION.sub("", rule.strip())).strip() for rule in rules]
    return [phrase for phrase in phrases if phrase]


def _check_owner_rules(cameo: Cameo, requester: User, prompts: list[str]) -> None:
    terms = owner_rule_terms(rule_phrases(cameo.rules), rule_id=f"cameo:{cameo.pk}")
    if not terms:
        return
    for text in prompts:
        decision = prompt_check(text=text, teen=requester.is_teen, extra_rules=terms)
        if ReasonCode.OWNER_RULE in decision.codes:
            # Never the rule's words: the requester only learns that a rule applied.
            raise DomainError("cameo.owner_rule",
                              f"A rule set by @{cameo.owner.handle} does not allow this video.",
                              status_code=422, fields={"cameos": [cameo.owner.handle]})


def receipt_issue(*, cameo: Cameo, requester: User, video_id: UUID, basis: str) -> Receipt:
    receipt_id = uuid4()
    body = {"v": RECEIPT_VERSION, "receipt_id": str(receipt_id), "owner_id": cameo.owner_id,
            "owner_handle": cameo.owner.handle, "requester_id": requester.pk,
            "video_id": str(video_id), "policy_version": cameo.policy_version,
            "basis": basis, "issued_at": timezone.now().isoformat()}
    return Receipt.objects.create(id=receipt_id, owner_id=cameo.owner_id, requester=requester,
                                  video_id=video_id, body=body, sha256=sha256_of(body))


class CameoCasting:
    """Registered with generation.facade.casting_provider_register (CameoConfig.ready)."""

    def cast(self, *, requester_id: int, video_id: UUID, handles: list[str], prompt: str
             ) -> list[CastMember]:
        if not handles:
            return []
        requester = user_get(user_id=requester_id)
        if requester is None:
            raise DomainError("not_found", "No such account.", status_code=404)
        prompts = generation.video_prompts(video_id=video_id)
        members = []
        pending = list(handles)
        for handle in pending:
            character = character_cast(requester=requester, video_id=video_id, mention=handle)
            if character is not None:
                members.append(character.member)
                if character.owner_handle and character.owner_handle not in pending:
                    pending.append(character.owner_handle)  # their face: their consent
                continue
            # Locked until the job commits: a concurrent revocation sees this receipt.
            cameo = (Cameo.objects.select_for_update(of=("self",)).select_related("owner")
                     .filter(owner__handle__iexact=handle, owner__is_active=True).first())
            if cameo is None or cast_refusal(cameo=cameo, requester=requester):
                raise DomainError("cameo.not_allowed",
                                  f"You cannot use @{handle}'s cameo.", status_code=403,
                                  fields={"cameos": [handle]})
            own = cameo.owner_id == requester.pk
            if not own:
                _check_owner_rules(cameo, requester, prompts)
            ask = cameo.ask_every_time and not own
            receipt = receipt_issue(cameo=cameo, requester=requester, video_id=video_id,
                                    basis="owner" if own else "approval" if ask else "audience")
            consent_log_append(owner_id=cameo.owner_id, kind="used", actor_id=requester.pk,
                               data={"receipt_id": str(receipt.pk), "video_id": str(video_id),
                                     "receipt_sha256": receipt.sha256})
            if ask:
                approval_request(receipt=receipt)
            elif not own:
                events.used_publish(receipt)
            members.append(CastMember(handle=cameo.owner.handle, user_id=cameo.owner_id,
                                      receipt_id=str(receipt.pk), receipt_sha256=receipt.sha256,
                                      preferences=cameo.preferences))
        return members

    def fence(self, *, video_id: UUID) -> FenceVerdict:
        gone = character_fence(video_id=video_id)
        if gone:
            return FenceVerdict.broken(gone)
        receipts = Receipt.objects.filter(video_id=video_id).select_related("requester")
        for receipt in receipts:
            if receipt.revoked_at is not None:
                return FenceVerdict.broken(receipt.revoke_reason or "cameo.consent_revoked")
            cameo = Cameo.objects.select_related("owner").filter(
                owner_id=receipt.owner_id).first()
            # Re-checked live: an allow-list entry may have expired since the job was made.
            if cameo is None or cast_refusal(cameo=cameo, requester=receipt.requester):
                return FenceVerdict.broken("cameo.consent_revoked")
        return job_fence_on_approvals(video_id=video_id) if receipts else generation.FENCE_HOLDS

    def reference_frames(self, *, video_id: UUID) -> list[npt.NDArray[np.uint8]]:
        """Each cast person's frontal frame first, then their other views."""
        frames: list[list[npt.NDArray[np.uint8]]] = []
        for receipt in Receipt.objects.filter(video_id=video_id).order_by("created_at"):
            cameo = Cameo.objects.filter(owner_id=receipt.owner_id).first()
            if cameo is None:
                continue
            frames.append([vault.jpeg_to_rgb(vault.read_sealed_file(
                frame.image, bound_to=f"frame:{frame.pk}")) for frame in cameo.frames.all()])
        ordered = [views[0] for views in frames if views]
        # Characters after the people's frontal views: a cameo's face leads when both are cast.
        return ordered + character_frames(video_id=video_id) + \
            [view for views in frames for view in views[1:]]
