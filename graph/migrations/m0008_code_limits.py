"""One-time codes bound to an account and a contact; counted rate limits."""

DESCRIPTION = "Codes looked up by (person, purpose); rate-limit counters unique on their key."

STATEMENTS = [
    "CREATE INDEX one_time_code_person IF NOT EXISTS FOR (o:OneTimeCode) ON (o.personId, o.purpose)",
    "CREATE CONSTRAINT rate_limit_key_unique IF NOT EXISTS FOR (l:RateLimit) REQUIRE l.key IS UNIQUE",
]
