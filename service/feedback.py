"""Reader feedback: what a reader of a published translation says about one segment.

Contract:

1. :func:`submit` adds the reader's text to that segment's comment thread in that
   language (:mod:`service.comments`), as a comment with no author
   (``user_id`` None) marked ``from_reader``; the language's volunteers see it in the
   editor, labelled as a reader's, and resolve it when they have acted on it.
2. Only for a language with a committed publication (published or outdated): the
   plugin offers feedback on published translations alone, and a language nobody has
   published has no readers. Only on an active segment (one a volunteer can still
   edit). Raises NotFound (unknown article or segment, never published) and
   LanguageError.
3. The text is plain text, line endings as ``\\n``, stripped; 1 to ``MAX_CHARS``
   characters, else ChorusError (a 400 on the web). ``@name`` in it mentions nobody.
4. In the same transaction a ``feedback`` event is recorded for the webhooks that want
   it (:func:`service.webhooks.notify`: article, language, segment, comment id, text),
   delivered by the worker after the commit. Nothing else happens: feedback is never
   published anywhere (it is a comment, and only a volunteer's own edit changes a
   translation). Rate limits are the web layer's (per address).
"""

from __future__ import annotations

from service import comments, publishing, queries, webhooks
from service.core.messages import N_
from service.db import db
from service.errors import ChorusError, NotFound
from service.models import Comment

MAX_CHARS = comments.MAX_CHARS


def submit(slug: str, code: str, number: int, text: str) -> Comment:
    """Add a reader's feedback on segment ``number`` of ``slug`` in ``code``."""
    item = queries.article(slug)
    language = queries.language(code)
    if publishing.last_committed(item, language) is None:
        raise NotFound(
            N_(
                "the %(language)s translation of %(slug)r is not published: "
                "feedback is for published translations",
                language=language,
                slug=slug,
            )
        )
    segment = queries.segment(item, number)
    if segment.obsolete:
        raise NotFound(
            N_("article %(slug)r has no segment %(number)s", slug=item.slug, number=number)
        )
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        raise ChorusError(N_("feedback needs some text"))
    if len(text) > MAX_CHARS:
        raise ChorusError(
            N_(
                "feedback of %(num)s characters is over the limit of %(limit)s",
                num=len(text),
                limit=MAX_CHARS,
            )
        )
    comment = Comment(
        segment_id=segment.id, language=language, user_id=None, text=text, from_reader=True
    )
    db.session.add(comment)
    db.session.flush()
    webhooks.notify(
        "feedback",
        {
            "article": item.slug,
            "language": language,
            "segment": segment.number,
            "comment": comment.id,
            "text": text,
            "editor": f"/articles/{item.slug}/{language}#s{segment.number}",
        },
    )
    db.session.commit()
    return comment
