"""The webhook dispatcher's settings: a whole batch must be sent within its lease (else another dispatcher could
lease a delivery still in flight and send it twice)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from core.settings import WEBHOOK_LEASE_MARGIN_SECONDS, Settings


def test_the_defaults_fit_a_batch_in_its_lease() -> None:
    settings = Settings()
    rounds = -(-settings.webhook_batch_size // settings.webhook_concurrency)
    needed = rounds * settings.webhook_timeout_seconds + WEBHOOK_LEASE_MARGIN_SECONDS
    assert settings.webhook_lease_seconds >= needed


def test_a_lease_shorter_than_a_batch_is_refused() -> None:
    # 50 deliveries 10 at a time, 10 s each: 5 rounds, 50 s, plus the margin
    with pytest.raises(ValidationError, match="webhook_lease_seconds"):
        Settings(webhook_batch_size=50, webhook_concurrency=10, webhook_timeout_seconds=10, webhook_lease_seconds=30)
    Settings(webhook_batch_size=50, webhook_concurrency=10, webhook_timeout_seconds=10, webhook_lease_seconds=55)
    Settings(webhook_batch_size=50, webhook_concurrency=50, webhook_timeout_seconds=10, webhook_lease_seconds=30)
