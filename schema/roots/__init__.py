"""Per-noun root fields: each module exports its `Query` and `Mutation` parts, merged by schema.assemble."""
