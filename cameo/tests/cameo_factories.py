"""Test helpers: a verified cameo without a real enrollment video, and API shortcuts."""

import io
from typing import Any

import numpy as np
from django.utils import timezone
from PIL import Image

from cameo import vault
from cameo.models import Cameo, CameoFrame


def jpeg(color: tuple[int, int, int] = (200, 120, 90), size: int = 64) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (size, size), color).save(out, format="JPEG")
    return out.getvalue()


def verified_cameo(user: Any, *, encoding: np.ndarray | None = None, **fields: Any) -> Cameo:
    """A verified cameo with an encrypted encoding and one encrypted reference frame."""
    fields.setdefault("audience", Cameo.Audience.EVERYONE)
    cameo = Cameo.objects.create(owner=user, status=Cameo.Status.VERIFIED,
                                 verified_at=timezone.now(), **fields)
    if encoding is None:
        encoding = np.random.default_rng(user.pk).normal(0, 0.1, 128)
    cameo.encoding = vault.seal_encoding(encoding, bound_to=f"cameo:{cameo.pk}")
    cameo.save(update_fields=["encoding"])
    frame = CameoFrame.objects.create(cameo=cameo, position=0, encoding=b"")
    frame.encoding = vault.seal_encoding(encoding, bound_to=f"frame:{frame.pk}")
    frame.image.save(f"{cameo.pk}-{frame.pk}.bin",
                     vault.sealed_file(jpeg(), bound_to=f"frame:{frame.pk}"), save=False)
    frame.save()
    return cameo


def make_video(client: Any, capture: Any, *, cameos: list[str], run: bool = False,
               **body: Any) -> Any:
    """POST /videos; `run` lets the eager worker run the job after commit."""
    body.setdefault("prompt", "two friends dancing on a beach")
    body.setdefault("seconds", 4)
    with capture(execute=run):
        return client.post("/api/v1/videos", {**body, "cameos": cameos}, format="json")


def balance(client: Any) -> dict[str, Any]:
    return client.get("/api/v1/credits").json()
