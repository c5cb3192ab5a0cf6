"""The statement-count rule of the hot lists (``tests.statements.same_for_any_length``) refuses a list that grows with
its length and a figure over its bound, and tolerates loads split over event-loop ticks on either page."""

from __future__ import annotations

from tests.statements import same_for_any_length


def test_a_page_that_costs_more_when_longer_is_refused() -> None:
    assert not same_for_any_length(5, 8, 13)  # three statements more for a longer page: one per item somewhere
    assert not same_for_any_length(4, 6, 13)


def test_a_figure_over_the_bound_is_refused() -> None:
    assert not same_for_any_length(14, 14, 13)
    assert not same_for_any_length(12, 14, 13)


def test_loads_split_over_ticks_are_tolerated_on_either_page() -> None:
    assert same_for_any_length(13, 13, 13)
    assert same_for_any_length(12, 13, 13)  # the long page split one batch
    assert same_for_any_length(13, 11, 13)  # the short page split two (other tasks on the loop shift the ticks)
