"""Authentication and authorization: keys and JWKS, access tokens, principals, scopes."""
