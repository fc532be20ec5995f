"""Accounts in the browser: sign up, sign in, sign out, the account page; API tokens.

Flask-Login keeps the session (user loader over :mod:`service.queries`; bearer tokens
are read in :mod:`service.web.access`); Flask-WTF puts a CSRF token on every form;
Flask-Limiter caps sign-in and sign-up attempts per address, in the storage
``CHORUS_RATELIMIT_STORAGE`` names (shared by every gunicorn worker when it is Redis).
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, redirect, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    widgets,
)
from wtforms.validators import DataRequired

from service import accounts, errors, queries
from service.core import languages
from service.core.messages import N_
from service.models import User
from service.web import access, i18n

blueprint = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.signin"


def client_key() -> str:
    """Whose attempts a rate limit counts: the client's address, an IPv6 one by its /64
    (one subscriber's whole network, which anyone holding it can rotate through)."""
    address = get_remote_address() or ""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


limiter = Limiter(key_func=client_key)
ATTEMPTS = "10 per minute"
WRONG = _l("wrong name or password")
REQUIRED = _l("This field is required.")  # WTForms has no catalog for some of our languages


def init_app(app: Flask) -> None:
    """Cookies HttpOnly and SameSite=Lax, Secure under CHORUS_HTTPS=on; bind the extensions."""
    secure = bool(app.config.get("HTTPS"))
    for prefix in ("SESSION_COOKIE", "REMEMBER_COOKIE"):
        app.config[f"{prefix}_HTTPONLY"] = True
        app.config[f"{prefix}_SAMESITE"] = "Lax"
        app.config[f"{prefix}_SECURE"] = secure
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("RATELIMIT_STORAGE", "memory://"))
    login_manager.init_app(app)
    limiter.init_app(app)


@login_manager.user_loader
def _load_user(ident: str) -> User | None:
    """The session's user, unless the password changed since it signed in."""
    row, _, key = ident.partition(":")
    user = queries.user_by_id(int(row)) if row.isdigit() else None
    return user if user is not None and user.session_key == key else None


def _required() -> DataRequired:
    return DataRequired(message=REQUIRED)


class SignupForm(FlaskForm):
    name = StringField(_l("Name"), validators=[_required()])
    email = StringField(_l("Email (optional, credits you in git)"))
    password = PasswordField(_l("Password"), validators=[_required()])
    submit = SubmitField(_l("Sign up"))


class SigninForm(FlaskForm):
    name = StringField(_l("Name"), validators=[_required()])
    password = PasswordField(_l("Password"), validators=[_required()])
    remember = BooleanField(_l("Remember me"))
    submit = SubmitField(_l("Sign in"))


class PasswordForm(FlaskForm):
    old = PasswordField(_l("Current password"), validators=[_required()])
    new = PasswordField(_l("New password"), validators=[_required()])
    submit = SubmitField(_l("Change password"))


class InterfaceForm(FlaskForm):
    locale = SelectField(_l("Interface language"), choices=[])
    submit = SubmitField(_l("Save interface language"))


class LanguagesForm(FlaskForm):
    common = SelectMultipleField(
        _l("Languages you work in"),
        choices=[],
        option_widget=widgets.CheckboxInput(),
        widget=widgets.ListWidget(prefix_label=False),
        validate_choice=False,  # every code is checked by accounts.set_languages
    )
    codes = StringField(_l("Other languages (BCP 47 codes, e.g. eo pt-PT zh-Hant)"))
    submit = SubmitField(_l("Save languages"))


class SignoutForm(FlaskForm):
    pass


def _next() -> str | None:
    """The ``next`` page when it is a path on this site: no scheme or host, no ``//`` or
    backslash at its start, no control character or whitespace anywhere (browsers drop
    tabs and line breaks from URLs, so ``/\\t/evil.example`` would leave the site)."""
    wanted = request.args.get("next", "")
    if not wanted.startswith("/") or wanted[1:2] in ("/", "\\"):
        return None
    if any(ord(c) < 33 or c in "\\\x7f" for c in wanted) or urlsplit(wanted).netloc:
        return None
    return wanted


def _home():
    return redirect(_next() or "/")


@blueprint.route("/signup", methods=["GET", "POST"])
@limiter.limit(ATTEMPTS, methods=["POST"])
@access.public
def signup():
    if not current_app.config.get("SIGNUP", True):
        raise errors.NotFound(N_("sign-up is closed here; ask a coordinator for an account"))
    form = SignupForm()
    if form.validate_on_submit():
        try:
            user = accounts.sign_up(form.name.data, form.password.data, form.email.data)
        except errors.ChorusError as error:
            form.form_errors.append(str(error))
        else:
            login_user(user)
            return redirect(_next() or "/account")
    return render_template("signup.html", form=form), 400 if form.errors else 200


@blueprint.route("/signin", methods=["GET", "POST"])
@limiter.limit(ATTEMPTS, methods=["POST"])
@access.public
def signin():
    form = SigninForm()
    if form.validate_on_submit():
        user = accounts.check_password(form.name.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            return _home()
        form.form_errors.append(str(WRONG))
    return render_template("signin.html", form=form), 400 if form.errors else 200


@blueprint.post("/signout")
@access.public
def signout():
    SignoutForm().validate_on_submit()  # CSRFProtect has checked the token already
    logout_user()
    return redirect("/")


def _label(code: str) -> str:
    language = languages.get(code)
    return f"{language.native_name} ({i18n.language_name(code)}, {language.code})"


@blueprint.route("/account", methods=["GET", "POST"])
@access.signed_in
def account():
    password = PasswordForm(prefix="password")
    picked = LanguagesForm(prefix="languages")
    interface = InterfaceForm(prefix="interface")
    interface.locale.choices = i18n.choices()
    offered = list(
        dict.fromkeys([*current_app.config["PRIORITY_LANGUAGES"], *current_user.working_languages])
    )
    picked.common.choices = [(code, _label(code)) for code in offered]
    saved = None
    if password.submit.data and password.validate_on_submit():
        try:
            accounts.change_password(current_user, password.old.data, password.new.data)
            login_user(current_user._get_current_object())  # this session stays signed in
            saved = _("Your password is changed.")
        except errors.ChorusError as error:
            password.form_errors.append(str(error))
    elif picked.submit.data and picked.validate_on_submit():
        wanted = " ".join([*(picked.common.data or []), picked.codes.data or ""])
        try:
            accounts.set_languages(current_user, wanted)
        except errors.ChorusError as error:
            picked.form_errors.append(str(error))
        else:
            if _next():
                return _home()
            saved = _("Your languages are saved.")
    elif interface.submit.data and interface.validate_on_submit():
        i18n.set_locale(current_user, interface.locale.data)
        interface.locale.choices = i18n.choices()  # named in the language just picked
        saved = _("Your interface language is saved.")
    if not interface.errors:
        interface.locale.data = current_user.locale or ""
    if not picked.errors:
        picked.common.data = current_user.working_languages
        picked.codes.data = " ".join(c for c in current_user.working_languages if c not in offered)
    mine = [languages.get(code) for code in current_user.working_languages]
    failed = bool(password.errors or picked.errors or interface.errors)
    page = render_template(
        "account.html",
        password=password,
        picked=picked,
        interface_form=interface,
        mine=mine,
        saved=saved,
    )
    return page, 400 if failed else 200
