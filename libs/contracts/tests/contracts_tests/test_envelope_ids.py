"""Derived envelope ids: what makes a re-published message a duplicate JetStream drops."""

from mv_contracts.envelope import derived_id


def test_the_same_name_gives_the_same_id_on_every_attempt() -> None:
    assert derived_id("test-run", "t-1", "finished") == derived_id("test-run", "t-1", "finished")


def test_another_kind_or_another_source_gives_another_id() -> None:
    ids = {
        derived_id("test-run", "t-1", "finished"),
        derived_id("test-run", "t-1", "started"),
        derived_id("test-run", "t-2", "finished"),
        derived_id("metrics.summary", "t-1"),
        derived_id("metrics.summary", "t-1", "redo-1"),
    }
    assert len(ids) == 5


def test_the_parts_are_joined_so_that_shifting_text_between_them_is_not_the_same_name() -> None:
    # "/" cannot occur in the ids the services derive from (uuids, test ids, event types).
    assert derived_id("a", "bc") != derived_id("ab", "c")
