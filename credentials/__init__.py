"""Portable profiles as standard credentials: SD-JWT VC (RFC 9901 SD-JWT, `dc+sd-jwt`).

`sdjwt` is the format itself (disclosures, digests, key binding), `statuslist` the IETF Token
Status List, `metadata` the issuer and type metadata documents, `issuer` turns a person's graph
slice into a credential, `verifier` checks a presentation, and `wallet` is the holder side the
CLI uses. See docs/credentials.md.
"""
