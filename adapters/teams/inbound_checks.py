"""Checks on what arrives at /api/messages that the SDK leaves out (Bot Framework authentication spec).

The SDK verifies the token's signature, audience, issuer and (if present) expiry. The spec also requires
an expiry, and that the token's `serviceurl` claim equals the activity's `serviceUrl`: without that check
a token minted for one conversation service could steer the bot's replies to another. A token without
`kid`, or an activity without `serviceUrl`, made the SDK raise (a 500); here they are a 401 and a 400.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import jwt


def token_header_problem(authorization: str | None) -> str | None:
    """What is wrong with the bearer token's header before the SDK looks at it (None: let the SDK decide)."""
    if not authorization:
        return None  # the SDK refuses a missing header (401) unless anonymous callers are allowed
    parts = authorization.split()
    if len(parts) != 2 or parts[0].lower() != "bearer":
        return None  # the SDK says "invalid authorization header format"
    try:
        header = jwt.get_unverified_header(parts[1])
    except jwt.PyJWTError:
        return "the token is not a JWT"
    if not isinstance(header.get("kid"), str) or not header["kid"]:
        return "the token names no signing key (kid)"
    return None


def activity_problem(body: Any) -> str | None:
    """The fields every activity from a channel carries, with the types the SDK assumes."""
    if not isinstance(body, dict):
        return "the activity is not a JSON object"
    if not isinstance(body.get("type"), str) or not body["type"]:
        return "the activity has no type"
    if not isinstance(body.get("channelId"), str) or not body["channelId"]:
        return "the activity has no channelId"
    for key in ("from", "recipient", "conversation"):
        part = body.get(key)
        if not isinstance(part, dict) or not isinstance(part.get("id"), str) or not part["id"]:
            return f"the activity's {key} has no id"
    url = body.get("serviceUrl")
    if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
        return "the activity has no serviceUrl"
    return None


def _same_service(a: str, b: str) -> bool:
    return a.rstrip("/").lower() == b.rstrip("/").lower()


def claims_problem(claims: dict[str, Any], body: dict[str, Any]) -> str | None:
    """The token's claims against the spec and against the activity it came with."""
    if not isinstance(claims.get("exp"), (int, float)) or isinstance(claims.get("exp"), bool):
        return "the token has no expiry (exp)"
    service = claims.get("serviceurl")
    if not isinstance(service, str) or not _same_service(service, str(body.get("serviceUrl") or "")):
        return "the token's serviceurl is not the activity's serviceUrl"
    return None
