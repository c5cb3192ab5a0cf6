"""Thin glue from GraphQL fields to domain services: decode ids, take the viewer, call, wrap."""
