"""Output likeness check: consented faces pass; other enrolled or protected faces block."""

import numpy as np
import pytest
from cameo_factories import make_video, verified_cameo

from cameo import vault
from cameo.likeness import output_likeness_check
from cameo.models import ProtectedLikeness
from moderation.facade import DetectedFace

pytestmark = pytest.mark.django_db


def face(encoding: np.ndarray) -> DetectedFace:
    return DetectedFace(0, (0, 10, 10, 0), encoding)


def test_faces_against_consents_enrolled_and_protected(user_factory, login,
                                                       django_capture_on_commit_callbacks):
    rng = np.random.default_rng(7)
    ana_face, cleo_face, famous_face, stranger = (rng.normal(0, 0.3, 128) for _ in range(4))
    verified_cameo(user_factory(handle="ana"), encoding=ana_face)
    verified_cameo(user_factory(handle="cleo"), encoding=cleo_face)
    entry = ProtectedLikeness.objects.create(name="Famous", reason="public_figure",
                                             encoding=b"")
    entry.encoding = vault.seal_encoding(famous_face, bound_to=f"protected:{entry.pk}")
    entry.save()
    bob = login(user_factory(handle="bob"))
    video_id = make_video(bob, django_capture_on_commit_callbacks, cameos=["ana"]).json()["id"]
    context = {"video_id": video_id}

    assert output_likeness_check([face(ana_face + 0.01), face(stranger)], context
                                 ).action == "allow"
    for other in (cleo_face, famous_face):
        verdict = output_likeness_check([face(ana_face), face(other + 0.01)], context)
        assert verdict.action == "block"
        assert verdict.codes == ("LIKENESS.OUTPUT.FACE",)
