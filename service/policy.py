"""An article's coverage policy: its language target, priority languages, deadline, review.

Contract:

1. :func:`parse` turns what a person typed (the dashboard's form, ``chorus article set``)
   into a :class:`Policy` whose fields left as None are not changed: the target a whole
   number from 0 to :data:`MAX_TARGET`; the deadline an ISO date (``YYYY-MM-DD``), or
   empty to clear it; review ``on`` / ``off``; priority languages valid language codes
   separated by spaces or commas (canonical BCP 47, each once, in the order given),
   or empty for none. Anything else is a :class:`~service.core.errors.ChorusError` (400)
   naming the field, and nothing is changed.
2. :func:`apply` stores a policy on an article in one transaction and commits. Turning
   review on or off changes which languages are finished (the coverage summary counts
   states, so it holds either way): every language now finished is recorded as a due
   publication, woken after the commit, as any other change that finishes a language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from service import publishing, queries
from service.core import languages
from service.core.errors import ChorusError, LanguageError
from service.core.messages import N_
from service.db import db
from service.models import Article, utcnow

MAX_TARGET = 1000
_UNSET = object()


@dataclass(frozen=True)
class Policy:
    target: int | None = None
    deadline: date | object | None = _UNSET  # _UNSET: unchanged; None: cleared
    review: bool | None = None
    priority: tuple[str, ...] | None = None

    @property
    def changes_deadline(self) -> bool:
        return self.deadline is not _UNSET


def parse(
    target: str | None = None,
    deadline: str | None = None,
    review: str | None = None,
    priority: str | None = None,
) -> Policy:
    """The policy typed in; None leaves a field as it is. Raises ChorusError."""
    values: dict[str, object] = {}
    if target is not None:
        text = target.strip()
        if not (text.isdecimal() and len(text) <= 4) or not 0 <= int(text) <= MAX_TARGET:
            raise ChorusError(
                N_(
                    "target: %(value)r is not a number of languages from 0 to %(most)s",
                    value=target,
                    most=MAX_TARGET,
                )
            )
        values["target"] = int(text)
    if deadline is not None:
        text = deadline.strip()
        try:
            values["deadline"] = date.fromisoformat(text) if text else None
        except ValueError:
            raise ChorusError(
                N_("deadline: %(value)r is not a date (YYYY-MM-DD)", value=deadline)
            ) from None
    if review is not None:
        text = review.strip().lower()
        if text not in ("on", "off"):
            raise ChorusError(N_("review: %(value)r must be on or off", value=review))
        values["review"] = text == "on"
    if priority is not None:
        codes: list[str] = []
        for tag in re.split(r"[\s,]+", priority.strip()):
            if not tag:
                continue
            try:
                code = languages.get(tag).code
            except LanguageError:
                raise ChorusError(
                    N_("priority languages: %(value)r is not a language code", value=tag)
                ) from None
            if code not in codes:
                codes.append(code)
        values["priority"] = tuple(codes)
    return Policy(**values)


def apply(slug: str, policy: Policy) -> Article:
    """Store ``policy`` on the article; commits. Raises NotFound."""
    item = queries.article(slug, for_update=True)
    if policy.target is not None:
        item.target_languages = policy.target
    if policy.changes_deadline:
        item.deadline = policy.deadline  # type: ignore[assignment]
    if policy.priority is not None:
        item.priority_languages = " ".join(policy.priority)
    due = []
    if policy.review is not None and policy.review != item.review_required:
        item.review_required = policy.review
        due = [publishing.due(item, code) for code in queries.started_languages(item)]
    item.updated_at = utcnow()
    db.session.commit()
    publishing.wake(due)
    return item
