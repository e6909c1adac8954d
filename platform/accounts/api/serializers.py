from rest_framework import serializers

from accounts.models import DeviceSession, User
from core.fields import StrictCharField


class RegisterIn(serializers.Serializer[None]):
    email = serializers.EmailField(max_length=254)
    password = StrictCharField(max_length=128, trim_whitespace=False)
    handle = StrictCharField(max_length=31)
    birthdate = serializers.DateField()
    display_name = StrictCharField(max_length=60, required=False, default="",
                                         allow_blank=True)
    device = StrictCharField(max_length=100, required=False, default="unknown")


class LoginIn(serializers.Serializer[None]):
    login = StrictCharField(max_length=254, help_text="Email or @handle.")
    password = StrictCharField(max_length=128, trim_whitespace=False)
    device = StrictCharField(max_length=100, required=False, default="unknown")


class TokensOut(serializers.Serializer[None]):
    access = serializers.CharField()
    refresh = serializers.CharField()
    session_id = serializers.IntegerField()


class RefreshIn(serializers.Serializer[None]):
    refresh = StrictCharField(max_length=2000)


class LogoutIn(serializers.Serializer[None]):
    refresh = StrictCharField(max_length=2000, required=False)


class PasswordChangeIn(serializers.Serializer[None]):
    old_password = StrictCharField(max_length=128, trim_whitespace=False)
    new_password = StrictCharField(max_length=128, trim_whitespace=False)


class PasswordResetIn(serializers.Serializer[None]):
    email = serializers.EmailField(max_length=254)


class PasswordResetConfirmIn(serializers.Serializer[None]):
    uid = StrictCharField(max_length=64)
    token = StrictCharField(max_length=128)
    new_password = StrictCharField(max_length=128, trim_whitespace=False)


class TokenIn(serializers.Serializer[None]):
    token = StrictCharField(max_length=500)


class SessionOut(serializers.ModelSerializer[DeviceSession]):
    class Meta:
        model = DeviceSession
        fields = ["id", "name", "created_at", "last_refreshed_at"]


class MeOut(serializers.ModelSerializer[User]):
    avatar_url = serializers.SerializerMethodField()
    is_teen = serializers.BooleanField(read_only=True)
    email_verified = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "email", "handle", "display_name", "bio", "avatar_url", "birthdate",
                  "is_teen", "email_verified", "role", "date_joined"]

    def get_avatar_url(self, user: User) -> str | None:
        return user.avatar.url if user.avatar else None

    def get_email_verified(self, user: User) -> bool:
        return user.email_verified_at is not None


class MeUpdateIn(serializers.Serializer[None]):
    display_name = StrictCharField(max_length=60, required=False, allow_blank=True)
    bio = StrictCharField(max_length=300, required=False, allow_blank=True)


class AvatarIn(serializers.Serializer[None]):
    avatar = serializers.FileField()


class DeleteAccountIn(serializers.Serializer[None]):
    password = StrictCharField(max_length=128, trim_whitespace=False)


class UserBriefOut(serializers.ModelSerializer[User]):
    avatar_url = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["handle", "display_name", "avatar_url"]

    def get_avatar_url(self, user: User) -> str | None:
        return user.avatar.url if user.avatar else None


class ProfileOut(UserBriefOut):
    followers_count = serializers.IntegerField()
    following_count = serializers.IntegerField()
    is_following = serializers.BooleanField()
    follows_you = serializers.BooleanField()
    is_mutual = serializers.BooleanField()

    class Meta(UserBriefOut.Meta):
        fields = [*UserBriefOut.Meta.fields, "bio", "followers_count", "following_count",
                  "is_following", "follows_you", "is_mutual"]


class FollowOut(serializers.Serializer[None]):
    handle = serializers.CharField()
    following = serializers.BooleanField()
