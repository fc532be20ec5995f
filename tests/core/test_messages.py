"""Messages for people: English strings that keep their msgid and parameters."""

from __future__ import annotations

import pickle

from service.core import checks
from service.core.messages import N_, Message


def test_a_message_is_its_english_text() -> None:
    message = N_("segment %(number)s is no longer in the article", number=7)
    assert message == "segment 7 is no longer in the article"
    assert isinstance(message, str)
    assert (message.msgid, message.params) == (
        "segment %(number)s is no longer in the article",
        {"number": 7},
    )


def test_a_message_without_parameters_keeps_a_percent_sign() -> None:
    assert N_("100% done") == "100% done"


def test_parameters_may_be_messages_or_tuples_of_them() -> None:
    inner = N_("Missing %(markers)s", markers="[1]")
    outer = N_("%(name)s: %(reason)s", name="fr.po", reason=inner)
    assert outer == "fr.po: Missing [1]"
    both = Message("%(items)s", {"items": (N_("a"), N_("b"))})
    assert both == "a; b"


def test_an_english_detail_replaces_the_text_but_not_the_msgid() -> None:
    message = Message("The numbers of the source appear in the translation.", english="3 vs 4")
    assert message == "3 vs 4" and message.detail
    assert message.msgid == "The numbers of the source appear in the translation."


def test_a_message_survives_the_queue() -> None:
    for message in (N_("no glossary term %(id)s", id=3), Message("x", english="detail")):
        copy = pickle.loads(pickle.dumps(message))
        assert (copy, copy.msgid, copy.params, copy.detail) == (
            message,
            message.msgid,
            message.params,
            message.detail,
        )


def test_check_results_carry_their_msgids() -> None:
    missing, unchanged = (
        checks.run("See [1].", "Voir."),
        checks.run("Same words here", "Same words here"),
    )
    assert [(r.name.msgid, r.message.msgid) for r in missing] == [
        ("Footnotes", "Missing %(markers)s")
    ]
    assert unchanged[0].message.msgid == checks.CHECKS["unchanged"].description
