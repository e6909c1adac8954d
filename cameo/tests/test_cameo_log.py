"""The consent log is hash-chained: it verifies, and any edit or removal is detected."""

import pytest
from cameo_factories import verified_cameo

from cameo.consent_log import consent_log_verify
from cameo.models import ConsentLogEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana(user_factory, login):
    user = user_factory(handle="ana")
    user_factory(handle="bob")
    verified_cameo(user)
    client = login(user)
    client.patch("/api/v1/cameo/settings", {"audience": "approved"}, format="json")
    client.post("/api/v1/cameo/grants/bob", {}, format="json")
    client.delete("/api/v1/cameo/grants/bob")
    client.post("/api/v1/cameo/blocks/bob")
    return user, client


def test_log_lists_every_change_and_verifies(ana):
    _user, client = ana
    entries = client.get("/api/v1/cameo/consent-log").json()["results"]
    assert [e["kind"] for e in entries] == ["block_added", "allow_removed", "allow_added",
                                            "settings_changed"]
    assert entries[0]["prev_hash"] == entries[1]["sha256"]
    assert client.get("/api/v1/cameo/consent-log/verify").json() == {
        "valid": True, "entries": 4, "broken_at": None, "problem": ""}


def test_tampering_is_detected(ana):
    user, _ = ana
    entry = ConsentLogEntry.objects.get(owner_id=user.pk, seq=2)
    ConsentLogEntry.objects.filter(pk=entry.pk).update(data={**entry.data, "grantee_id": 1})
    check = consent_log_verify(owner_id=user.pk)
    assert (check.valid, check.broken_at, check.problem) == (False, 2, "the entry was altered")


def test_removing_an_entry_is_detected(ana):
    user, _ = ana
    ConsentLogEntry.objects.filter(owner_id=user.pk, seq=3).delete()
    check = consent_log_verify(owner_id=user.pk)
    assert (check.valid, check.broken_at) == (False, 4)
