"""The OpenID Provider's HTTP side: ``/oauth/*`` and ``/.well-known/openid-configuration`` on Starlette, with
authlib's server components for the protocol (docs/partners.md). The rules (apps, grants, codes, tokens) live in
the ``partners`` domain; this layer parses requests, renders the sign-in and consent pages, and answers.

``oauth.endpoints`` holds the endpoints (each described there), ``oauth.server`` the authlib binding,
``oauth.pages`` the page rendering; ``routes()`` is what api.app mounts."""

from oauth.endpoints import routes

__all__ = ["routes"]
