"""Identity: actors, documents, contacts, sessions, one-time codes, verification, throttles."""

DESCRIPTION = "Constraints and indexes of actors, identity documents, contacts, sessions and codes."

STATEMENTS = [
    "CREATE CONSTRAINT actor_id_unique IF NOT EXISTS FOR (a:Actor) REQUIRE a.id IS UNIQUE",
    "CREATE CONSTRAINT identity_document_digest_unique IF NOT EXISTS "
    "FOR (d:IdentityDocument) REQUIRE d.digest IS UNIQUE",
    "CREATE CONSTRAINT identity_document_id_unique IF NOT EXISTS FOR (d:IdentityDocument) REQUIRE d.id IS UNIQUE",
    "CREATE CONSTRAINT contact_id_unique IF NOT EXISTS FOR (c:Contact) REQUIRE c.id IS UNIQUE",
    # Set only once a contact is verified: a phone or e-mail can be verified by one account only.
    "CREATE CONSTRAINT contact_verified_key_unique IF NOT EXISTS FOR (c:Contact) REQUIRE c.verifiedKey IS UNIQUE",
    "CREATE INDEX contact_value IF NOT EXISTS FOR (c:Contact) ON (c.value)",
    "CREATE CONSTRAINT session_id_unique IF NOT EXISTS FOR (s:Session) REQUIRE s.id IS UNIQUE",
    "CREATE CONSTRAINT refresh_token_hash_unique IF NOT EXISTS FOR (t:RefreshToken) REQUIRE t.hash IS UNIQUE",
    "CREATE CONSTRAINT one_time_code_id_unique IF NOT EXISTS FOR (o:OneTimeCode) REQUIRE o.id IS UNIQUE",
    "CREATE INDEX one_time_code_destination IF NOT EXISTS FOR (o:OneTimeCode) ON (o.destination, o.createdAt)",
    "CREATE CONSTRAINT verification_request_id_unique IF NOT EXISTS FOR (v:VerificationRequest) REQUIRE v.id IS UNIQUE",
    "CREATE INDEX verification_request_status IF NOT EXISTS FOR (v:VerificationRequest) ON (v.status, v.createdAt)",
    "CREATE CONSTRAINT login_throttle_key_unique IF NOT EXISTS FOR (t:LoginThrottle) REQUIRE t.key IS UNIQUE",
    "CREATE CONSTRAINT representation_change_id_unique IF NOT EXISTS "
    "FOR (r:RepresentationChange) REQUIRE r.id IS UNIQUE",
    "CREATE INDEX actor_created_at IF NOT EXISTS FOR (a:Actor) ON (a.createdAt)",
    "CREATE FULLTEXT INDEX actor_name_fulltext IF NOT EXISTS FOR (a:Actor) ON EACH [a.displayName, a.searchName]",
]
