"""The one storage of the API's rate-limit and query-cost windows (``Settings.quota_storage_uri``)."""

from __future__ import annotations

from limits.aio.storage import Storage
from limits.storage import storage_from_string


def quota_storage(uri: str) -> Storage:
    """The ``limits`` storage at ``uri``: ``async+memory://`` (one process, exact) or a shared one such as
    ``async+redis://host:6379`` for several API processes. A URI of the wrong kind is refused at start."""
    storage = storage_from_string(uri)
    if not isinstance(storage, Storage):
        raise ValueError(f"HANOISMART_QUOTA_STORAGE_URI must name an async storage (async+...), not {uri!r}.")
    return storage
