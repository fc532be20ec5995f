"""The interface in the volunteers' languages: the locale each request gets, every template
string marked, every shipped catalog complete and compiling, the editor script's messages,
numbers and dates written for the locale."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
from collections import Counter
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import lxml.html
import pytest
from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient
from jinja2 import Environment

from service import accounts, create_app, importing, queries, settings, translating
from service.content import Content
from service.core import languages
from service.db import db
from service.db import upgrade as migrate
from service.web import i18n
from tests.conftest import ROOT, SEED_SLUG

TEMPLATES = sorted((ROOT / "templates").glob("*.html"))
POT = i18n.TRANSLATIONS / "messages.pot"
PASSWORD = "long enough password"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """One app for the module (these tests only read, or set what they check): the seed
    article imported, one French segment translated, the account ``ana``."""
    folder = tmp_path_factory.mktemp("i18n")
    content = folder / "content"
    shutil.copytree(ROOT / "source", content / "source")
    (content / "po").mkdir()
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    for args in (
        ["init", "-q", "-b", "main"],
        ["-c", "user.name=Site Owner", "-c", "user.email=owner@example.org", "add", "source"],
        ["-c", "user.name=Site", "-c", "user.email=s@example.org", "commit", "-qm", "Articles"],
    ):
        subprocess.run(["git", "-C", str(content), *args], env=env, check=True, timeout=60)
    app = create_app(
        {
            "TESTING": True,
            "CONTENT_DIR": content,
            "SECRET_KEY": "test",
            "DATABASE_URL": f"sqlite:///{folder / 'chorus.db'}",
            "QUEUE_URL": f"sqlite:///{folder / 'queue.db'}",
        }
    )
    app.instance_path = str(folder / "instance")
    with app.app_context():
        migrate()
        found = Content.from_config(app.config)
        importing.import_article(found, SEED_SLUG)
        ana = accounts.add_user("ana", "translator", password=PASSWORD)
        first = queries.segments(queries.article(SEED_SLUG))[1]
        translating.save(found, SEED_SLUG, "fr", first.number, "Traduire cet article", 0, ana)
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(site: Flask) -> FlaskClient:
    return site.test_client()


def catalog_path(code: str, suffix: str = "po") -> Path:
    return i18n.TRANSLATIONS / languages.get(code).gettext / "LC_MESSAGES" / f"messages.{suffix}"


def page(client: FlaskClient, path: str, **headers: str) -> lxml.html.HtmlElement:
    response = client.get(path, headers=headers)
    assert response.status_code == 200, (path, response.status_code)
    return lxml.html.fromstring(response.get_data(as_text=True))


def interface_of(client: FlaskClient, path: str = "/", **headers: str) -> tuple[str, str]:
    root = page(client, path, **headers)
    return root.get("lang"), root.get("dir")


# -- which language a request gets ---------------------------------------------------

NEGOTIATION = [  # (Accept-Language, ?lang=, the account's setting, the interface)
    (None, None, None, "en"),
    ("es", None, None, "es"),
    ("es-ES,es;q=0.9,en;q=0.8", None, None, "es"),
    ("pt-BR", None, None, "pt-BR"),
    ("pt-PT, de;q=0.5", None, None, "pt-BR"),  # the language before a weaker exact match
    ("zh-CN", None, None, "zh-Hans"),
    ("zh-Hans-CN", None, None, "zh-Hans"),
    ("zh-TW, ja;q=0.5", None, None, "ja"),  # Traditional Chinese never gets Simplified
    ("eo, ar;q=0.3", None, None, "ar"),  # no Esperanto interface: the next one asked for
    ("eo", None, None, "en"),
    ("*", None, None, "en"),
    ("es", "fr", None, "fr"),  # ?lang= before the browser
    ("es", "zh-hans", None, "zh-Hans"),  # any case, BCP 47 or gettext form
    ("es", "pt_BR", None, "pt-BR"),
    ("es", "xx-!!", None, "es"),  # not a language: ignored
    ("es", "eo", None, "es"),  # no interface catalog: ignored
    ("es", "en", None, "en"),  # back to the source language
    ("es", "fr", "de", "de"),  # the account's setting before everything
    ("es", None, "", "es"),  # "" asks the browser
    ("es", "fr", "", "fr"),
]


@pytest.mark.parametrize(("accept", "query", "setting", "expected"), NEGOTIATION)
def test_the_interface_language_is_chosen_in_order(
    site: Flask, accept: str | None, query: str | None, setting: str | None, expected: str
) -> None:
    client = site.test_client()
    if setting is not None:
        sign_in(site, client, "ana", setting)
    headers = {"Accept-Language": accept} if accept else {}
    path = f"/?lang={query}" if query else "/"
    assert interface_of(client, path, **headers)[0] == expected


def sign_in(site: Flask, client: FlaskClient, name: str, setting: str) -> None:
    """Sign ``name`` in through the form, with ``setting`` as their interface language."""
    with site.app_context():
        queries.user(name).locale = setting
        db.session.commit()
        db.session.remove()
    token = lxml.html.fromstring(client.get("/signin").text).xpath("//input[@name='csrf_token']")
    data = {"csrf_token": token[0].get("value"), "name": name, "password": PASSWORD}
    assert client.post("/signin", data=data).status_code == 302


def test_lang_in_the_url_is_kept_while_navigating(client: FlaskClient) -> None:
    assert interface_of(client, "/?lang=de", **{"Accept-Language": "es"})[0] == "de"
    assert interface_of(client, "/signin", **{"Accept-Language": "es"})[0] == "de"
    assert interface_of(client, "/?lang=en")[0] == "en"
    assert interface_of(client, "/signin", **{"Accept-Language": "es"})[0] == "en"


def test_starting_a_language_does_not_change_the_interface(client: FlaskClient) -> None:
    started = client.get(f"/articles/{SEED_SLUG}/translate?lang=ja")
    assert started.status_code == 302
    assert interface_of(client, "/")[0] == "en"


@pytest.mark.parametrize("code", ["ar", "en", "zh-Hans"])
def test_the_html_element_carries_the_interface_language_and_direction(
    client: FlaskClient, code: str
) -> None:
    direction = "rtl" if code == "ar" else "ltr"
    for path in ("/", f"/articles/{SEED_SLUG}", f"/articles/{SEED_SLUG}/es", "/signin", "/x"):
        response = client.get(f"{path}?lang={code}")
        root = lxml.html.fromstring(response.get_data(as_text=True))
        assert (root.get("lang"), root.get("dir")) == (code, direction), path


def test_the_footer_offers_every_interface_language(client: FlaskClient) -> None:
    root = page(client, "/signin?next=/account")
    links = root.xpath("//footer//a[@hreflang]")
    assert sorted(link.get("hreflang") for link in links) == sorted(i18n.INTERFACE)
    spanish = next(link for link in links if link.get("hreflang") == "es")
    assert spanish.text_content() == "español" and spanish.get("lang") == "es"
    assert spanish.get("href") == "/signin?next=%2Faccount&lang=es"
    arabic = next(link for link in links if link.get("hreflang") == "ar")
    assert arabic.get("dir") == "rtl"


def test_the_account_page_picks_the_interface_language(site: Flask) -> None:
    client = site.test_client()
    sign_in(site, client, "ana", "")
    form = page(client, "/account")
    options = form.xpath("//select[@name='interface-locale']/option/@value")
    assert sorted(options) == sorted(["", *i18n.INTERFACE])
    token = form.xpath("//input[@name='interface-csrf_token']/@value")[0]
    data = {"interface-csrf_token": token, "interface-submit": "1", "interface-locale": "pt-BR"}
    saved = client.post("/account", data=data)
    assert saved.status_code == 200
    root = lxml.html.fromstring(saved.get_data(as_text=True))
    assert root.get("lang") == "pt-BR"  # this very answer is in the language picked
    with site.app_context():
        assert queries.user("ana").locale == "pt-BR"
    assert interface_of(client, "/?lang=de", **{"Accept-Language": "es"})[0] == "pt-BR"
    refused = client.post("/account", data={**data, "interface-locale": "eo"})
    assert refused.status_code == 400
    back = client.post("/account", data={**data, "interface-locale": ""})
    assert back.status_code == 200
    with site.app_context():
        assert queries.user("ana").locale == ""
    # The browser decides again: first its ?lang= of earlier, remembered, then its header.
    assert interface_of(client, "/", **{"Accept-Language": "es"})[0] == "de"
    with client.session_transaction() as session:
        session.pop(i18n.SESSION_KEY)
    assert interface_of(client, "/", **{"Accept-Language": "es"})[0] == "es"


@pytest.mark.parametrize(
    ("code", "valid"), [("", True), ("de", True), ("zh-hans", True), ("eo", False), ("x!", False)]
)
def test_set_locale_stores_a_shipped_language_or_nothing(
    site: Flask, code: str, valid: bool
) -> None:
    with site.test_request_context():
        user = queries.user("ana")
        if valid:
            assert i18n.set_locale(user, code) == (languages.get(code).code if code else "")
        else:
            with pytest.raises(i18n.ChorusError):
                i18n.set_locale(user, code)


# -- every template string marked ----------------------------------------------------

# Words a template may show untranslated: the product's name only.
NOT_TRANSLATED = {"Chorus"}
USER_FACING = {"aria-label", "title", "placeholder", "alt", "label", "summary"}
WORD = re.compile(r"[^\W\d_]{2,}")
# A string literal inside {{ }} or {% %} that reads like prose: words with a space between
# them, or one capitalised word ("All"); identifiers (SubmitField, pages.editor) are not.
PROSE = re.compile(r"[^\W\d_]{2,}\s+[^\W\d_]|^[A-Z][a-z]+$")
MARKERS = {"_", "gettext", "ngettext", "pgettext", "npgettext"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_data(self, data: str) -> None:
        self.found.append(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found += [value or "" for name, value in attrs if name in USER_FACING]


def unmarked(source: str) -> list[str]:
    """The words a template shows that no ``_()``, ``ngettext()`` or ``{% trans %}`` marks."""
    env = Environment(extensions=["jinja2.ext.i18n"])
    kept: list[str] = []
    prose: list[str] = []
    inside_trans = 0
    tokens = [t for t in env.lex(source) if t[1] != "whitespace"]
    for index, (_, kind, value) in enumerate(tokens):
        if kind == "block_begin":
            name = tokens[index + 1][2] if index + 1 < len(tokens) else ""
            inside_trans += {"trans": 1, "endtrans": -1}.get(name, 0)
            kept.append(" ")  # a tag may hold a block: <tr{% if %} class="mine"{% endif %}>
        elif kind == "variable_begin":
            kept.append("\x00")
        elif kind == "data" and not inside_trans:
            kept.append(value)
        elif kind == "string" and PROSE.search(value[1:-1]):
            before = [t[2] for t in tokens[max(0, index - 4) : index]]
            marked = "(" in before and any(word in MARKERS for word in before)
            if not marked:
                prose.append(value[1:-1])
    parser = _Text()
    parser.feed("".join(kept))
    parser.close()
    words = [w for text in parser.found for w in WORD.findall(text) if w not in NOT_TRANSLATED]
    return words + prose


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: path.name)
def test_every_template_string_is_marked_for_translation(template: Path) -> None:
    assert unmarked(template.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("<p>{{ _('Sign in') }}</p>", []),
        ("<p>{% trans %}Sign <b>in</b>{% endtrans %}</p>", []),
        ("<p>Sign in</p>", ["Sign", "in"]),
        ('<button aria-label="Save {{ n }}">{{ _("Save") }}</button>', ["Save"]),
        ("<title>{{ title }} · Chorus</title>", []),
        ("{% for v, l in [('all', 'All')] %}{{ l }}{% endfor %}", ["All"]),
        ("{% for v, l in [('all', _('All'))] %}{{ l }}{% endfor %}", []),
        ("{{ ngettext('%(num)s term', '%(num)s terms', n) }}", []),
        (
            '<input type="search" placeholder="source or translation">',
            ["source", "or", "translation"],
        ),
        ('{% if f.type == "BooleanField" %}{% endif %}', []),
    ],
)
def test_the_template_scan_finds_what_is_not_marked(source: str, found: list[str]) -> None:
    assert unmarked(source) == found


# -- the shipped catalogs --------------------------------------------------------------


def test_the_catalogs_are_the_default_priority_languages() -> None:
    folders = sorted(p.name for p in i18n.TRANSLATIONS.iterdir() if p.is_dir())
    assert folders == sorted(languages.get(code).gettext for code in i18n.SHIPPED)
    assert set(i18n.SHIPPED) == set(settings.load({})["PRIORITY_LANGUAGES"])


def _template_ids() -> set[str]:
    with POT.open("rb") as f:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}


TAG = re.compile(r"<[^>]+>")


@pytest.mark.parametrize("code", i18n.SHIPPED)
def test_every_catalog_is_complete(code: str) -> None:
    """Every message of messages.pot translated, none fuzzy, placeholders and markup kept."""
    with catalog_path(code).open("rb") as f:
        catalog = read_po(f)
    language = languages.get(code)
    assert str(catalog.locale) == language.gettext
    assert catalog.num_plurals == language.nplurals
    messages = [m for m in catalog if m.id]
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in messages}
    assert ids == _template_ids(), "run: make messages-extract messages-update"
    assert not catalog.obsolete
    assert [m.id for m in messages if m.fuzzy] == []
    forms = {m.id: [m.string] if isinstance(m.string, str) else list(m.string) for m in messages}
    assert [i for i, strings in forms.items() if not all(strings)] == [], "untranslated"
    assert [(m.id, e) for m, errors in catalog.check() for e in errors] == []
    for message in messages:
        source = message.id if isinstance(message.id, str) else message.id[0]
        for form in forms[message.id]:
            assert Counter(TAG.findall(form)) == Counter(TAG.findall(source)), form


@pytest.mark.parametrize("code", i18n.SHIPPED)
def test_every_catalog_compiles_and_the_build_is_current(code: str) -> None:
    checked = subprocess.run(
        ["msgfmt", "-c", "--check-format", "-o", "/dev/null", str(catalog_path(code))],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (checked.returncode, checked.stderr) == (0, "")
    with catalog_path(code).open("rb") as f:
        catalog = read_po(f)
    built = io.BytesIO()
    write_mo(built, catalog)
    compiled = catalog_path(code, "mo")
    assert compiled.is_file(), "run: make messages-compile"
    assert compiled.read_bytes() == built.getvalue(), "stale; run: make messages-compile"


# -- pages and the editor's script in each language -------------------------------------


def _translated(code: str) -> dict[str, str | tuple[str, ...]]:
    with catalog_path(code).open("rb") as f:
        return {m.id if isinstance(m.id, str) else m.id[0]: m.string for m in read_po(f) if m.id}


def _braced(text: str) -> str:
    return re.sub(r"%\((\w+)\)s", r"{\1}", text)


@pytest.mark.parametrize("code", i18n.SHIPPED)
def test_the_editor_carries_its_script_messages_translated(client: FlaskClient, code: str) -> None:
    root = page(client, f"/articles/{SEED_SLUG}/es?lang={code}")
    assert root.get("lang") == code
    messages = json.loads(root.get_element_by_id("editor").get("data-messages"))
    english = json.loads(
        page(client, f"/articles/{SEED_SLUG}/es?lang=en")
        .get_element_by_id("editor")
        .get("data-messages")
    )
    assert messages.keys() == english.keys()
    catalog = _translated(code)
    for key, msgid in i18n.SCRIPT.items():
        assert messages[key] == _braced(catalog[msgid._args[0]]), key
    categories = {"zero", "one", "two", "few", "many", "other"}
    rule = Locale.parse(languages.get(code).gettext).plural_form
    for key, (singular, _) in i18n.SCRIPT_PLURALS.items():
        forms = catalog[singular]
        assert set(messages[key]) <= categories and "other" in messages[key], key
        assert set(messages[key]) >= {rule(n) for n in range(200)}, key
        assert set(messages[key].values()) <= {_braced(f) for f in forms}, key
    for table in ("segment_states", "language_states", "ways"):
        assert all(messages[table][value] not in ("", None) for value in english[table])


def test_the_pages_read_in_spanish_without_english_left(client: FlaskClient) -> None:
    spanish = {"Accept-Language": "es"}
    index = page(client, "/", **spanish)
    assert index.xpath("//a[@class='cta']")[0].text_content() == "Ayuda a traducir"
    article = page(client, f"/articles/{SEED_SLUG}", **spanish)
    text = article.text_content()
    assert "Idiomas" in text and "en curso" in text and "francés" in text
    editor = page(client, f"/articles/{SEED_SLUG}/fr", **spanish)
    assert editor.xpath("//button[contains(@class,'history-toggle')]")[0].text == "Historial"
    assert "Traducción del segmento 1 (título) al francés" in editor.text_content()
    missing = client.get("/no-such-page", headers=spanish)
    assert missing.status_code == 404
    heading = lxml.html.fromstring(missing.get_data(as_text=True)).xpath("//h1")[0]
    assert heading.text_content() == "404 · No encontrado"


@pytest.mark.parametrize(
    ("code", "percent", "count"),
    [
        ("en", "4.5%", "1,234"),
        ("de", "4,5\xa0%", "1.234"),
        ("fr", "4,5\xa0%", "1\u202f234"),
        ("hi", "4.5%", "1,234"),
        ("ar", "4.5%", "1,234"),
        ("ru", "4,5\xa0%", "1\xa0234"),
    ],
)
def test_numbers_and_dates_are_written_for_the_locale(
    site: Flask, code: str, percent: str, count: str
) -> None:
    with site.test_request_context(headers={"Accept-Language": code}):
        assert i18n.percent(100 / 22) == percent
        assert i18n.number(1234) == count
    text = site.test_client().get(f"/articles/{SEED_SLUG}?lang={code}").get_data(as_text=True)
    assert f">{percent}<" in text  # French: 1 of 22 segments


def test_the_account_page_dates_the_account_in_the_locale(site: Flask) -> None:
    client = site.test_client()
    sign_in(site, client, "ana", "de")
    with site.app_context():
        created = queries.user("ana").created_at
    months = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August"]
    months += ["September", "Oktober", "November", "Dezember"]
    expected = f"Mitglied seit {created.day}. {months[created.month - 1]} {created.year}"
    assert expected in page(client, "/account").text_content()


@pytest.mark.parametrize("code", ["es", "ar", "ja"])
def test_language_names_are_in_the_interface_language(client: FlaskClient, code: str) -> None:
    expected = Locale.parse("fr").get_display_name(languages.get(code).gettext)
    root = page(client, f"/articles/{SEED_SLUG}/fr/preview?lang={code}")
    assert expected in root.text_content()


# -- what the use cases say, in the interface language -----------------------------------


def test_the_catalogued_messages_are_those_of_the_code(tmp_path: Path) -> None:
    """``make messages-extract`` finds no message that messages.pot lacks, or the reverse."""
    subprocess.run(
        ["make", "-s", "-C", str(ROOT), "messages-extract", f"TRANSLATIONS={tmp_path}"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    with (tmp_path / "messages.pot").open("rb") as f:
        fresh = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
    assert fresh == _template_ids(), "run: make messages-extract messages-update"


@pytest.mark.parametrize("code", i18n.SHIPPED)
def test_errors_of_the_use_cases_are_in_the_interface_language(
    client: FlaskClient, code: str
) -> None:
    msgid = "no article '%(slug)s' (import it with: chorus import %(slug)s)"
    expected = _translated(code)[msgid] % {"slug": "nope"}
    assert expected != msgid % {"slug": "nope"}
    headers = {"Accept-Language": code}
    answer = client.get("/api/v1/articles/nope", headers=headers)
    assert (answer.status_code, answer.json["message"]) == (404, expected)
    html = client.get("/articles/nope", headers=headers)
    assert html.status_code == 404
    shown = lxml.html.fromstring(html.get_data(as_text=True)).xpath("//div[@class='error']/p")
    assert shown[0].text_content() == expected


def test_errors_stay_english_for_english_and_for_the_command_line(client: FlaskClient) -> None:
    answer = client.get("/api/v1/articles/nope", headers={"Accept-Language": "en"})
    assert answer.json["message"] == "no article 'nope' (import it with: chorus import nope)"
    with pytest.raises(Exception) as raised, client.application.app_context():
        queries.article("nope")
    assert str(raised.value) == "no article 'nope' (import it with: chorus import nope)"


@pytest.mark.parametrize("code", ["es", "ar", "ja"])
def test_checks_are_named_and_explained_in_the_interface_language(site: Flask, code: str) -> None:
    from service.core import checks

    catalog = _translated(code)
    with site.test_request_context("/", headers={"Accept-Language": code}):
        (footnotes,) = checks.run("See the FAQ [1] and [2].", "Voir la FAQ.")
        assert i18n.say(footnotes.name) == catalog["Footnotes"]
        assert i18n.say(footnotes.message) == catalog["Missing %(markers)s"] % {
            "markers": "[1], [2]"
        }
        (unchanged,) = checks.run("Same words here", "Same words here")
        # translate-toolkit's English detail gives way to the check's translated description
        assert i18n.say(unchanged.message) == catalog[checks.CHECKS["unchanged"].description]
        nested = checks.CheckResult("x", "X", "warning", footnotes.message)
        assert i18n.say(nested.message) != str(footnotes.message)


def test_a_translation_that_breaks_its_placeholders_falls_back_to_english(site: Flask) -> None:
    from service.core.messages import Message

    message = Message("Missing %(markers)s", {"wrong": "[1]"}, english="Missing [1]")
    with site.test_request_context("/", headers={"Accept-Language": "es"}):
        assert i18n.say(message) == "Missing [1]"


def test_the_editor_shows_checks_in_the_interface_language(site: Flask) -> None:
    with site.app_context():
        found = Content.from_config(site.config)
        ana = queries.user("ana")
        seg = queries.segments(queries.article(SEED_SLUG))[2]
        translating.save(found, SEED_SLUG, "de", seg.number, seg.source, 0, ana)
        db.session.remove()
    client = site.test_client()
    spanish = _translated("es")
    root = page(client, f"/articles/{SEED_SLUG}/de", **{"Accept-Language": "es"})
    shown = [li.text_content() for li in root.xpath("//li[contains(@class,'check')]")]
    expected = f"{spanish['Unchanged']}: {spanish['The translation is not a copy of the source.']}"
    assert expected in shown
    listing = client.get(
        f"/api/v1/articles/{SEED_SLUG}/de/segments", headers={"Accept-Language": "es"}
    ).json
    names = {c["name"] for s in listing["segments"] for c in s["checks"]}
    assert spanish["Unchanged"] in names
