"""Rate limits and query-cost budgets of the API's callers (partner apps, people, anonymous clients), counted in
the ``limits`` library's windows (docs/partners.md)."""
