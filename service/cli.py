"""The ``chorus`` command: a Flask CLI group over the app factory.

Commands are thin: parse arguments, call one use case of
:mod:`service.articles`, print. A user error is one line on stderr and exit
status 1 (click's ``Error: ...``), never a traceback.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click
from flask import current_app
from flask.cli import FlaskGroup

from service import articles, create_app
from service.core.errors import ChorusError
from service.core.files import atomic_write


class ChorusGroup(FlaskGroup):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ChorusError as error:
            raise click.ClickException(str(error)) from None
        except OSError as error:
            raise click.ClickException(f"{error.filename or ''}: {error.strerror}") from None


def _content() -> articles.Content:
    return articles.Content.from_config(current_app.config)


def _output(text: str, path: str | None) -> None:
    if path is None or path == "-":
        sys.stdout.write(text)
    else:
        atomic_write(path, text)


@click.group(cls=ChorusGroup, create_app=create_app, add_version_option=False)
def main() -> None:
    """Chorus: translate articles with volunteers, publish finished languages to git."""


@main.command("import")
@click.argument("articles_", metavar="[SLUG or PATH]...", nargs=-1)
@click.option(
    "--no-retranslate",
    is_flag=True,
    help="The change is a typo fix: keep translations of changed segments current.",
)
def import_command(articles_: tuple[str, ...], no_retranslate: bool) -> None:
    """Import or re-import articles (all of source/*.md when none is named)."""
    content = _content()
    names = articles_ or tuple(articles.slugs(content))
    if not names:
        raise ChorusError(f"no article to import: {content.root / 'source'} has no *.md file")
    for name in names:
        report = articles.import_article(content, name, retranslate=not no_retranslate)
        click.echo(report.summary())


@main.command("export")
@click.argument("slug")
@click.argument("language")
@click.option("-o", "--output", metavar="FILE", help="Write to FILE instead of stdout.")
def export_command(slug: str, language: str, output: str | None) -> None:
    """Print the current catalog of LANGUAGE as PO."""
    _output(articles.export(_content(), slug, language), output)


@main.command("render")
@click.argument("slug")
@click.argument("language")
@click.option("--format", "fmt", type=click.Choice(["md", "html"]), default="md")
@click.option("--draft", is_flag=True, help="Use outdated translations too (the current state).")
@click.option("-o", "--output", metavar="FILE", help="Write to FILE instead of stdout.")
def render_command(slug: str, language: str, fmt: str, draft: bool, output: str | None) -> None:
    """Print the article translated into LANGUAGE, source text where none."""
    rendering = articles.render_article(_content(), slug, language, fmt=fmt, draft=draft)
    for warning in rendering.warnings():
        click.echo(f"Warning: {warning}", err=True)
    _output(rendering.text, output)


@main.command("stats")
@click.argument("slug", required=False)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def stats_command(slug: str | None, as_json: bool) -> None:
    """Coverage per article and language, in segments and words."""
    content = _content()
    rows = []
    for name in [slug] if slug else articles.slugs(content):
        for item in articles.coverage(content, name):
            counts = item.counts
            rows.append(
                {
                    "article": name,
                    "language": item.code,
                    "segments": counts.total_segments,
                    "translated": counts.done(False),
                    "percent": counts.percent_done(False),
                    "words": counts.total_words,
                    "percent_words": counts.percent_done_words(False),
                }
            )
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    click.echo(f"{'article':40} {'language':10} {'segments':>9} {'done':>6} {'words %':>8}")
    for row in rows:
        click.echo(
            f"{row['article']:40} {row['language']:10} {row['segments']:>9} "
            f"{row['percent']:>5}% {row['percent_words']:>7}%"
        )
