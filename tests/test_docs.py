"""Documentation stays true: every setting and every CLI command is in the README."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from service.cli import main
from service.settings import SETTINGS, load

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_every_setting_is_in_the_readme_table(setting) -> None:
    row = re.search(rf"^\| `{setting.name}` \|([^|]*)\|(.*)\|$", README, re.MULTILINE)
    assert row, f"{setting.name} is missing from the README's settings table"
    if setting.default:
        assert f"`{setting.default}`" in row.group(1)


def test_readme_lists_no_setting_that_does_not_exist() -> None:
    names = set(re.findall(r"^\| `(CHORUS_[A-Z_]+)` \|", README, re.MULTILINE))
    assert names == {s.name for s in SETTINGS}


def test_every_command_is_in_the_readme() -> None:
    ours = set(main.commands) - {
        "routes",
        "shell",
        "db",
        "limiter",
    }  # Flask's, Flask-Migrate's, Flask-Limiter's
    for name, command in main.commands.items():
        if name in ours and hasattr(command, "commands"):
            ours |= {f"{name} {sub}" for sub in command.commands}
            ours.discard(name)
    for command in sorted(ours):
        assert f"| `chorus {command}" in README, command


def test_readme_opens_with_the_two_commands() -> None:
    lines = [line.strip() for line in README.splitlines()[1:6] if line.strip()]
    assert lines[0].startswith("make run")
    assert lines[1].startswith("make test")


def test_defaults_load() -> None:
    values = load({})
    assert values["TARGET_LANGUAGES"] == 13
    assert values["PRIORITY_LANGUAGES"][8] == "pt-BR"
