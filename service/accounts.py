"""Accounts and API tokens.

Users have a name, an optional email (used to credit them in git) and a role:
translator, reviewer, coordinator or admin, each allowed what the previous
one is. Passwords are stored as werkzeug hashes. An API token is shown once,
when it is made; only its SHA-256 digest is stored, so a stolen database holds
no usable token.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from service import queries
from service.core import languages
from service.core.errors import ChorusError
from service.core.messages import N_
from service.db import db
from service.errors import Conflict, PermissionDenied
from service.models import Role, Token, TokenScope, User, utcnow

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_EMAIL = re.compile(r"[^@\s<>]+@[^@\s<>]+")
MIN_PASSWORD = 8


def _short_password() -> str:
    return N_("the password needs at least %(num)s characters", num=MIN_PASSWORD)


def add_user(
    name: str, role: str, *, email: str | None = None, password: str | None = None
) -> User:
    """Create an account; raises ChorusError for a bad name, role, email or password, or a
    name already taken."""
    if not _NAME.fullmatch(name):
        raise ChorusError(
            N_(
                "%(name)r is not a user name (letters, digits, '.', '_', '-'; 64 at most)",
                name=name,
            )
        )
    if role not in {r.value for r in Role}:
        raise ChorusError(f"unknown role {role!r} (one of: {', '.join(r.value for r in Role)})")
    if email is not None and not _EMAIL.fullmatch(email):
        raise ChorusError(N_("%(email)r is not an email address", email=email))
    if password is not None and len(password) < MIN_PASSWORD:
        raise ChorusError(_short_password())
    if queries.find_user(name) is not None:
        raise Conflict(N_("user %(name)r exists already", name=name))
    user = User(
        name=name,
        role=role,
        email=email,
        password_hash=generate_password_hash(password) if password else None,
    )
    db.session.add(user)
    db.session.commit()
    return user


def check_password(name: str, password: str) -> User | None:
    user = queries.find_user(name)
    if user is None or not user.password_hash:
        return None
    return user if check_password_hash(user.password_hash, password) else None


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class NewToken:
    name: str
    user: str
    scope: str
    token: str  # shown once


def add_token(name: str, user_name: str, scope: str = "read") -> NewToken:
    """Make an API token for a user; the plain token is returned once and never stored."""
    if scope not in {s.value for s in TokenScope}:
        raise ChorusError(f"unknown scope {scope!r} (read or write)")
    if not _NAME.fullmatch(name):
        raise ChorusError(f"{name!r} is not a token name (letters, digits, '.', '_', '-')")
    user = queries.user(user_name)
    taken = select(Token).where(Token.user_id == user.id, Token.name == name)
    if db.session.scalar(taken) is not None:
        raise Conflict(f"{user.name} has a token named {name!r} already")
    plain = "chorus_" + secrets.token_urlsafe(32)
    db.session.add(Token(user_id=user.id, name=name, digest=digest(plain), scope=scope))
    db.session.commit()
    return NewToken(name, user.name, scope, plain)


def authenticate(plain: str) -> tuple[User, str] | None:
    """The user and scope of a token, or None for an unknown one."""
    token = db.session.scalar(select(Token).where(Token.digest == digest(plain)))
    if token is None:
        return None
    token.last_used_at = utcnow()
    db.session.commit()
    return token.user, token.scope


def sign_up(name: str, password: str, email: str | None = None) -> User:
    """A volunteer's own account (role translator); raises ChorusError as add_user does."""
    if not password:
        raise ChorusError(_short_password())
    return add_user(name, Role.TRANSLATOR.value, email=email or None, password=password)


def change_password(user: User, old: str, new: str) -> None:
    """Replace a password; raises PermissionDenied for a wrong old one, ChorusError for a
    short new one."""
    if not user.password_hash or not check_password_hash(user.password_hash, old):
        raise PermissionDenied(N_("the current password is wrong"))
    if len(new) < MIN_PASSWORD:
        raise ChorusError(_short_password())
    user.password_hash = generate_password_hash(new)
    db.session.commit()


def set_languages(user: User, codes: str) -> list[str]:
    """Store the languages a user works in (BCP 47, space- or comma-separated), canonical
    and without repeats; raises LanguageError naming a code that is no language."""
    found: list[str] = []
    for code in codes.replace(",", " ").split():
        canonical = languages.get(code).code
        if canonical not in found:
            found.append(canonical)
    user.languages = " ".join(found)
    db.session.commit()
    return found
