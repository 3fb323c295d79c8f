"""A test IdentityProvider: who the caller is comes from the `X-Nbjobs-Test-User` header.

Authentication stays jupyter_server's own (token, cookie, or none when the server has no
token, as galata's servers run): only the identity of an authenticated request changes, so
one server can be driven as several users (pytest through headers on jp_fetch, galata through
Playwright's extraHTTPHeaders). `X-Nbjobs-Test-Groups: a,b` gives the user JupyterHub-style
groups (`hub_user["groups"]`, as jupyterhub's single-user server has them).

Enable: c.ServerApp.identity_provider_class = "tests.support.identity.HeaderIdentityProvider"
"""

from __future__ import annotations

from jupyter_server.auth.authorizer import Authorizer
from jupyter_server.auth.identity import IdentityProvider, User
from traitlets import Dict, Unicode

USER_HEADER = "X-Nbjobs-Test-User"
GROUPS_HEADER = "X-Nbjobs-Test-Groups"


class HeaderUser(User):
    """A User that also carries JupyterHub-style groups."""

    def __init__(self, username: str, groups: list[str]):
        super().__init__(username=username, name=username,
                         display_name=username.replace(".", " ").title())
        self.hub_user = {"name": username, "groups": groups}


class HeaderIdentityProvider(IdentityProvider):
    default_username = Unicode(
        "alice", help="The user of a request without the X-Nbjobs-Test-User header."
    ).tag(config=True)

    async def get_user(self, handler) -> User | None:
        authenticated = await super().get_user(handler)
        if authenticated is None:
            return None
        name = (handler.request.headers.get(USER_HEADER) or "").strip() or self.default_username
        groups = [g.strip() for g in handler.request.headers.get(GROUPS_HEADER, "").split(",")
                  if g.strip()]
        return HeaderUser(name, groups)


def as_user(username: str, *groups: str) -> dict[str, str]:
    """Headers that make a request come from `username` (for jp_fetch's `headers=`)."""
    headers = {USER_HEADER: username}
    if groups:
        headers[GROUPS_HEADER] = ",".join(groups)
    return headers


class RightsAuthorizer(Authorizer):
    """A test Authorizer: the actions each user may take on resource "nbjobs", from
    `c.RightsAuthorizer.rights` ({"reader": ["read"]}); a user not listed may do anything.

    Enable: c.ServerApp.authorizer_class = "tests.support.identity.RightsAuthorizer"
    """

    rights = Dict(help="username -> the actions allowed on nbjobs").tag(config=True)

    def is_authorized(self, handler, user, action: str, resource: str) -> bool:
        if resource != "nbjobs" or user.username not in self.rights:
            return True
        return action in self.rights[user.username]
