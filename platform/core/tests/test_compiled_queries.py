"""Compiled queries: the same rows as the ORM for every set of values, compiled once."""

import pytest
from django.db.models import Count, Exists, OuterRef, Q

from accounts.models import Block, Follow, User
from core.compiled_queries import CompileError, StandIns, bucket, compiled, padded

pytestmark = pytest.mark.django_db


def _orm(viewer_id: int, ids: list[int]) -> list[dict]:
    follows = Follow.objects.filter(follower_id=viewer_id, followee_id=OuterRef("pk"))
    return list(User.objects.filter(Q(id__in=ids) | Q(id=viewer_id), is_active=True)
                .exclude(id__in=Block.objects.filter(blocker_id=viewer_id).values("blocked_id"))
                .annotate(followed=Exists(follows), follows_out=Count("following_set"))
                .values("id", "handle", "date_joined", "followed", "follows_out")
                .order_by("-id"))


def test_rows_equal_the_orm_for_every_viewer_and_compile_once(user_factory):
    people = [user_factory() for _ in range(6)]
    Follow.objects.create(follower=people[0], followee=people[1])
    Follow.objects.create(follower=people[2], followee=people[3])
    Block.objects.create(blocker=people[0], blocked=people[4])
    builds = []

    def build(stand_ins: StandIns):
        builds.append(1)
        viewer_id = stand_ins.one("viewer")
        follows = Follow.objects.filter(follower_id=viewer_id, followee_id=OuterRef("pk"))
        blocked = Block.objects.filter(blocker_id=viewer_id).values("blocked_id")
        return (User.objects.filter(Q(id__in=stand_ins.many("ids", 8)) | Q(id=viewer_id),
                                    is_active=True)
                .exclude(id__in=blocked)
                .annotate(followed=Exists(follows), follows_out=Count("following_set"))
                .values("id", "handle", "date_joined", "followed", "follows_out")
                .order_by("-id"))

    everyone = [p.pk for p in people]
    for viewer, ids in ((people[0], everyone[:5]), (people[2], everyone[2:]),
                        (people[5], everyone[:1])):
        rows = compiled("test.users", build).rows(viewer=viewer.pk, ids=padded(ids))
        assert rows == _orm(viewer.pk, ids)
        assert rows  # something to compare
    assert len(builds) == 1
    first = compiled("test.users", build).rows(viewer=people[0].pk, ids=padded(everyone[:5]))
    assert people[4].pk not in {row["id"] for row in first}  # the block holds
    assert next(r for r in first if r["id"] == people[1].pk)["followed"] is True


def test_a_value_the_orm_rewrites_cannot_be_compiled():
    # A handle is text: the stand-in integer becomes a string, so it could never be swapped.
    with pytest.raises(CompileError):
        compiled("test.handle", lambda s: User.objects.filter(handle=s.one("handle"))
                 .values("id"))


def test_lists_are_padded_to_a_few_lengths():
    assert [bucket(n) for n in (0, 1, 8, 9, 16, 17, 100)] == [0, 8, 8, 16, 16, 32, 128]
    assert padded([3, 4]) == [3, 4] + [4] * 6
    assert padded([]) == []


def test_instances_are_the_models_the_orm_loads(user_factory):
    """Tokens are checked through instances(): a loaded user must equal the ORM's, field by
    field (dates, booleans, files), and save like one."""
    from core.compiled_queries import concrete_attnames

    people = [user_factory(display_name=f"P{i}") for i in range(3)]

    def build(stand_ins: StandIns):
        return User.objects.filter(pk=stand_ins.one("user")).values(*concrete_attnames(User))

    query = compiled(("test.instances",), build)
    for person in people:
        [loaded] = query.instances(User, user=person.pk)
        expected = User.objects.get(pk=person.pk)
        assert {f: getattr(loaded, f) for f in concrete_attnames(User)} == {
            f: getattr(expected, f) for f in concrete_attnames(User)}
        assert not loaded._state.adding
        loaded.display_name = "renamed"
        loaded.save(update_fields=["display_name"])
        assert User.objects.get(pk=person.pk).display_name == "renamed"
    assert query.instances(User, user=max(p.pk for p in people) + 100) == []
