"""services/documents.py against the sandbox, on SQLite and PostgreSQL: a refresh stores what Jumpseller answers,
tombstones what it no longer lists, never puts an older answer back, and stamps when it fetched."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from jumpseller_app import config
from jumpseller_app.extensions import db
from jumpseller_app.jobs import document_tasks
from jumpseller_app.models import MirrorDocument, Store, utcnow
from jumpseller_app.services import documents

from ..support.database import url_of_kind
from ..support.flows import install


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """Both databases: the documents' upsert is written per dialect."""
    return url_of_kind(request, tmp_path, request.param)


@pytest.fixture
def app_config(app_config):
    return {**app_config, "JUMPSELLER_SCOPES": config.DEFAULT_SCOPES}


@pytest.fixture
def store_id(app, live_app, browser):
    install(browser, live_app)
    with app.app_context():
        return db.session.scalar(select(Store.id))


def test_a_refresh_stores_jumpseller_s_answer_and_when_it_was_fetched(app, store_id, api):
    with app.app_context():
        assert documents.fetched_at(store_id, documents.CUSTOMER_CATEGORIES) is None
        store = db.session.get(Store, store_id)
        remote = list(api.customer_categories.iter_all())
        assert documents.refresh(store, documents.CUSTOMER_CATEGORIES) == len(remote)
        assert [item["id"] for item in documents.items(store_id, documents.CUSTOMER_CATEGORIES)] == \
            sorted(c["id"] for c in remote)
        first = documents.fetched_at(store_id, documents.CUSTOMER_CATEGORIES)
        assert first is not None

        api.customer_categories.create({"name": "Nuevos"})
        api.customer_categories.delete(remote[0]["id"])
        documents.refresh(store, documents.CUSTOMER_CATEGORIES)
        names = [item["name"] for item in documents.items(store_id, documents.CUSTOMER_CATEGORIES)]
        assert "Nuevos" in names and remote[0]["name"] not in names
        assert documents.item(store_id, documents.CUSTOMER_CATEGORIES, remote[0]["id"]) is None   # a tombstone
        assert documents.fetched_at(store_id, documents.CUSTOMER_CATEGORIES) >= first

        assert documents.refresh(store, documents.STORE_INFO) == 1
        assert documents.item(store_id, documents.STORE_INFO)["code"] == api.store.info()["code"]


def test_an_older_answer_never_replaces_a_newer_one_and_parents_are_kept_apart(app, store_id):
    with app.app_context():
        now = utcnow()
        documents.store_fetched(store_id, documents.FULFILLMENTS, [{"id": 1, "tracking_number": "NEW"}],
                                parent=10, source_at=now)
        documents.store_fetched(store_id, documents.FULFILLMENTS, [{"id": 1, "tracking_number": "OLD"}],
                                parent=10, source_at=now - timedelta(minutes=5))
        documents.store_fetched(store_id, documents.FULFILLMENTS, [{"id": 2}], parent=11, source_at=now)
        db.session.commit()
        assert documents.item(store_id, documents.FULFILLMENTS, 1)["tracking_number"] == "NEW"
        # Order 11's answer says nothing about order 10's shipments.
        assert [i["id"] for i in documents.items(store_id, documents.FULFILLMENTS, 10)] == [1]
        assert [i["id"] for i in documents.items(store_id, documents.FULFILLMENTS, 11)] == [2]
        documents.store_fetched(store_id, documents.FULFILLMENTS, [], parent=10, source_at=now + timedelta(seconds=1))
        db.session.commit()
        assert documents.items(store_id, documents.FULFILLMENTS, 10) == []
        assert documents.count(store_id, documents.FULFILLMENTS, 11) == 1
        assert documents.fetched_at(store_id, documents.FULFILLMENTS, 10) is not None
        assert documents.fetched_at(store_id, documents.FULFILLMENTS, 12) is None

        # A write's answer joins the collection; purging a store removes every one of its documents.
        assert documents.apply_one(store_id, documents.CUSTOMER_CATEGORIES, {"id": 99, "name": "VIP"}) == 99
        db.session.commit()
        assert documents.item(store_id, documents.CUSTOMER_CATEGORIES, 99)["name"] == "VIP"
        assert documents.purge_store(store_id) >= 4
        db.session.commit()
        assert db.session.scalar(select(MirrorDocument.id).where(MirrorDocument.store_id == store_id)) is None


def test_the_refresh_job_frees_its_slot_and_a_jumpseller_error_stores_nothing(app, store_id, sandbox):
    with app.app_context():
        code = db.session.get(Store, store_id).code
        assert document_tasks.request_refresh(code, documents.TAXES) is True
        assert not document_tasks.refreshing(code, documents.TAXES)          # inline job: done and freed
        assert documents.count(store_id, documents.TAXES) > 0
        with pytest.raises(KeyError):
            document_tasks.request_refresh(code, "not_a_kind")
        # Fulfillments of an order Jumpseller does not have: a 404, nothing stored, the slot freed.
        assert document_tasks.request_refresh(code, documents.FULFILLMENTS, 999999999) is True
        assert documents.fetched_at(store_id, documents.FULFILLMENTS, 999999999) is None
        assert not document_tasks.refreshing(code, documents.FULFILLMENTS, 999999999)
        when, message = documents.failure(store_id, documents.FULFILLMENTS, 999999999)
        assert when is not None and message
        # A failure is remembered per (kind, parent) until a refresh of it succeeds.
        assert documents.failure(store_id, documents.TAXES) is None
        documents.note_failure(store_id, documents.TAXES, None, "Service Unavailable")
        assert documents.failure(store_id, documents.TAXES)[1] == "Service Unavailable"
        document_tasks.request_refresh(code, documents.TAXES)
        assert documents.failure(store_id, documents.TAXES) is None
