"""Console sign-in: password first, then a TOTP code (django-otp); moderators only.

Between the two steps only the user id and a deadline sit in the session; the Django login
happens after the second factor, so a password alone never opens the console.
"""

import time
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth import login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.facade import User, user_get
from core.errors import NotFoundError

from ..roles import is_moderator

PENDING_KEY = "console_pending_user"
PENDING_TTL_S = 300
DEVICE_NAME = "console"
LOGIN_BACKEND = "accounts.backends.EmailOrHandleBackend"

View = Callable[..., HttpResponse]


def console_required(view: View) -> View:
    """Signed in with both factors and holding a moderator role; others see nothing (404)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated or not getattr(user, "is_verified", lambda: False)():
            return redirect(f"{reverse('console:login')}?{urlencode({'next': request.path})}")
        if not is_moderator(user):
            raise Http404
        try:
            return view(request, *args, **kwargs)
        except NotFoundError as exc:  # a case or appeal id that names nothing: a 404, not a 500
            raise Http404(exc.message) from exc

    return wrapper


def console_action(view: View) -> View:
    """A console action (POST only) behind console_required: a moderator's GET is a 405,
    anyone else's request is turned away as console_required does."""
    return console_required(require_POST(view))


def pending_set(request: HttpRequest, user: User) -> None:
    request.session[PENDING_KEY] = {"id": user.pk, "until": time.time() + PENDING_TTL_S}


def pending_user(request: HttpRequest) -> User | None:
    pending = request.session.get(PENDING_KEY)
    if not pending or pending["until"] < time.time():
        return None
    user = user_get(user_id=pending["id"], active=True)
    return user if is_moderator(user) else None


def confirmed_device(user: User) -> TOTPDevice | None:
    return next((d for d in devices_for_user(user, confirmed=True)
                 if isinstance(d, TOTPDevice)), None)


def enrolment_device(user: User) -> TOTPDevice:
    """The unconfirmed device a first-time moderator scans; reused until confirmed."""
    device, _ = TOTPDevice.objects.get_or_create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def complete_login(request: HttpRequest, user: User, device: TOTPDevice) -> None:
    request.session.pop(PENDING_KEY, None)
    login(request, user, backend=LOGIN_BACKEND)
    otp_login(request, device)


def safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.GET.get("next") or request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback
