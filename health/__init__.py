"""The platform's own health: is the database reachable, which migrations are applied."""
