"""The content folder and the settings the use cases need, as one value.

``Content`` names the git work tree holding ``source/`` and ``po/`` and carries
the limits and identities from the settings table, so use cases take one
argument instead of reading Flask's config. Layout, as the design gives it:
``source/<slug>.md``, ``po/<slug>/<slug>.pot``, ``po/<slug>/<lang>.po`` with
the gettext form of the language code.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from service.core import languages
from service.core.messages import N_
from service.core.vcs import Identity, Repository
from service.errors import NotFound

_SLUG = re.compile(r"[a-z0-9][a-z0-9_-]{0,99}", re.IGNORECASE)


@dataclass(frozen=True)
class Content:
    root: Path
    max_source_bytes: int = 1_048_576
    max_catalog_bytes: int = 4_194_304
    max_translation_chars: int = 20_000
    target_languages: int = 13
    priority_languages: tuple[str, ...] = ()
    git_push: str = ""
    git_timeout: float = 60.0  # seconds to wait for the repository lock, and for a push
    committer: Identity = field(default_factory=lambda: Identity("Chorus", "chorus@localhost"))

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Content:
        """The content folder and limits named by the settings."""
        return cls(
            root=Path(config["CONTENT_DIR"]),
            max_source_bytes=config["MAX_SOURCE_BYTES"],
            max_catalog_bytes=config["MAX_CATALOG_BYTES"],
            max_translation_chars=config["MAX_TRANSLATION_CHARS"],
            target_languages=config["TARGET_LANGUAGES"],
            priority_languages=tuple(config["PRIORITY_LANGUAGES"]),
            git_push=config["GIT_PUSH"],
            git_timeout=config["GIT_TIMEOUT"],
            committer=Identity(config["GIT_NAME"], config["GIT_EMAIL"]),
        )

    def source(self, slug: str) -> Path:
        return self.root / "source" / f"{check_slug(slug)}.md"

    def source_name(self, slug: str) -> str:
        return f"source/{check_slug(slug)}.md"

    def template_name(self, slug: str) -> str:
        return f"po/{check_slug(slug)}/{slug}.pot"

    def catalog_name(self, slug: str, language: str) -> str:
        return f"po/{check_slug(slug)}/{languages.get(language).gettext}.po"

    def slugs(self) -> list[str]:
        """The articles in ``source/``, by name."""
        folder = self.root / "source"
        return sorted(p.stem for p in folder.glob("*.md") if _SLUG.fullmatch(p.stem))

    def repository(self) -> Repository:
        """The git repository of the content folder; raises GitError when there is none."""
        return Repository(self.root, self.committer, lock_timeout=self.git_timeout)


def check_slug(slug: str) -> str:
    """The slug itself; raises NotFound for one that cannot name an article file."""
    if not _SLUG.fullmatch(slug):
        raise NotFound(
            N_("%(slug)r is not an article name (letters, digits, '-' and '_' only)", slug=slug)
        )
    return slug
