"""Presence: a lease per user and segment, in the database, never a lock."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from service import presence, translating
from service.db import db
from service.models import Presence, utcnow
from tests.conftest import SEED_SLUG


def test_others_see_who_is_where_and_not_themselves(people) -> None:
    ana, bo, cy = people["ana"], people["bo"], people["cy"]
    assert presence.here(SEED_SLUG, "es", 3, ana) == {}
    assert presence.here(SEED_SLUG, "es", 3, bo) == {3: ["ana"]}
    assert presence.others(SEED_SLUG, "es", ana) == {3: ["bo"]}
    assert presence.others(SEED_SLUG, "es", cy) == {3: ["ana", "bo"]}
    assert presence.others(SEED_SLUG, "fr", cy) == {}  # another language is another place
    presence.here(SEED_SLUG, "es", 4, ana)  # moving leaves segment 3
    assert presence.others(SEED_SLUG, "es", cy) == {3: ["bo"], 4: ["ana"]}
    presence.here(SEED_SLUG, "es", None, bo)  # leaving the editor
    assert presence.others(SEED_SLUG, "es", cy) == {4: ["ana"]}


def test_a_lease_not_renewed_expires(people) -> None:
    ana, bo = people["ana"], people["bo"]
    presence.here(SEED_SLUG, "es", 3, ana)
    presence.here(SEED_SLUG, "es", 5, bo)
    old = utcnow() - timedelta(seconds=presence.LEASE + 1)
    db.session.execute(update(Presence).where(Presence.user_id == ana.id).values(seen_at=old))
    db.session.commit()
    assert presence.others(SEED_SLUG, "es", None) == {5: ["bo"]}
    assert db.session.query(Presence).filter_by(user_id=ana.id).count() == 0  # cleaned up
    presence.here(SEED_SLUG, "es", 3, ana)  # renewing brings it back
    assert presence.others(SEED_SLUG, "es", bo) == {3: ["ana"]}


def test_presence_never_blocks_a_save(ctx, people) -> None:
    presence.here(SEED_SLUG, "es", 3, people["ana"])
    result = translating.save(ctx, SEED_SLUG, "es", 3, "Texto", 0, people["bo"])
    assert result.applied
