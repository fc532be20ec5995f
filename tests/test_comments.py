"""Comments: threads per segment and language, mentions, resolving, open-question counts."""

from __future__ import annotations

import pytest

from service import comments, queries
from service.errors import ChorusError, NotFound, PermissionDenied, TooLarge
from tests.conftest import SEED_SLUG


def test_a_thread_keeps_order_mentions_and_counts(people) -> None:
    ana, bo, rev = people["ana"], people["bo"], people["rev"]
    first = comments.add(
        SEED_SLUG, "es", 3, "Is «task force» a *grupo de trabajo*? @bo @nobody", ana
    )
    assert first.mentions == ("bo",)  # unknown names are no mention
    comments.add(SEED_SLUG, "es", 3, "Yes, see the glossary.\r\n@ana", bo)
    comments.add(SEED_SLUG, "es", 5, "Typo in the source?", bo)
    comments.add(SEED_SLUG, "fr", 3, "Une question", bo)
    thread = comments.thread(SEED_SLUG, "es", 3)
    assert [(c.user.name, c.text) for c in thread] == [
        ("ana", "Is «task force» a *grupo de trabajo*? @bo @nobody"),
        ("bo", "Yes, see the glossary.\n@ana"),
    ]
    item = queries.article(SEED_SLUG)
    assert comments.open_questions(item) == {"es": 3, "fr": 1}
    by_segment = comments.open_by_segment(item, "es")
    numbers = {queries.segment(item, n).id: n for n in (3, 5)}
    assert {numbers[k]: v for k, v in by_segment.items()} == {3: 2, 5: 1}

    with pytest.raises(PermissionDenied):
        comments.resolve(SEED_SLUG, "es", 3, thread[0].id, bo)  # neither author nor reviewer
    comments.resolve(SEED_SLUG, "es", 3, thread[0].id, ana)  # its author
    comments.resolve(SEED_SLUG, "es", 3, thread[1].id, rev)  # a reviewer
    again = comments.resolve(SEED_SLUG, "es", 3, thread[1].id, rev)
    assert again.resolved_by == rev.id
    assert comments.open_questions(item) == {"es": 1, "fr": 1}


@pytest.mark.parametrize(
    ("text", "error"),
    [("", ChorusError), ("  \n ", ChorusError), ("x" * (comments.MAX_CHARS + 1), TooLarge)],
)
def test_bad_comments_are_refused_and_nothing_is_written(people, text, error) -> None:
    with pytest.raises(error):
        comments.add(SEED_SLUG, "es", 3, text, people["ana"])
    assert comments.thread(SEED_SLUG, "es", 3) == []


def test_unknown_places_are_not_found(people) -> None:
    with pytest.raises(NotFound):
        comments.add(SEED_SLUG, "es", 999, "hello", people["ana"])
    with pytest.raises(NotFound):
        comments.add("no-such-article", "es", 1, "hello", people["ana"])
    posted = comments.add(SEED_SLUG, "es", 3, "hello", people["ana"])
    with pytest.raises(NotFound):
        comments.resolve(SEED_SLUG, "fr", 3, posted.comment.id, people["ana"])
