"""Reference geography: Hà Nội's 126 commune-level units (phường and xã) since 1 July 2025."""
