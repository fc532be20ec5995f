"""The ``chorus`` command: a Flask CLI group over the app factory.

Commands are thin: parse arguments, call use cases, print. A user error is
one line on stderr and exit status 1 (click's ``Error: ...``), never a
traceback. Long operations show a progress bar when stdout is a terminal.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import click
from flask import current_app
from flask.cli import FlaskGroup
from sqlalchemy.exc import DBAPIError

from service import (
    accounts,
    coverage,
    create_app,
    dashboard,
    db,
    errors,
    glossary,
    importing,
    memory,
    offline,
    policy,
    publishing,
    queries,
    reading,
    webhooks,
)
from service.content import Content
from service.core.errors import ChorusError
from service.core.files import atomic_write
from service.errors import Conflict

T = TypeVar("T")


class ChorusGroup(FlaskGroup):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ChorusError as error:
            raise click.ClickException(str(error)) from None
        except DBAPIError as error:
            raise click.ClickException(str(errors.database_error(error))) from None
        except OSError as error:
            raise click.ClickException(f"{error.filename or ''}: {error.strerror}") from None


def _content() -> Content:
    return Content.from_config(current_app.config)


def _output(text: str, path: str | None) -> None:
    if path is None or path == "-":
        sys.stdout.write(text)
        return
    target = Path(path)
    if not target.parent.is_dir():
        raise ChorusError(f"{path}: no such folder {str(target.parent)!r}")
    try:
        atomic_write(target, text)
    except OSError as error:
        raise ChorusError(f"{path}: cannot be written ({error.strerror})") from None


def _progress(items: Iterable[T], label: str) -> Iterator[T]:
    items = list(items)
    if len(items) > 1 and sys.stdout.isatty():
        with click.progressbar(items, label=label, file=sys.stderr) as bar:
            yield from bar
    else:
        yield from items


def _password() -> str:
    return sys.stdin.readline().rstrip("\n")


@click.group(cls=ChorusGroup, create_app=create_app, add_version_option=False)
def main() -> None:
    """Chorus: translate articles with volunteers, publish finished languages to git."""


@main.command("init")
@click.option("--admin", metavar="NAME", help="Create an admin account with this name.")
@click.option("--password-stdin", is_flag=True, help="Read the admin's password from stdin.")
@click.option("--email", help="The admin's email.")
def init_command(admin: str | None, password_stdin: bool, email: str | None) -> None:
    """Create or upgrade the database and import every source/*.md."""
    db.upgrade()
    content = _content()
    for slug in _progress(content.slugs(), "Importing"):
        click.echo(importing.import_article(content, slug).summary())
    if admin:
        password = _password() if password_stdin else None
        try:
            accounts.add_user(admin, "admin", email=email, password=password)
        except Conflict:  # init is run again on every upgrade
            click.echo(f"user {admin} exists already; left as it is")
        else:
            click.echo(f"admin {admin} created")


@main.command("import")
@click.argument("articles", metavar="[SLUG or PATH]...", nargs=-1)
@click.option(
    "--no-retranslate",
    is_flag=True,
    help="The change is a typo fix: keep translations of changed segments current.",
)
def import_command(articles: tuple[str, ...], no_retranslate: bool) -> None:
    """Import or re-import articles (all of source/*.md when none is named)."""
    content = _content()
    names = articles or tuple(content.slugs())
    if not names:
        raise ChorusError(f"no article to import: {content.root / 'source'} has no *.md file")
    for name in _progress(names, "Importing"):
        report = importing.import_article(content, name, retranslate=not no_retranslate)
        click.echo(report.summary())


@main.command("stats")
@click.argument("slug", required=False)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--csv", "as_csv", is_flag=True, help="One row per article and language.")
def stats_command(slug: str | None, as_json: bool, as_csv: bool) -> None:
    """Coverage per article and language, forecasts, and any publication problem."""
    if as_json or as_csv:
        found = dashboard.stats_json()
        if slug:
            queries.article(slug)  # NotFound for an unknown one
            found = [item for item in found if item["article"] == slug]
        if as_csv:
            click.echo(dashboard.stats_csv(found), nl=False)
        else:
            click.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    rows = dashboard.rows()
    if slug:
        queries.article(slug)
        rows = [row for row in rows if row.coverage.slug == slug]
    for row in rows:
        article = row.coverage
        deadline = f", deadline {row.deadline}" if row.deadline else ""
        click.echo(
            f"{article.slug}: {article.segments} segments, {article.words} words; "
            f"{article.published} of {article.target} target languages published{deadline}"
        )
        click.echo(f"  {row.verdict.verdict}: {row.verdict.how}")
        for language in row.languages:
            item = language.status
            line = (
                f"  {item.code:<10} {item.state:<12} {item.percent:>5}% of segments, "
                f"{item.percent_words:>5}% of words"
            )
            if item.queued:
                line += "  publication queued"
            click.echo(line + (f"  problem: {item.problem}" if item.problem else ""))
            ahead = language.forecast
            if not ahead.finished:
                risk = "  AT RISK" if ahead.at_risk else ""
                click.echo(f"    forecast: {ahead.finish or 'none'}{risk} ({ahead.how})")
            if item.critical:
                for failure in coverage.failures(queries.article(article.slug), item.code):
                    click.echo(f"    critical: {failure.describe()}")


@main.group("article")
def article_group() -> None:
    """An article's coverage policy."""


@article_group.command("set")
@click.argument("slug")
@click.option("--target", metavar="N", help="How many published languages the article aims at.")
@click.option("--deadline", metavar="DATE", help="YYYY-MM-DD; empty to clear it.")
@click.option("--review", metavar="on|off", help="Whether translations must be approved.")
@click.option("--priority", metavar="LANGS", help="Language codes shown first, e.g. 'es fr ar'.")
def article_set(
    slug: str, target: str | None, deadline: str | None, review: str | None, priority: str | None
) -> None:
    """Set an article's target, deadline, review policy and priority languages."""
    item = policy.apply(slug, policy.parse(target, deadline, review, priority))
    deadline_text = item.deadline.isoformat() if item.deadline else "none"
    click.echo(
        f"{item.slug}: target {item.target_languages}, deadline {deadline_text}, "
        f"review {'on' if item.review_required else 'off'}, "
        f"priority {item.priority_languages or 'none'}"
    )


@main.command("export")
@click.argument("slug")
@click.argument("language")
@click.option("-o", "--output", metavar="FILE", help="Write to FILE instead of stdout.")
def export_command(slug: str, language: str, output: str | None) -> None:
    """Print the current catalog of LANGUAGE as PO, for offline work."""
    _output(offline.export(_content(), slug, language), output)


@main.command("upload")
@click.argument("slug")
@click.argument("language")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--user", "user_name", required=True, help="Who translated it.")
def upload_command(slug: str, language: str, file: Path, user_name: str) -> None:
    """Merge an offline PO file; prints what happened to every entry."""
    content = _content()
    user = queries.user(user_name)
    if not file.is_file():
        raise ChorusError(f"{file}: no such file")
    report = offline.upload(content, slug, language, file.read_bytes(), user, str(file))
    for line in report.lines():
        click.echo(line)


@main.command("render")
@click.argument("slug")
@click.argument("language")
@click.option("--format", "fmt", type=click.Choice(list(reading.FORMATS)), default="md")
@click.option("--draft", is_flag=True, help="The current state instead of the published one.")
@click.option("-o", "--output", metavar="FILE", help="Write to FILE instead of stdout.")
def render_command(slug: str, language: str, fmt: str, draft: bool, output: str | None) -> None:
    """Print the article in LANGUAGE, byte for byte; source text where no translation."""
    result = reading.read(_content(), slug, language, fmt=fmt, draft=draft)
    for warning in result.warnings:
        click.echo(f"Warning: {warning}", err=True)
    _output(result.text, output)


@main.command("publish")
@click.argument("slug", required=False)
@click.argument("language", required=False)
def publish_command(slug: str | None, language: str | None) -> None:
    """Commit every finished, unpublished language now; retry failed commits and pushes."""
    results = publishing.publish(_content(), slug, language)
    if not results:
        click.echo("nothing to publish: every finished language is published")
    for result in results:
        click.echo(result.summary())
    failed = [r for r in results if r.error]
    if failed:
        raise ChorusError(f"{len(failed)} publication(s) failed; run chorus publish to retry")


@main.command("worker")
@click.option("--workers", default=1, type=int, help="Consumer threads.")
@click.option("--poll", default=1.0, type=float, help="Longest wait between queue polls (s).")
def worker_command(workers: int, poll: float) -> None:
    """Run the background worker: publications (commit and push), with retries."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    queue = current_app.extensions[publishing.QUEUE]
    redone = queue.redo_pending()
    click.echo(f"worker started; {len(redone)} pending publication(s) queued again", err=True)
    queue.run(workers, poll=poll)


@main.group("memory")
def memory_group() -> None:
    """Translation memory, as TMX."""


@memory_group.command("export")
@click.argument("language")
@click.option("-o", "--output", metavar="FILE", help="Write to FILE instead of stdout.")
def memory_export(language: str, output: str | None) -> None:
    """Print the translation memory of LANGUAGE as TMX."""
    _output(memory.export_tmx(language).decode("utf-8"), output)


@memory_group.command("import")
@click.argument("language")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def memory_import(language: str, file: Path) -> None:
    """Add the units of a TMX file to the translation memory of LANGUAGE."""
    if not file.is_file():
        raise ChorusError(f"{file}: no such file")
    click.echo(memory.import_tmx(language, file.read_bytes(), str(file)).summary())


@main.group("glossary")
def glossary_group() -> None:
    """The glossary of a language, as CSV or TBX."""


_GLOSSARY_FORMATS = ("csv", "tbx")


@glossary_group.command("export")
@click.argument("language")
@click.option("--format", "fmt", type=click.Choice(_GLOSSARY_FORMATS), default="csv")
@click.option("-o", "--output", metavar="FILE", help="Write to FILE instead of stdout.")
def glossary_export(language: str, fmt: str, output: str | None) -> None:
    """Print the glossary of LANGUAGE (CSV: term,translation,note; or TBX)."""
    if fmt == "csv":
        _output(glossary.export_csv(language), output)
    else:
        _output(glossary.export_tbx(language).decode("utf-8"), output)


@glossary_group.command("import")
@click.argument("language")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--user", "user_name", required=True, help="Who keeps it (a reviewer or up).")
def glossary_import(language: str, file: Path, user_name: str) -> None:
    """Merge a CSV or TBX file (by its extension) into the glossary of LANGUAGE."""
    user = queries.user(user_name)
    if not file.is_file():
        raise ChorusError(f"{file}: no such file")
    read = glossary.import_tbx if file.suffix.lower() == ".tbx" else glossary.import_csv
    click.echo(read(language, file.read_bytes(), str(file), user).summary())


@main.group("user")
def user_group() -> None:
    """Accounts."""


@user_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["translator", "reviewer", "coordinator", "admin"]))
@click.option("--email")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin.")
def user_add(name: str, role: str | None, email: str | None, password_stdin: bool) -> None:
    """Create an account."""
    password = _password() if password_stdin else None
    user = accounts.add_user(name, role or "translator", email=email, password=password)
    click.echo(f"user {user.name} ({user.role}) created")


@main.group("token")
def token_group() -> None:
    """API tokens for scripts and publishers."""


@token_group.command("add")
@click.argument("name")
@click.option("--user", "user_name", required=True)
@click.option("--scope", type=click.Choice(["read", "write"]), default="read")
def token_add(name: str, user_name: str, scope: str) -> None:
    """Create an API token; it is printed once and cannot be shown again."""
    click.echo(accounts.add_token(name, user_name, scope).token)


@main.command("serve")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=8000, type=int)
@click.option("--workers", default=2, type=int)
def serve_command(host: str, port: int, workers: int) -> None:
    """Run the production server (gunicorn)."""
    gunicorn = Path(sys.executable).parent / "gunicorn"
    os.execv(
        gunicorn,
        [
            str(gunicorn),
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(workers),
            "service:create_app()",
        ],
    )


@main.group("webhook")
def webhook_group() -> None:
    """Webhooks: receivers of the published, outdated and feedback events."""


@webhook_group.command("add")
@click.argument("url")
@click.option("--secret", help="The secret signing every delivery (visible in ps: prefer stdin).")
@click.option("--secret-stdin", is_flag=True, help="Read the secret from stdin.")
@click.option(
    "--events",
    default=",".join(webhooks.EVENTS),
    show_default=True,
    help="Comma-separated events to send.",
)
def webhook_add(url: str, secret: str | None, secret_stdin: bool, events: str) -> None:
    """Register a receiver of events, POSTed as JSON signed with HMAC-SHA256."""
    if secret_stdin == (secret is not None):
        raise ChorusError("give the secret with --secret-stdin (or --secret S), once")
    hook = webhooks.register(url, _password() if secret_stdin else secret, events, None)
    click.echo(f"webhook {hook.id} added: {hook.url} ({hook.events.replace(' ', ', ')})")


@webhook_group.command("list")
def webhook_list() -> None:
    """Every receiver: id, events, URL."""
    hooks = webhooks.webhooks()
    if not hooks:
        click.echo("no webhooks")
    for hook in hooks:
        state = "" if hook.active else "  (inactive)"
        click.echo(f"{hook.id:>4}  {hook.events.replace(' ', ','):<26} {hook.url}{state}")


@webhook_group.command("remove")
@click.argument("ident", metavar="ID", type=int)
def webhook_remove(ident: int) -> None:
    """Delete a receiver and its delivery log."""
    webhooks.remove(ident)
    click.echo(f"webhook {ident} removed")


@webhook_group.command("deliveries")
@click.option("--limit", default=50, type=click.IntRange(1, 10000), show_default=True)
def webhook_deliveries(limit: int) -> None:
    """The delivery log, newest first: status, attempts, the receiver's last answer."""
    rows = webhooks.deliveries(limit)
    if not rows:
        click.echo("no deliveries")
    for row in rows:
        line = (
            f"{row.id:>6}  {row.created_at:%Y-%m-%d %H:%M:%S}  webhook {row.webhook_id:<4} "
            f"{row.event:<10} {row.status:<9} {row.attempts} attempt(s)"
        )
        if row.response_status is not None:
            line += f"  HTTP {row.response_status}"
        click.echo(line + (f"  error: {row.error}" if row.error else ""))


@webhook_group.command("retry")
@click.argument("ident", metavar="ID", type=int)
def webhook_retry(ident: int) -> None:
    """Make a failed delivery pending again; the worker sends it."""
    row = webhooks.retry(ident)
    click.echo(f"delivery {row.id} queued again")
