"""Listings, orders, wallets and reviews (the marketplace issue)."""
