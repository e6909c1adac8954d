"""Cameo lifecycles move only as their tables allow, and every move records who made it and
why (core.StateChange)."""

import pytest
from cameo_factories import make_video, verified_cameo

from cameo.models import Approval, Grant
from cameo.states import APPROVAL, GRANT, grant_transition
from core.errors import ConflictError
from core.models import StateChange

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana(user_factory):
    return user_factory(handle="ana")


def test_removing_a_grant_records_the_owner_and_why_and_cannot_happen_twice(
        ana, user_factory, login):
    user_factory(handle="bob")
    verified_cameo(ana, audience="approved")
    client = login(ana)
    assert client.post("/api/v1/cameo/grants/bob", {}, format="json").status_code == 201
    grant = Grant.objects.get()
    assert client.delete("/api/v1/cameo/grants/bob").status_code in (200, 204)
    moves = list(StateChange.objects.filter(lifecycle=GRANT.name, object_id=str(grant.pk)))
    assert [(m.from_state, m.to_state, m.actor_id, m.reason) for m in moves] == [
        ("active", "removed", ana.pk, "owner_removed")]
    grant.refresh_from_db()
    assert grant.status == "removed" and grant.removed_at is not None
    with pytest.raises(ConflictError) as refused:
        grant_transition(grant_id=grant.pk, to=Grant.Status.REMOVED, actor_id=ana.pk,
                         reason="again")
    assert refused.value.code == "cameo.invalid_transition"
    assert StateChange.objects.filter(lifecycle=GRANT.name).count() == 1


def test_an_owners_denial_is_recorded_with_her_as_actor_and_is_final(
        ana, user_factory, login, django_capture_on_commit_callbacks):
    verified_cameo(ana, audience="everyone", ask_every_time=True)
    bob = login(user_factory(handle="bob"))
    make_video(bob, django_capture_on_commit_callbacks, cameos=["ana"])
    approval = Approval.objects.get()
    owner = login(ana)
    denied = owner.post(f"/api/v1/cameo/approvals/{approval.pk}", {"decision": "deny"},
                        format="json")
    assert denied.status_code == 200
    moves = StateChange.objects.filter(lifecycle=APPROVAL.name, object_id=str(approval.pk))
    assert [(m.from_state, m.to_state, m.actor_id, m.reason) for m in moves] == [
        ("pending", "denied", ana.pk, "owner_decided")]
    again = owner.post(f"/api/v1/cameo/approvals/{approval.pk}", {"decision": "approve"},
                       format="json")
    assert again.status_code == 409
    assert moves.count() == 1
