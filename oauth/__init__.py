"""The OpenID Provider's HTTP side: ``/oauth/*`` and ``/.well-known/openid-configuration`` on Starlette, with
authlib's server components for the protocol (docs/partners.md). The rules (apps, grants, codes, tokens) live in
the ``partners`` domain; this layer parses requests, renders the sign-in and consent pages, and answers."""
