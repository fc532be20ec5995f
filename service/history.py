"""The append-only history of translations: the one place a change row is written.

Every change of a translation (editor save, upload, import outdating it, revert,
approval) is one row of ``changes``: who, when, how, old and new text and state,
and the version it made. Rows are never updated nor deleted. Writing one also
marks the article's language for a coverage recount before the transaction
commits (:func:`service.coverage.touch`), so no change can miss the summary.
"""

from __future__ import annotations

from datetime import datetime

from service import coverage
from service.db import db
from service.models import Change, How, Segment, User, utcnow


def record(
    segment: Segment,
    language: str,
    user: User | None,
    how: How,
    *,
    old: tuple[str, int],
    new: tuple[str, int],
    version: int,
    at: datetime | None = None,
) -> Change:
    """Add one history row (``old`` and ``new`` are (text, state)) in the current transaction."""
    change = Change(
        segment_id=segment.id,
        language=language,
        user_id=user.id if user else None,
        at=at or utcnow(),
        how=how.value,
        old_text=old[0],
        new_text=new[0],
        old_state=int(old[1]),
        new_state=int(new[1]),
        version=version,
    )
    db.session.add(change)
    coverage.touch(segment.article_id, language)
    return change
