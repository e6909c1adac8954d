"""Which webhook URLs we send to: https on public addresses. Private, loopback, link-local
and other special addresses are refused (a webhook must never reach into our own network)
unless OPENAI_WEBHOOK_ALLOW_PRIVATE_URLS is set (development and tests, where http is
allowed too). Checked when an endpoint is saved and again before every send (DNS changes)."""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings

from core.errors import DomainError


def _refuse(message: str) -> DomainError:
    return DomainError("openai.invalid_webhook_url", message, fields={"url": [message]})


def check_webhook_url(url: str) -> None:
    parts = urlsplit(url)
    allow_private = settings.OPENAI_WEBHOOK_ALLOW_PRIVATE_URLS
    schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in schemes or not parts.hostname:
        raise _refuse("The webhook URL must be an https:// URL with a host.")
    if parts.username or parts.password:
        raise _refuse("The webhook URL must not carry credentials.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except (OSError, ValueError, UnicodeError):
        raise _refuse("The webhook URL's host does not resolve.") from None
    if allow_private:
        return
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global or address.is_multicast:
            raise _refuse("The webhook URL points at a private or reserved address.")
