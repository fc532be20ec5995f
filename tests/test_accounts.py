"""Accounts and API tokens, on the migrated database (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from service import accounts
from service.content import Content
from service.core.errors import ChorusError
from service.db import db
from service.errors import Conflict, NotFound
from service.models import Role, Token, User, utcnow

GOOD_PASSWORD = "correct horse battery"


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def stored_user(name: str) -> User | None:
    db.session.expire_all()  # read what the database holds, not the session's copy
    return db.session.scalar(select(User).where(User.name == name))


# -- add_user -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "role", "email", "password"),
    [
        pytest.param("ana", "translator", None, None, id="bare translator"),
        pytest.param("a", "reviewer", None, None, id="one character"),
        pytest.param("a" * 64, "coordinator", None, None, id="64 characters"),
        pytest.param("Ana.B_c-1", "admin", "ana@example.org", GOOD_PASSWORD, id="all fields"),
        pytest.param("9lives", "translator", "x@y", "12345678", id="8-character password"),
    ],
)
def test_add_user_accepts(
    ctx: Content, name: str, role: str, email: str | None, password: str | None
) -> None:
    user = accounts.add_user(name, role, email=email, password=password)
    assert (user.name, user.role, user.email) == (name, role, email)
    found = stored_user(name)
    assert found is not None
    assert (found.name, found.role, found.email) == (name, role, email)
    if password is None:
        assert found.password_hash is None
    else:
        assert found.password_hash
        assert password not in found.password_hash


@pytest.mark.parametrize(
    ("name", "role", "email", "password", "message"),
    [
        pytest.param("", "translator", None, None, "'' is not a user name", id="empty name"),
        pytest.param(" ana", "translator", None, None, "is not a user name", id="leading space"),
        pytest.param("ana bo", "translator", None, None, "is not a user name", id="space"),
        pytest.param("-ana", "translator", None, None, "is not a user name", id="leading dash"),
        pytest.param(".ana", "translator", None, None, "is not a user name", id="leading dot"),
        pytest.param("ana/bo", "translator", None, None, "is not a user name", id="slash"),
        pytest.param("ana\n", "translator", None, None, "is not a user name", id="newline"),
        pytest.param("anaé", "translator", None, None, "is not a user name", id="non-ASCII"),
        pytest.param("a" * 65, "translator", None, None, "64 at most", id="65 characters"),
        pytest.param("ana", "root", None, None, "unknown role 'root'", id="unknown role"),
        pytest.param("ana", "Translator", None, None, "unknown role", id="role in capitals"),
        pytest.param("ana", "", None, None, "unknown role ''", id="empty role"),
        pytest.param("ana", "translator", "ana", None, "'ana' is not an email", id="no @"),
        pytest.param("ana", "translator", "", None, "is not an email", id="empty email"),
        pytest.param("ana", "translator", "a@b@c", None, "is not an email", id="two @"),
        pytest.param("ana", "translator", "a b@c", None, "is not an email", id="space in email"),
        pytest.param("ana", "translator", "<a@b>", None, "is not an email", id="angle brackets"),
        pytest.param("ana", "translator", "@b", None, "is not an email", id="no local part"),
        pytest.param("ana", "translator", None, "1234567", "at least 8", id="short password"),
        pytest.param("ana", "translator", None, "", "at least 8", id="empty password"),
    ],
)
def test_add_user_rejects(
    ctx: Content, name: str, role: str, email: str | None, password: str | None, message: str
) -> None:
    with pytest.raises(ChorusError) as raised:
        accounts.add_user(name, role, email=email, password=password)
    assert not isinstance(raised.value, Conflict)
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)
    assert count(User) == 0


def test_unknown_role_lists_the_roles(ctx: Content) -> None:
    with pytest.raises(ChorusError, match=r"one of: translator, reviewer, coordinator, admin"):
        accounts.add_user("ana", "superuser")
    assert [r.value for r in Role] == ["translator", "reviewer", "coordinator", "admin"]


def test_a_name_taken_is_a_conflict(ctx: Content) -> None:
    accounts.add_user("ana", "translator", email="ana@example.org")
    with pytest.raises(Conflict, match=r"user 'ana' exists already"):
        accounts.add_user("ana", "admin", email="other@example.org", password=GOOD_PASSWORD)
    assert count(User) == 1
    kept = stored_user("ana")
    assert (kept.role, kept.email, kept.password_hash) == ("translator", "ana@example.org", None)


def test_the_password_is_stored_hashed(ctx: Content) -> None:
    accounts.add_user("ana", "translator", password=GOOD_PASSWORD)
    accounts.add_user("bo", "translator", password=GOOD_PASSWORD)
    ana, bo = stored_user("ana"), stored_user("bo")
    assert GOOD_PASSWORD not in ana.password_hash
    assert ana.password_hash != bo.password_hash  # salted


# -- check_password ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "password", "ok"),
    [
        pytest.param("ana", GOOD_PASSWORD, True, id="right"),
        pytest.param("ana", GOOD_PASSWORD.upper(), False, id="wrong case"),
        pytest.param("ana", GOOD_PASSWORD + " ", False, id="trailing space"),
        pytest.param("ana", "", False, id="empty"),
        pytest.param("ana", "12345678", False, id="wrong"),
        pytest.param("bo", GOOD_PASSWORD, False, id="another user's password"),
        pytest.param("nobody", GOOD_PASSWORD, False, id="unknown user"),
        pytest.param("cy", "", False, id="account without password, empty"),
        pytest.param("cy", GOOD_PASSWORD, False, id="account without password"),
    ],
)
def test_check_password(ctx: Content, name: str, password: str, ok: bool) -> None:
    accounts.add_user("ana", "translator", password=GOOD_PASSWORD)
    accounts.add_user("bo", "translator", password="bo's own password")
    accounts.add_user("cy", "translator")
    found = accounts.check_password(name, password)
    if ok:
        assert found is not None
        assert found.name == name
    else:
        assert found is None


# -- tokens -----------------------------------------------------------------------------------


@pytest.fixture
def ana(ctx: Content) -> User:
    return accounts.add_user("ana", "translator", email="ana@example.org")


@pytest.mark.parametrize("scope", ["read", "write"])
def test_add_token_returns_the_token_once_and_stores_only_its_digest(ana: User, scope: str) -> None:
    made = accounts.add_token("deploy-bot", "ana", scope=scope)
    assert (made.name, made.user, made.scope) == ("deploy-bot", "ana", scope)
    assert made.token.startswith("chorus_")
    assert len(made.token) > 40

    db.session.expire_all()
    [row] = db.session.scalars(select(Token)).all()
    assert row.digest == hashlib.sha256(made.token.encode("utf-8")).hexdigest()
    assert row.digest == accounts.digest(made.token)
    assert (row.name, row.scope, row.user.name, row.last_used_at) == (
        "deploy-bot",
        scope,
        "ana",
        None,
    )
    values = {column.name: getattr(row, column.key) for column in Token.__table__.columns}
    assert made.token not in values.values()
    assert not any(made.token in str(value) for value in values.values())
    # Nor anywhere else in the token table, read straight from the database.
    raw = db.session.execute(select(Token.__table__)).all()
    assert not any(made.token in str(value) for record in raw for value in record)


def test_every_token_is_new(ana: User) -> None:
    tokens = {accounts.add_token(f"t{n}", "ana").token for n in range(5)}
    assert len(tokens) == 5
    assert count(Token) == 5


def test_the_default_scope_is_read(ana: User) -> None:
    assert accounts.add_token("reader", "ana").scope == "read"


@pytest.mark.parametrize("scope", ["admin", "", "READ", "Write", "read ", "read,write"])
def test_a_bad_scope_is_rejected(ana: User, scope: str) -> None:
    with pytest.raises(ChorusError, match=r"unknown scope .* \(read or write\)"):
        accounts.add_token("bot", "ana", scope=scope)
    assert count(Token) == 0


@pytest.mark.parametrize("name", ["", "bad name", "-bot", "bot/1", "x" * 65])
def test_a_bad_token_name_is_rejected(ana: User, name: str) -> None:
    with pytest.raises(ChorusError, match=r"is not a token name"):
        accounts.add_token(name, "ana")
    assert count(Token) == 0


def test_a_token_name_taken_by_the_same_user_is_a_conflict(ana: User) -> None:
    first = accounts.add_token("deploy-bot", "ana", scope="read")
    with pytest.raises(Conflict, match=r"ana has a token named 'deploy-bot' already"):
        accounts.add_token("deploy-bot", "ana", scope="write")
    assert count(Token) == 1
    assert accounts.authenticate(first.token) == (ana, "read")
    # The name is one user's: another user may have a token of that name.
    accounts.add_user("bo", "translator")
    assert accounts.add_token("deploy-bot", "bo").user == "bo"
    assert count(Token) == 2


def test_a_token_for_an_unknown_user_is_not_found(ana: User) -> None:
    with pytest.raises(NotFound, match=r"no user 'nobody'"):
        accounts.add_token("bot", "nobody")
    assert count(Token) == 0


@pytest.mark.parametrize("scope", ["read", "write"])
def test_authenticate_returns_the_user_and_scope_and_records_the_use(ana: User, scope: str) -> None:
    accounts.add_user("bo", "reviewer")
    made = accounts.add_token("bot", "ana", scope=scope)
    accounts.add_token("other", "bo", scope="write")
    before = utcnow() - timedelta(seconds=1)

    found = accounts.authenticate(made.token)

    assert found is not None
    user, got = found
    assert (user.name, user.role, got) == ("ana", "translator", scope)
    db.session.expire_all()
    used = db.session.scalar(select(Token).where(Token.name == "bot"))
    assert used.last_used_at is not None
    assert before <= used.last_used_at <= utcnow() + timedelta(seconds=1)
    untouched = db.session.scalar(select(Token).where(Token.name == "other"))
    assert untouched.last_used_at is None

    first_use = used.last_used_at
    assert accounts.authenticate(made.token) is not None
    db.session.expire_all()
    assert db.session.scalar(select(Token).where(Token.name == "bot")).last_used_at >= first_use


@pytest.mark.parametrize(
    "presented",
    [
        pytest.param(lambda token: "", id="empty"),
        pytest.param(lambda token: "chorus_not-a-real-token", id="made up"),
        pytest.param(lambda token: token[:-1], id="truncated"),
        pytest.param(lambda token: token + "x", id="extended"),
        pytest.param(lambda token: token.upper(), id="other case"),
        pytest.param(lambda token: f" {token}", id="leading space"),
        pytest.param(accounts.digest, id="the stored digest itself"),
    ],
)
def test_an_unknown_token_authenticates_nobody(ana: User, presented) -> None:
    made = accounts.add_token("bot", "ana", scope="write")
    assert accounts.authenticate(presented(made.token)) is None
    db.session.expire_all()
    assert db.session.scalar(select(Token)).last_used_at is None
