"""Blank reset codes (asked for a contact no account verified) looked up by destination."""

DESCRIPTION = "One-time codes by (destinationKey, purpose): wrong reset codes are checked against blank codes too."

STATEMENTS = [
    "CREATE INDEX one_time_code_destination_key IF NOT EXISTS FOR (o:OneTimeCode) ON (o.destinationKey, o.purpose)",
]
