"""Webhooks: events POSTed to the receivers coordinators register, signed, retried, logged.

1. A coordinator registers a receiver (:func:`register`): an ``http``/``https`` URL, a
   secret and the events it wants (:data:`EVENTS`). A URL is refused with its reason
   when it has another scheme, no host, a user name or password, a host that does not
   resolve, or a host any of whose addresses is loopback, link-local (``169.254/16``
   and ``fe80::/10``: cloud metadata lives there), unspecified, multicast, reserved or
   an address of this machine. ``CHORUS_WEBHOOK_ALLOW_LOOPBACK=on`` allows loopback
   (tests, and a receiver running beside Chorus on one machine), never the rest.
2. :func:`notify` records an event inside the caller's transaction, one ``deliveries``
   row per active receiver of that event, holding the exact JSON body (``event``,
   ``delivery`` id, ``at``, ``data``) so every attempt sends the same bytes. It does
   not commit: the rows land with the caller's change or not at all. Once the session
   commits (a SQLAlchemy ``after_commit`` hook, so no caller has to remember a wake
   call), their ids are handed to the queue; a queue that cannot be reached is logged,
   never raised into the save, and the pending rows are redone when the worker starts
   and by its sweep (:func:`pending`). A rolled back transaction queues nothing.
3. :func:`deliver` is one attempt, in the worker, never in a request: the address is
   resolved and checked again (DNS may have changed since registration) and the
   connection goes to the address checked, not to a second lookup; POST with
   ``X-Chorus-Event``, ``X-Chorus-Delivery`` and ``X-Chorus-Signature-256:
   sha256=<HMAC-SHA256 of the body with the secret>``; :data:`TIMEOUT` seconds for
   each network step; redirects are not followed. A 2xx answer is delivered; anything
   else records the status or error and counts an attempt; the queue retries with
   exponential backoff, and the last attempt marks the row failed. :func:`retry`
   makes a failed delivery pending again.
4. Delivery is at least once: a worker that dies between the receiver's answer and
   the record sends the event again, so receivers deduplicate by the delivery id.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import socket
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import SplitResult, urlsplit

import httpx
from flask import current_app
from sqlalchemy import event as sa_event
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from service.core.messages import N_
from service.db import db
from service.errors import ChorusError, Conflict, NotFound
from service.models import Delivery, DeliveryStatus, User, Webhook, utcnow

EVENTS = ("published", "outdated", "feedback")
MAX_URL = 2000
MAX_SECRET = 256
TIMEOUT = 10.0  # seconds for each of connecting, sending and waiting for the answer
USER_AGENT = "Chorus-Webhooks"
log = logging.getLogger(__name__)
_WAKE = "chorus.webhooks.wake"  # session.info: delivery ids to queue after the commit
_in_flight: set[int] = set()  # deliveries being attempted by this process's threads
_in_flight_lock = threading.Lock()


@dataclass(frozen=True)
class DeliveryResult:
    delivery_id: int
    status: str  # DeliveryStatus, or "skipped"
    response_status: int | None = None
    error: str | None = None
    attempts: int = 0

    @property
    def retry(self) -> bool:
        """Whether the queue should try again (a failed attempt left pending)."""
        return self.status == DeliveryStatus.PENDING and self.error is not None

    def summary(self) -> str:
        if self.status == DeliveryStatus.DELIVERED:
            return f"delivery {self.delivery_id}: delivered ({self.response_status})"
        if self.status == "skipped":
            return f"delivery {self.delivery_id}: {self.error}"
        again = "; will be retried" if self.retry else ""
        return f"delivery {self.delivery_id}: attempt {self.attempts} failed: {self.error}{again}"


# -- receivers --------------------------------------------------------------------------------


def register(url: str, secret: str, events: list[str] | str, user: User | None) -> Webhook:
    """Add a receiver and commit; raises ChorusError with the reason a URL, secret or event
    list is refused."""
    url = url.strip()
    parts = _parse(url)
    _addresses(url, parts, allow_loopback=_allow_loopback())
    if not secret:
        raise ChorusError(
            N_("the secret is empty: give the receiver a secret to verify signatures with")
        )
    if len(secret) > MAX_SECRET:
        raise ChorusError(N_("the secret is longer than %(num)s characters", num=MAX_SECRET))
    hook = Webhook(
        url=url,
        secret=secret,
        events=" ".join(_events(events)),
        user_id=user.id if user is not None else None,
    )
    db.session.add(hook)
    db.session.commit()
    return hook


def remove(webhook_id: int) -> None:
    """Delete a receiver and its delivery log; raises NotFound."""
    hook = db.session.get(Webhook, webhook_id)
    if hook is None:
        raise NotFound(N_("no webhook %(id)s", id=webhook_id))
    db.session.delete(hook)
    db.session.commit()


def webhooks() -> list[Webhook]:
    """Every receiver, oldest first."""
    return list(db.session.scalars(select(Webhook).order_by(Webhook.id)))


def deliveries(limit: int = 50) -> list[Delivery]:
    """The delivery log: the last ``limit`` deliveries, newest first."""
    query = select(Delivery).order_by(Delivery.id.desc()).limit(max(1, limit))
    return list(db.session.scalars(query))


def retry(delivery_id: int) -> Delivery:
    """Make a failed delivery pending again and queue it after the commit; raises NotFound,
    or Conflict for one delivered already."""
    row = db.session.get(Delivery, delivery_id)
    if row is None:
        raise NotFound(N_("no delivery %(id)s", id=delivery_id))
    if row.status == DeliveryStatus.DELIVERED:
        raise Conflict(N_("delivery %(id)s was delivered already", id=delivery_id))
    row.status = DeliveryStatus.PENDING.value
    row.updated_at = utcnow()
    _queue_after_commit([row.id])
    db.session.commit()
    return row


def signature(secret: str, body: bytes) -> str:
    """The ``X-Chorus-Signature-256`` value of a body: ``sha256=`` and the hex HMAC."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


# -- recording events (inside the caller's transaction) ---------------------------------------


def notify(event: str, payload: dict[str, Any]) -> list[Delivery]:
    """Record ``event`` for every active receiver of it, in the current transaction (the
    caller commits); the rows are queued once it commits. Raises ValueError for an event
    that is not in EVENTS, TypeError for a payload JSON cannot hold."""
    if event not in EVENTS:
        raise ValueError(f"unknown webhook event {event!r}")
    hooks = [
        hook
        for hook in db.session.scalars(
            select(Webhook).where(Webhook.active.is_(True)).order_by(Webhook.id)
        )
        if event in hook.events.split()
    ]
    if not hooks:
        return []
    at = utcnow().isoformat(timespec="seconds") + "Z"
    rows = [Delivery(webhook_id=hook.id, event=event, payload="") for hook in hooks]
    db.session.add_all(rows)
    db.session.flush()  # the ids go into the bodies
    for row in rows:
        body = {"event": event, "delivery": row.id, "at": at, "data": payload}
        row.payload = json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=_json)
    db.session.flush()
    _queue_after_commit(row.id for row in rows)
    return rows


def _json(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} cannot be sent in a webhook payload")


def _queue_after_commit(ids: Iterable[int]) -> None:
    db.session.info.setdefault(_WAKE, set()).update(ids)


@sa_event.listens_for(Session, "after_commit")
def _wake_after_commit(session: Session) -> None:
    if session.get_nested_transaction() is not None:  # a savepoint: the rows are not in yet
        return
    ids = session.info.pop(_WAKE, None)
    if ids:
        wake(sorted(ids))


@sa_event.listens_for(Session, "after_transaction_end")
def _forget_after_rollback(session: Session, transaction: Any) -> None:
    if transaction.parent is None:  # after a commit the ids are gone already
        session.info.pop(_WAKE, None)


def wake(ids: list[int]) -> bool:
    """Hand deliveries to the queue. Never raises: a queue that cannot be reached is logged,
    and the pending rows wait for the worker's start or its sweep."""
    from service.publishing import QUEUE  # publishing emits events: import it late

    try:
        current_app.extensions[QUEUE].deliver(ids)
    except Exception as error:  # the queue's storage failing must never fail a save
        log.warning("webhook deliveries %s stay pending: queue unavailable (%s)", ids, error)
        return False
    return True


def pending(*, idle_for: float = 0) -> list[int]:
    """Ids of the pending deliveries, oldest first; with ``idle_for``, only those nobody
    touched for that many seconds (their queue message was lost)."""
    query = select(Delivery.id).where(Delivery.status == DeliveryStatus.PENDING)
    if idle_for:
        query = query.where(Delivery.updated_at < utcnow() - timedelta(seconds=idle_for))
    return list(db.session.scalars(query.order_by(Delivery.id)))


# -- delivering (the worker) ------------------------------------------------------------------


def deliver(delivery_id: int, *, final: bool) -> DeliveryResult:
    """One attempt at a delivery; commits the outcome; never raises for the receiver's
    failures. A failed attempt stays pending (``result.retry``: the queue tries again)
    unless ``final``, when the row is marked failed."""
    with _in_flight_lock:
        if delivery_id in _in_flight:
            return DeliveryResult(delivery_id, "skipped", error="being delivered already")
        _in_flight.add(delivery_id)
    try:
        return _attempt(delivery_id, final=final)
    finally:
        with _in_flight_lock:
            _in_flight.discard(delivery_id)


def _attempt(delivery_id: int, *, final: bool) -> DeliveryResult:
    row = db.session.get(Delivery, delivery_id)
    if row is None:
        return DeliveryResult(delivery_id, "skipped", error="no such delivery (removed)")
    if row.status != DeliveryStatus.PENDING:
        return DeliveryResult(delivery_id, "skipped", error=f"already {row.status}")
    hook = row.webhook
    url, secret, body, event = hook.url, hook.secret, row.payload.encode("utf-8"), row.event
    db.session.rollback()  # hold no transaction open while the receiver answers
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Chorus-Event": event,
        "X-Chorus-Delivery": str(delivery_id),
        "X-Chorus-Signature-256": signature(secret, body),
    }
    answer: int | None = None
    error: str | None = None
    try:
        answer = _post(url, body, headers)
        if not 200 <= answer < 300:
            error = f"the receiver answered {answer}"
            if 300 <= answer < 400:
                error += " (redirects are not followed)"
    except ChorusError as refused:  # the address is no longer allowed
        error = str(refused)
    except httpx.TimeoutException:
        error = f"no answer within {TIMEOUT:g} s"
    except httpx.HTTPError as failure:
        error = f"{type(failure).__name__}: {failure}" if str(failure) else type(failure).__name__
    now = utcnow()
    values: dict[str, Any] = {"response_status": answer, "updated_at": now}
    if error is None:
        values.update(status=DeliveryStatus.DELIVERED.value, delivered_at=now, error=None)
        status = DeliveryStatus.DELIVERED
    else:
        status = DeliveryStatus.FAILED if final else DeliveryStatus.PENDING
        values.update(status=status.value, error=error)
    db.session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.status == DeliveryStatus.PENDING)
        .values(attempts=Delivery.attempts + 1, **values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    row = db.session.get(Delivery, delivery_id)
    attempts = row.attempts if row is not None else 0
    return DeliveryResult(delivery_id, status.value, answer, error, attempts)


def _post(url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST to the first address the URL's host resolves to, once every address passed
    the rule; returns the status without reading the answer's body."""
    parts = _parse(url)
    [address, *_] = _addresses(url, parts, allow_loopback=_allow_loopback())
    target = httpx.URL(url)
    # Connect to the address checked (a second lookup could answer otherwise); the host
    # name still goes in Host and in TLS (SNI and the certificate check).
    pinned = target.copy_with(host=address)
    headers = {**headers, "Host": target.netloc.decode("ascii")}
    tls = target.scheme == "https"
    extensions = {"sni_hostname": target.raw_host.decode("ascii")} if tls else {}
    with (
        httpx.Client(timeout=TIMEOUT, follow_redirects=False, trust_env=False) as client,
        client.stream(
            "POST", pinned, content=body, headers=headers, extensions=extensions
        ) as response,
    ):
        return response.status_code


# -- the URL rule ------------------------------------------------------------------------------


def _allow_loopback() -> bool:
    return bool(current_app.config.get("WEBHOOK_ALLOW_LOOPBACK", False))


def _parse(url: str) -> SplitResult:
    """The parts of an acceptable URL; raises ChorusError saying what is wrong."""
    if len(url) > MAX_URL:
        raise ChorusError(N_("the URL is longer than %(num)s characters", num=MAX_URL))
    if any(ord(char) <= 0x20 or ord(char) == 0x7F for char in url):
        raise ChorusError(N_("%(url)r: a URL has no spaces or control characters", url=url))
    try:
        parts = urlsplit(url)
        parts.hostname  # noqa: B018 (a bracketed host that is no IPv6 address raises here)
    except ValueError:
        raise ChorusError(N_("%(url)s: the URL names no host", url=url)) from None
    if parts.scheme.lower() not in ("http", "https"):
        raise ChorusError(N_("%(url)s: use an http or https URL", url=url))
    if "@" in parts.netloc:
        raise ChorusError(
            N_(
                "%(url)s: leave the user name and password out of the URL "
                "(the secret signs every request)",
                url=url,
            )
        )
    if not parts.hostname:
        raise ChorusError(N_("%(url)s: the URL names no host", url=url))
    try:
        port = parts.port  # urlsplit checks the port when it is read
    except ValueError:
        port = 0
    if port == 0:
        raise ChorusError(N_("%(url)s: the port is not a number from 1 to 65535", url=url))
    return parts


_KINDS = {
    "link-local": N_("a link-local address"),
    "unspecified": N_("an unspecified address"),
    "multicast": N_("a multicast address"),
    "reserved": N_("a reserved address"),
    "local": N_("an address of this machine"),
}


def _addresses(url: str, parts: SplitResult, *, allow_loopback: bool) -> list[str]:
    """Every address the URL's host resolves to; raises ChorusError when it resolves to
    none, or when any one of them is not allowed (see the module's first point)."""
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise ChorusError(
            N_("%(url)s: the host %(host)s does not resolve", url=url, host=host)
        ) from None
    addresses = list(dict.fromkeys(str(info[4][0]).split("%")[0] for info in found))
    if not addresses:
        raise ChorusError(N_("%(url)s: the host %(host)s does not resolve", url=url, host=host))
    for address in addresses:
        kind = _kind(ipaddress.ip_address(address))
        if kind == "loopback" and not allow_loopback:
            raise ChorusError(
                N_(
                    "%(url)s: %(host)s is %(address)s, a loopback address: Chorus sends no "
                    "webhook there (unless CHORUS_WEBHOOK_ALLOW_LOOPBACK is on)",
                    url=url,
                    host=host,
                    address=address,
                )
            )
        if kind in _KINDS:
            raise ChorusError(
                N_(
                    "%(url)s: %(host)s is %(address)s, %(kind)s: Chorus sends no webhook there",
                    url=url,
                    host=host,
                    address=address,
                    kind=_KINDS[kind],
                )
            )
    return addresses


def _kind(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """What makes an address one webhooks may not go to (None: a public or private one)."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:169.254.169.254 is 169.254.169.254
    if ip.is_link_local:
        return "link-local"
    if ip.is_loopback:
        return "loopback"
    if ip.is_unspecified or (ip.version == 4 and ip in ipaddress.ip_network("0.0.0.0/8")):
        return "unspecified"
    if ip.is_multicast:
        return "multicast"
    if ip.is_reserved or (ip.version == 6 and ip.is_site_local):
        return "reserved"
    if _of_this_machine(ip):
        return "local"
    return None


def _of_this_machine(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether the address belongs to one of this machine's interfaces: binding a socket to
    it succeeds only then (no packet is sent)."""
    family = socket.AF_INET if ip.version == 4 else socket.AF_INET6
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.bind((str(ip), 0))
    except OSError:
        return False
    return True


def _events(events: list[str] | str) -> list[str]:
    """The event names, in EVENTS order; raises ChorusError for an unknown or missing one."""
    names = events.replace(",", " ").split() if isinstance(events, str) else list(events)
    names = [name.strip().lower() for name in names if name.strip()]
    for name in names:
        if name not in EVENTS:
            raise ChorusError(
                N_(
                    "unknown event %(event)r: use %(events)s",
                    event=name,
                    events=", ".join(EVENTS),
                )
            )
    if not names:
        raise ChorusError(N_("name at least one event: %(events)s", events=", ".join(EVENTS)))
    return [name for name in EVENTS if name in names]
