"""Who may call a route: one rule per view, declared beside it, checked before it runs.

Contract:

1. Every view carries exactly one rule (``public``, ``signed_in``, ``writer`` or
   ``at_least(role)``); a test walks the URL map and fails on a view without one.
2. ``signed_in``: anonymous callers get 401 under ``/api/`` and the sign-in page
   elsewhere. ``writer``: signed in, and a bearer token must have the ``write``
   scope (403 otherwise). ``at_least(role)``: a writer whose role is at least
   ``role`` (403 otherwise, before anything is done).
3. ``Authorization: Bearer <token>`` authenticates a request by the token alone,
   never by the session cookie beside it, and such a request needs no CSRF token
   (a script holding a token is not a browser tricked into sending a cookie); a token of
   scope ``read`` sending any of them gets 403 before anything is read or done. Every
   other unsafe request (POST, PUT, PATCH, DELETE) must carry the session's CSRF
   token, as a form field or an ``X-CSRFToken`` header (Flask-WTF); a missing or
   wrong one is a 400 and nothing is done. A malformed or unknown token is a 401, and so
   is an API write with neither a session nor a token.
4. ``public_write`` (rule ``public``): a write anybody may send, with no account, no
   session and no CSRF token (a reader's feedback from a blog post). Such a view acts
   for nobody, never reading ``current_user``, so a forged cross-site request can do
   nothing its sender could not do anyway; limits on it are per address.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, g, request
from flask_login import current_user
from flask_wtf.csrf import CSRFProtect

from service import accounts, errors
from service.core.messages import N_, Message
from service.models import Role, TokenScope

View = TypeVar("View", bound=Callable[..., Any])
csrf = CSRFProtect()
SAFE = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_SIGN_IN = N_("sign in, or send Authorization: Bearer <token>")
_READ_ONLY = N_("this API token may only read (scope: read)")


def init_app(app: Flask) -> None:
    """Bind CSRF protection, checked here (after bearer tokens) rather than on every POST."""
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    app.config.setdefault("WTF_CSRF_HEADERS", ["X-CSRFToken", "X-CSRF-Token"])
    # A token lives as long as its session: an editor left open for hours must still save.
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    csrf.init_app(app)
    app.before_request(_authenticate)


def _authenticate() -> None:
    header = request.headers.get("Authorization")
    if header is not None:
        kind, _, plain = header.partition(" ")
        if kind.lower() != "bearer" or not plain.strip():
            raise errors.Unauthorised(N_("the Authorization header must be: Bearer <token>"))
        found = accounts.authenticate(plain.strip())
        if found is None:
            raise errors.Unauthorised(N_("unknown API token (make one with: chorus token add)"))
        g._login_user, g.token_scope = found  # Flask-Login's current_user, cookie ignored
        if request.method not in SAFE and g.token_scope == TokenScope.READ.value:
            raise errors.PermissionDenied(_READ_ONLY)  # any write, before its body is read
        return
    if request.method in SAFE or _open_to_anybody():
        return
    if request.path.startswith("/api/") and not current_user.is_authenticated:
        # Nobody to impersonate: say what is missing (every API write needs an account).
        raise errors.Unauthorised(_SIGN_IN)
    csrf.protect()


def _open_to_anybody() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "open_to_anybody", False))


def _rule(name: str, check: Callable[[], None]) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            check()
            return view(*args, **kwargs)

        guarded.access = name  # type: ignore[attr-defined]
        return guarded  # type: ignore[return-value]

    return decorate


def _nobody() -> None:
    return None


def _signed_in() -> None:
    if not current_user.is_authenticated:
        if request.path.startswith("/api/"):
            raise errors.Unauthorised(_SIGN_IN)
        from service.web.auth import login_manager

        raise _Redirect(login_manager.unauthorized())


def _writer() -> None:
    _signed_in()
    if g.get("token_scope") == TokenScope.READ.value:
        raise errors.PermissionDenied(_READ_ONLY)


class _Redirect(Exception):
    """Carries the sign-in redirect out of a rule check (handled in :func:`register`)."""

    def __init__(self, response: Any) -> None:
        super().__init__("sign in first")
        self.response = response


def at_least(role: Role) -> Callable[[View], View]:
    def check() -> None:
        _writer()
        if not Role(current_user.role).at_least(role):
            raise errors.PermissionDenied(
                N_(
                    "%(name)s is a %(role)s; this needs a %(needed)s",
                    name=current_user.name,
                    role=Message(current_user.role),  # the role's word (i18n.WORDS)
                    needed=Message(role.value),
                )
            )

    return _rule(f"at least {role.value}", check)


def _draft_signed_in() -> None:
    if request.args.get("draft", "").lower() not in ("", "0", "false", "no"):
        _signed_in()


public = _rule("public", _nobody)
signed_in = _rule("signed in", _signed_in)
writer = _rule("writer", _writer)
# Published translations are public; their draft (``?draft=1``) is for signed-in users.
public_unless_draft = _rule("public; draft: signed in", _draft_signed_in)


def public_write(view: View) -> View:
    """``public``, for a write that needs no account, session or CSRF token (contract, 4)."""
    guarded = public(view)
    guarded.open_to_anybody = True  # type: ignore[attr-defined]
    return guarded


def register(app: Flask) -> None:
    app.register_error_handler(_Redirect, lambda redirect: redirect.response)
    app.view_functions["static"] = public(app.view_functions["static"])


def rule_of(view: Callable[..., Any]) -> str | None:
    """The access rule a view declares, or None."""
    return getattr(view, "access", None)
