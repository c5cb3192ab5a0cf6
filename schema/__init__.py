"""GraphQL shapes only (types, inputs, enums, payloads) and the assembled schema: see ``schema.assemble``."""
