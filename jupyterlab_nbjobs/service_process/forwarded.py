"""Who the user is and what they may do, as the server decided and forwarded with each
request (the server authenticated it: host, token or cookie, XSRF, CORS).

Apart from child.py so that the process starts the warm pool before importing
jupyter_server.auth (~70 ms)."""

from __future__ import annotations

from typing import Any

from jupyter_server.auth import Authorizer, IdentityProvider

from .protocol import ALLOWED_HEADER, USER_HEADER, user_from_json


class ForwardedUser(IdentityProvider):
    """The user the server authenticated, from the forwarded request's header."""

    def get_user(self, handler: Any) -> Any:
        text = handler.request.headers.get(USER_HEADER)
        return user_from_json(text) if text else None


class ForwardedDecisions(Authorizer):
    """What the server's authorizer allowed this user on resource "nbjobs"."""

    def is_authorized(self, handler: Any, user: Any, action: str, resource: str) -> bool:
        allowed = handler.request.headers.get(ALLOWED_HEADER, "").split(",")
        return resource == "nbjobs" and action in allowed
