"""The partner platform: partner organisations' apps, OAuth 2.1 / OpenID Connect sign-in, people's grants
(consent), scopes on every field an app can reach, and the log of who read a person's data (docs/partners.md)."""
