"""The HTTP edge: the Starlette app, the GraphQL view, request context and the CLI."""
