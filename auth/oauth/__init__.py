"""OAuth 2.0 on django-oauth-toolkit: applications, authorization code + PKCE, tokens as credentials.

The protocol (authorization, token, revocation endpoints, PKCE, refresh rotation) is
django-oauth-toolkit's; this package adds what the service needs around it: the scopes
an application may ask for (:mod:`auth.oauth.scopes`), token texts that say what they are
and a verification path as cheap as a JWT's (:mod:`auth.oauth.tokens`), the pages
(:mod:`auth.oauth.views`), the applications API (:mod:`auth.oauth.api`) and revocation
markers when tokens and applications go away (:mod:`auth.signals`).
"""
