"""The publisher's files and the offline round trip, on the API blueprint (``/api/v1``).

1. ``GET /articles/<slug>/<lang>.md|.html|.po``: the published translation exactly as
   :func:`service.reading.read` gives it (the PO byte for byte as committed), its commit
   in ``X-Chorus-Commit`` and its ETag the commit and format, so ``If-None-Match`` is
   answered 304 from the database without reading git. ``?draft=1`` (signed in) gives the
   current state instead; the PO draft is the catalog to translate offline, each entry
   stamped with its version (:func:`service.offline.export`).
2. ``POST /articles/<slug>/<lang>.po`` (writers): merge a PO file, sent as the request
   body or as the form field ``file``; the answer is the per-entry report.
3. Unknown article or language: 404 with the JSON error body, as every API route.
"""

from __future__ import annotations

from flask import Response, request
from flask_login import current_user

from service import offline, reading
from service.web import access
from service.web.api import _SIGNED_IN, _WRITE, _articles, _content, blueprint
from service.web.schemas import DraftQuery, ErrorOut, FilePath, LanguagePath, UploadOut

MEDIA = {"md": "text/markdown", "html": "text/html", "po": "text/x-gettext-translation"}  # UTF-8
_FILE = {
    "description": "the translation (Markdown, HTML or PO); 304 when If-None-Match holds its ETag",
    "content": {media: {"schema": {"type": "string"}} for media in MEDIA.values()},
}

_PO_BODY = {
    "required": True,
    "content": {
        "text/x-gettext-translation": {"schema": {"type": "string"}},
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
                "required": ["file"],
            }
        },
    },
}


@blueprint.get(
    "/articles/<slug>/<lang>.<any(md, html, po):fmt>",
    tags=_articles,
    responses={"200": _FILE, "304": {"description": "not modified"}, "401": ErrorOut},
)
@access.public_unless_draft
def translation(path: FilePath, query: DraftQuery):
    """A translation as published (or, with ``draft``, as it stands now)."""
    if query.draft and path.fmt == "po":
        found = reading.Reading(offline.export(_content(), path.slug, path.lang))
    else:
        found = reading.read(
            _content(),
            path.slug,
            path.lang,
            fmt=path.fmt,
            draft=query.draft,
            known=tuple(request.if_none_match),
        )
    if found.not_modified:
        response = Response(status=304)
    else:
        response = Response(found.text, mimetype=MEDIA[path.fmt])  # Flask adds charset=utf-8
        name = f"{path.slug}.{path.lang}.{path.fmt}"
        response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    if found.etag is not None:
        response.set_etag(found.etag)
        response.headers["X-Chorus-Commit"] = found.commit
    if query.draft or current_user.is_authenticated:
        response.headers["Cache-Control"] = "private, no-cache"
    return response


@blueprint.post(
    "/articles/<slug>/<lang>.po",
    tags=_articles,
    responses={"200": UploadOut, **_WRITE},
    security=_SIGNED_IN,
    openapi_extensions={"requestBody": _PO_BODY},
)
@access.writer
def upload(path: LanguagePath):
    """Merge a PO file translated offline (the body, or the form field ``file``)."""
    sent = request.files.get("file")
    data = sent.read() if sent is not None else request.get_data(cache=False)
    name = (sent.filename if sent is not None else None) or f"{path.slug}.{path.lang}.po"
    report = offline.upload(_content(), path.slug, path.lang, data, current_user, name)
    return UploadOut.of(report).model_dump(mode="json")
