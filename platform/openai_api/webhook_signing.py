"""Standard Webhooks signatures, as the SDKs' `webhooks.unwrap` checks them: HMAC-SHA256 over
"{webhook-id}.{webhook-timestamp}.{body}" with the base64-decoded whsec_ secret."""

import base64
import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"  # noqa: S105 - the prefix every secret starts with, not a secret


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def secret_hint(secret: str) -> str:
    return f"{SECRET_PREFIX}...{secret[-4:]}"


def signature(secret: str, *, webhook_id: str, timestamp: int, body: str) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    digest = hmac.new(key, f"{webhook_id}.{timestamp}.{body}".encode(), hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signed_headers(secrets_: list[str], *, webhook_id: str, timestamp: int, body: str
                   ) -> dict[str, str]:
    """Signed with every live secret (the old one too, during a rotation's grace day)."""
    return {"webhook-id": webhook_id, "webhook-timestamp": str(timestamp),
            "webhook-signature": " ".join(signature(s, webhook_id=webhook_id,
                                                    timestamp=timestamp, body=body)
                                          for s in secrets_),
            "content-type": "application/json", "user-agent": "Castline-Webhooks/1"}
