"""Accounts in the browser: sign up, sign in, sign out, the account page; API tokens.

Flask-Login keeps the session (user loader over :mod:`service.queries`) and reads
``Authorization: Bearer <token>`` through its request loader; Flask-WTF puts a CSRF
token on every form; Flask-Limiter caps sign-in and sign-up attempts per address.
"""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, g, jsonify, redirect, render_template, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired

from service import accounts, errors, queries
from service.core import languages
from service.models import User

blueprint = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.signin"
limiter = Limiter(key_func=get_remote_address)
ATTEMPTS = "10 per minute"
WRONG = "wrong name or password"


def init_app(app: Flask) -> None:
    """Cookies HttpOnly and SameSite=Lax, Secure under CHORUS_HTTPS=on; bind the extensions."""
    secure = bool(app.config.get("HTTPS"))
    for prefix in ("SESSION_COOKIE", "REMEMBER_COOKIE"):
        app.config[f"{prefix}_HTTPONLY"] = True
        app.config[f"{prefix}_SAMESITE"] = "Lax"
        app.config[f"{prefix}_SECURE"] = secure
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    login_manager.init_app(app)
    limiter.init_app(app)


@login_manager.user_loader
def _load_user(ident: str) -> User | None:
    return queries.user_by_id(int(ident)) if ident.isdigit() else None


@login_manager.request_loader
def _load_token(req) -> User | None:
    kind, _, plain = req.headers.get("Authorization", "").partition(" ")
    if kind.lower() != "bearer" or not plain.strip():
        return None
    found = accounts.authenticate(plain.strip())
    if found is None:
        return None
    g.token_scope = found[1]
    return found[0]


class SignupForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired()])
    email = StringField("Email (optional, credits you in git)")
    password = PasswordField("Password", validators=[DataRequired()])
    submit = SubmitField("Sign up")


class SigninForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired()])
    password = PasswordField("Password", validators=[DataRequired()])
    remember = BooleanField("Remember me")
    submit = SubmitField("Sign in")


class PasswordForm(FlaskForm):
    old = PasswordField("Current password", validators=[DataRequired()])
    new = PasswordField("New password", validators=[DataRequired()])
    submit = SubmitField("Change password")


class LanguagesForm(FlaskForm):
    codes = StringField("Languages you work in (BCP 47 codes, e.g. es pt-BR)")
    submit = SubmitField("Save languages")


class SignoutForm(FlaskForm):
    pass


def _home():
    return redirect((request.args.get("next", "").startswith("/") and request.args["next"]) or "/")


@blueprint.route("/signup", methods=["GET", "POST"])
@limiter.limit(ATTEMPTS, methods=["POST"])
def signup():
    if not current_app.config.get("SIGNUP", True):
        raise errors.NotFound("sign-up is closed here; ask a coordinator for an account")
    form = SignupForm()
    if form.validate_on_submit():
        try:
            user = accounts.sign_up(form.name.data, form.password.data, form.email.data)
        except errors.ChorusError as error:
            form.form_errors.append(str(error))
        else:
            login_user(user)
            return redirect("/account")
    return render_template("signup.html", form=form), 400 if form.errors else 200


@blueprint.route("/signin", methods=["GET", "POST"])
@limiter.limit(ATTEMPTS, methods=["POST"])
def signin():
    form = SigninForm()
    if form.validate_on_submit():
        user = accounts.check_password(form.name.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            return _home()
        form.form_errors.append(WRONG)
    return render_template("signin.html", form=form), 400 if form.errors else 200


@blueprint.post("/signout")
def signout():
    SignoutForm().validate_on_submit()  # CSRFProtect has checked the token already
    logout_user()
    return redirect("/")


@blueprint.route("/account", methods=["GET", "POST"])
@login_required
def account():
    password = PasswordForm(prefix="password")
    picked = LanguagesForm(prefix="languages")
    saved = None
    if password.submit.data and password.validate_on_submit():
        try:
            accounts.change_password(current_user, password.old.data, password.new.data)
            saved = "Your password is changed."
        except errors.ChorusError as error:
            password.form_errors.append(str(error))
    elif picked.submit.data and picked.validate_on_submit():
        try:
            picked.codes.data = " ".join(
                accounts.set_languages(current_user, picked.codes.data or "")
            )
            saved = "Your languages are saved."
        except errors.ChorusError as error:
            picked.form_errors.append(str(error))
    if not picked.codes.data:
        picked.codes.data = current_user.languages
    mine = [languages.get(code) for code in current_user.working_languages]
    failed = bool(password.errors or picked.errors)
    page = render_template("account.html", password=password, picked=picked, mine=mine, saved=saved)
    return page, 400 if failed else 200


@blueprint.get("/api/v1/whoami")
def whoami():
    if not current_user.is_authenticated:
        raise errors.Unauthorised("sign in, or send Authorization: Bearer <token>")
    scope = g.get("token_scope")
    return jsonify(user=current_user.name, role=current_user.role, scope=scope)
