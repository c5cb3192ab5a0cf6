"""The developer sandbox: demo data (``hanoismart seed --demo``), the one-time codes a development server "sent"
(``hanoismart dev codes``, the ``developmentMessages`` query) and raising a person's assurance level by hand
(``hanoismart dev verify``). Development and tests only: every entry point refuses ``HANOISMART_ENVIRONMENT=production``.

The sandbox changes the graph only through the services the API uses, so it cannot make a state the product could
not; its own graph module (``graph.sandbox``) only counts, wipes and finds.
"""
