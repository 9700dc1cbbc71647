"""Helpers for the inbox tests: signed deliveries in Jumpseller's time format, inbox rows read and written."""

import json
import time
from datetime import timedelta

from sqlalchemy import select

from jumpseller_app.extensions import db
from jumpseller_app.models import Store, WebhookEvent, utcnow


def trigger_time(ago):
    """A Jumpseller-Triggered-At value `ago` (a timedelta) before now, as Jumpseller writes it."""
    return (utcnow() - ago).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3] + " UTC"


def order_body(order_id, status, email="ana@example.cl"):
    """An order hook body as bytes, with personal data in it (what the retention must clear)."""
    return json.dumps({"order": {"id": order_id, "status": status, "total": "1000.0",
                                 "customer": {"id": 7, "email": email, "fullname": "Ana"}}}).encode()


def store_id(app, code="sandbox"):
    with app.app_context():
        found = db.session.scalar(select(Store.id).where(Store.code == code))
        db.session.remove()
        return found


def rows(app, **where):
    """The inbox rows (detached, ordered by id), filtered by column=value."""
    with app.app_context():
        query = select(WebhookEvent).order_by(WebhookEvent.id)
        for name, value in where.items():
            query = query.where(getattr(WebhookEvent, name) == value)
        found = db.session.scalars(query).all()
        db.session.expunge_all()
        db.session.remove()
        return found


def wait_for_rows(app, count, timeout=20, **where):
    """Poll until `count` inbox rows match (the sandbox delivers from a thread); returns them."""
    deadline = time.monotonic() + timeout
    found = rows(app, **where)
    while len(found) < count and time.monotonic() < deadline:
        time.sleep(0.05)
        found = rows(app, **where)
    return found


def add_rows(app, store_id, bodies, event="product_updated", received_ago=timedelta(0), **values):
    """Put rows straight into the inbox as the receiver would have stored them (pending unless `values` say
    otherwise); returns their ids."""
    values = {"status": "pending", "attempts": 0, **values}
    with app.app_context():
        events = [WebhookEvent(store_id=store_id, event=event, delivery_key=f"{store_id}-{event}-{i}-{time.time_ns()}",
                               content_type="application/json", body=body, received_at=utcnow() - received_ago,
                               **values)
                  for i, body in enumerate(bodies)]
        db.session.add_all(events)
        db.session.commit()
        ids = [e.id for e in events]
        db.session.remove()
        return ids


def stored(app):
    """Every inbox row as (store_id, event, triggered_at, status, attempts, content_type, body), by id."""
    return [(r.store_id, r.event, r.triggered_at, r.status, r.attempts, r.content_type, bytes(r.body))
            for r in rows(app)]
