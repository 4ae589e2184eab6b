"""Sign-in with an OpenID Connect provider (Feide, Keycloak, ...): the authorization-code flow through Authlib."""
