"""Account writes: sign-up, sessions, passwords, verification, profile, follows, blocks, erasure."""

import io
import re
from collections.abc import Callable
from datetime import date

from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from PIL import UnidentifiedImageError
from rest_framework_simplejwt.tokens import RefreshToken

from core.errors import DomainError, NotFoundError
from core.images import image_open_bounded
from core.storage import files_delete_on_commit
from events.facade import event_publish, sessions_ended_publish

from .models import Block, DeviceSession, Follow, User
from .selectors import is_blocked_between

HANDLE_RE = re.compile(r"^[a-z0-9_]{3,30}$")
RESERVED_HANDLES = {"admin", "api", "castline", "support", "moderator", "staff", "root", "me",
                    "deleted", "console", "help", "system"}
_EMAIL_SALT = "accounts.email-verify"
AccountErasureHook = Callable[[User], None]
_erasure_hooks: list[AccountErasureHook] = []


def account_erasure_hook_register(hook: AccountErasureHook) -> None:
    """Apps holding personal data (cameo, generation...) erase it when an account is deleted."""
    _erasure_hooks.append(hook)


def _check_handle(handle: str) -> str:
    handle = handle.strip().lower().removeprefix("@")
    if not HANDLE_RE.match(handle) or handle.startswith("deleted_"):
        raise DomainError("accounts.invalid_handle",
                          "Handles are 3-30 characters: letters, digits and underscores.",
                          fields={"handle": ["Invalid handle."]})
    if handle in RESERVED_HANDLES:
        raise DomainError("accounts.handle_reserved", "This handle is reserved.",
                          fields={"handle": ["Reserved."]})
    return handle


def _check_password(password: str, user: User | None = None) -> None:
    try:
        password_validation.validate_password(password, user)
    except DjangoValidationError as exc:
        raise DomainError("accounts.weak_password", "The password is too weak.",
                          fields={"password": list(exc.messages)}) from exc


# Nobody signing up is older; a birthdate of year 1 is a typo or a probe.
MAX_AGE = 130


def _age_on(birthdate: date, today: date) -> int:
    return today.year - birthdate.year - int((today.month, today.day) <
                                             (birthdate.month, birthdate.day))


@transaction.atomic
def user_register(*, email: str, password: str, handle: str, birthdate: date,
                  display_name: str = "") -> User:
    handle = _check_handle(handle)
    email = email.strip().lower()
    today = timezone.now().date()
    if birthdate > today:
        raise DomainError("accounts.invalid_birthdate", "The birthdate is in the future.",
                          fields={"birthdate": ["In the future."]})
    if _age_on(birthdate, today) > MAX_AGE:
        raise DomainError("accounts.invalid_birthdate", "The birthdate is not plausible.",
                          fields={"birthdate": [f"More than {MAX_AGE} years ago."]})
    if _age_on(birthdate, today) < settings.MIN_SIGNUP_AGE:
        raise DomainError("accounts.too_young",
                          f"You must be at least {settings.MIN_SIGNUP_AGE} to use Castline.")
    if User.objects.filter(email=email).exists():
        raise DomainError("accounts.email_taken", "This email is already registered.",
                          status_code=409, fields={"email": ["Taken."]})
    if User.objects.filter(handle=handle).exists():
        raise DomainError("accounts.handle_taken", "This handle is taken.", status_code=409,
                          fields={"handle": ["Taken."]})
    candidate = User(email=email, handle=handle, display_name=display_name)
    _check_password(password, candidate)
    try:
        with transaction.atomic():
            user = User.objects.create_user(email=email, handle=handle, password=password,
                                            birthdate=birthdate, display_name=display_name)
    except IntegrityError as exc:  # lost a race for the same email or handle
        raise DomainError("accounts.handle_taken", "This handle or email is taken.",
                          status_code=409) from exc
    transaction.on_commit(lambda: email_verification_send(user=user))
    return user


def email_verification_send(*, user: User) -> None:
    token = signing.dumps({"uid": user.pk, "email": user.email}, salt=_EMAIL_SALT)
    send_mail("Verify your Castline email",
              f"Your verification token: {token}\n", None, [user.email])


@transaction.atomic
def email_verify(*, token: str) -> User:
    try:
        data = signing.loads(token, salt=_EMAIL_SALT,
                             max_age=settings.EMAIL_VERIFICATION_MAX_AGE_S)
    except signing.BadSignature as exc:
        raise DomainError("accounts.invalid_token", "The verification token is invalid or "
                          "expired.") from exc
    user = User.objects.select_for_update().filter(pk=data["uid"], email=data["email"]).first()
    if user is None:
        raise DomainError("accounts.invalid_token", "The verification token is invalid.")
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
    return user


def _tokens_for(user: User, session: DeviceSession) -> dict[str, str]:
    refresh = RefreshToken.for_user(user)
    refresh["sid"] = session.pk
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


@transaction.atomic
def session_start(*, user: User, device: str) -> dict[str, object]:
    session = DeviceSession.objects.create(user=user, name=(device or "unknown")[:100])
    return {"session_id": session.pk, **_tokens_for(user, session)}


def user_login(*, request: HttpRequest, login: str, password: str, device: str
               ) -> dict[str, object]:
    # axes checks lock-outs and counts failures inside authenticate().
    user = authenticate(request=request, login=login, username=login, password=password)
    if getattr(request, "axes_locked_out", False):
        raise DomainError("auth.locked_out", "Too many failed attempts; try again later.",
                          status_code=429)
    if user is None or not isinstance(user, User):
        raise DomainError("auth.invalid_credentials", "Wrong login or password.",
                          status_code=401)
    # A login without django.contrib.auth.login(): tell axes, which resets the account's count.
    user_logged_in.send(sender=User, request=request, user=user)
    return session_start(user=user, device=device)


@transaction.atomic
def session_revoke(*, user: User, session_id: int | None) -> None:
    if session_id is None:
        raise NotFoundError("not_found", "No such session.")
    updated = DeviceSession.objects.filter(user=user, pk=session_id, revoked_at__isnull=True
                                           ).update(revoked_at=timezone.now())
    if not updated and not DeviceSession.objects.filter(user=user, pk=session_id).exists():
        raise NotFoundError("not_found", "No such session.")
    sessions_ended_publish(user_id=user.pk, session_ids=[session_id] if updated else [])


def sessions_revoke_all(*, user: User, except_session_id: int | None = None) -> None:
    sessions = DeviceSession.objects.filter(user=user, revoked_at__isnull=True)
    if except_session_id is not None:
        sessions = sessions.exclude(pk=except_session_id)
    ended = list(sessions.values_list("pk", flat=True))
    DeviceSession.objects.filter(pk__in=ended).update(revoked_at=timezone.now())
    # Their open websockets close after commit, on every web process.
    sessions_ended_publish(user_id=user.pk, session_ids=ended)


@transaction.atomic
def password_change(*, user: User, old_password: str, new_password: str,
                    current_session_id: int | None) -> None:
    if not user.check_password(old_password):
        raise DomainError("accounts.wrong_password", "The current password is wrong.",
                          fields={"old_password": ["Wrong password."]})
    _check_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    sessions_revoke_all(user=user, except_session_id=current_session_id)


def password_reset_request(*, email: str) -> None:
    """Always succeeds from the outside, so it cannot be used to probe for accounts."""
    user = User.objects.filter(email=email.strip().lower(), is_active=True).first()
    if user is None:
        return
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    send_mail("Reset your Castline password",
              f"uid: {uid}\ntoken: {token}\n", None, [user.email])


@transaction.atomic
def password_reset_confirm(*, uid: str, token: str, new_password: str) -> None:
    try:
        user_id = int(force_str(urlsafe_base64_decode(uid)))
    except (ValueError, TypeError, OverflowError):
        user_id = -1
    user = User.objects.select_for_update().filter(pk=user_id, is_active=True).first()
    if user is None or not default_token_generator.check_token(user, token):
        raise DomainError("accounts.invalid_token", "The reset link is invalid or expired.")
    _check_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    sessions_revoke_all(user=user)


@transaction.atomic
def profile_update(*, user: User, display_name: str | None = None, bio: str | None = None
                   ) -> User:
    fields = []
    if display_name is not None:
        user.display_name = display_name
        fields.append("display_name")
    if bio is not None:
        user.bio = bio
        fields.append("bio")
    if fields:
        user.save(update_fields=fields)
    return user


AVATAR_FORMATS = {"JPEG", "PNG", "WEBP"}
AVATAR_MAX_SIDE = 4096
AVATAR_OUTPUT_SIDE = 512


def avatar_set(*, user: User, upload: UploadedFile) -> User:
    """Decoded and re-encoded with Pillow: checked by content, metadata stripped."""
    if upload.size is None or upload.size > settings.MAX_AVATAR_BYTES:
        raise DomainError("upload.too_large", "The image is too large.", status_code=413)
    try:
        with image_open_bounded(upload) as probe:
            if probe.format not in AVATAR_FORMATS:
                raise DomainError("upload.unsupported_type", "Avatars must be JPEG, PNG or WebP.",
                                  status_code=415)
            if max(probe.size) > AVATAR_MAX_SIDE:
                raise DomainError("upload.too_large", "The image dimensions are too large.",
                                  status_code=413)
            probe.verify()
        upload.seek(0)
        with image_open_bounded(upload) as decoded:
            image = decoded.convert("RGB")
            image.thumbnail((AVATAR_OUTPUT_SIDE, AVATAR_OUTPUT_SIDE))
            out = io.BytesIO()
            image.save(out, format="JPEG", quality=88)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise DomainError("upload.invalid_image", "The file is not a readable image.",
                          status_code=400) from exc
    with transaction.atomic():
        old = user.avatar.name if user.avatar else None
        user.avatar.save(f"{user.pk}-{timezone.now().timestamp():.0f}.jpg",
                         ContentFile(out.getvalue()), save=True)
        if old:
            files_delete_on_commit([(user.avatar.storage, old)])
    return user


def _target(viewer: User, handle: str) -> User:
    target = User.objects.filter(handle=handle.lower().removeprefix("@"), is_active=True).first()
    if target is None or is_blocked_between(viewer.pk, target.pk):
        raise NotFoundError("not_found", "No such user.")
    return target


@transaction.atomic
def follow_create(*, follower: User, handle: str) -> tuple[User, bool]:
    followee = _target(follower, handle)
    if followee.pk == follower.pk:
        raise DomainError("accounts.cannot_follow_self", "You cannot follow yourself.")
    _, created = Follow.objects.get_or_create(follower=follower, followee=followee)
    if created:
        event_publish(user_id=followee.pk, type="accounts.followed",
                      payload={"follower": {"handle": follower.handle,
                                            "display_name": follower.display_name}})
    return followee, created


@transaction.atomic
def follow_delete(*, follower: User, handle: str) -> None:
    followee = _target(follower, handle)
    Follow.objects.filter(follower=follower, followee=followee).delete()


@transaction.atomic
def block_create(*, blocker: User, handle: str) -> User:
    # Not _target: a block between the two must not stop this one. Blocking again was a 404,
    # and so was blocking back someone who blocked you (whose block may be lifted later).
    target = User.objects.filter(handle=handle.lower().removeprefix("@"), is_active=True).first()
    if target is None:
        raise NotFoundError("not_found", "No such user.")
    if target.pk == blocker.pk:
        raise DomainError("accounts.cannot_block_self", "You cannot block yourself.")
    Block.objects.get_or_create(blocker=blocker, blocked=target)
    Follow.objects.filter(follower=blocker, followee=target).delete()
    Follow.objects.filter(follower=target, followee=blocker).delete()
    return target


@transaction.atomic
def block_delete(*, blocker: User, handle: str) -> None:
    target = User.objects.filter(handle=handle.lower().removeprefix("@")).first()
    if target is None:
        raise NotFoundError("not_found", "No such user.")
    Block.objects.filter(blocker=blocker, blocked=target).delete()


@transaction.atomic
def account_delete(*, user: User, password: str) -> None:
    """Erase personal data; keep an anonymous row so ledgers and moderation records hold."""
    if not user.check_password(password):
        raise DomainError("accounts.wrong_password", "The password is wrong.",
                          fields={"password": ["Wrong password."]})
    for hook in _erasure_hooks:
        hook(user)
    avatar_name = user.avatar.name if user.avatar else None
    Follow.objects.filter(follower=user).delete()
    Follow.objects.filter(followee=user).delete()
    Block.objects.filter(blocker=user).delete()
    user.notifications.all().delete()
    sessions_revoke_all(user=user)
    user.email = f"deleted-{user.pk}@deleted.invalid"
    user.handle = f"deleted_{user.pk}"
    user.display_name = ""
    user.bio = ""
    user.birthdate = None
    user.avatar = ""
    user.is_active = False
    user.deleted_at = timezone.now()
    user.set_unusable_password()
    user.save()
    if avatar_name:
        files_delete_on_commit([(user.avatar.storage, avatar_name)])


@transaction.atomic
def user_deactivate(*, user_id: int) -> None:
    """A ban: the account can no longer log in and every device is logged out at once."""
    user = User.objects.select_for_update().get(pk=user_id)
    user.is_active = False
    user.save(update_fields=["is_active"])
    sessions_revoke_all(user=user)


@transaction.atomic
def user_reactivate(*, user_id: int) -> None:
    """An overturned ban; deleted accounts stay inactive, revoked sessions stay revoked."""
    User.objects.filter(pk=user_id, deleted_at__isnull=True).update(is_active=True)
