"""Fixtures and helpers the feature pages' test modules share (a pytest plugin registered by tests/conftest.py).

A module still says which scopes its app asks for (its own `app_config`); these fixtures then give it a signed-in
merchant and a plain Basic-auth client of the sandbox, the witness of what changed at "Jumpseller".
"""

import pytest
from sqlalchemy import func, select

from jumpseller_app.extensions import db

from .flows import basic_client, install


@pytest.fixture
def signed_in(live_app, browser):
    """The default sandbox store installed (its mirror filled by the first sync); returns the dashboard's text."""
    return install(browser, live_app).text


@pytest.fixture
def api(sandbox, tmp_path):
    """The sandbox's API as a script would call it (Basic auth, no shared budget)."""
    return basic_client(sandbox, tmp_path, budget=False)


def count_rows(app, model):
    """How many rows `model`'s table holds."""
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def live_rows(app, model):
    """The live rows (no tombstones) of a mirror model, by remote id."""
    with app.app_context():
        return db.session.scalars(select(model).where(model.deleted_at.is_(None)).order_by(model.remote_id)).all()


def post_page(browser, live_app, path, token, **fields):
    """POST a page's form as the merchant's browser does (with the page's CSRF token)."""
    return browser.post(live_app.url + path, data={"csrf_token": token, **fields}, timeout=30)
