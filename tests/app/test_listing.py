"""services/listing.py on SQLite and PostgreSQL: search (escaped), filters, whitelisted sorting, bounded pages, no
tombstones and no other store's rows. (The list page given hostile arguments: test_categories_pages.py.)"""

from datetime import datetime

import pytest

from jumpseller_app.extensions import db
from jumpseller_app.models import AuthMode, MirrorProduct, Store
from jumpseller_app.services import categories, mirror
from jumpseller_app.services.listing import MAX_PER_PAGE, Filter, Listing, escape_like

from ..support.database import url_of_kind

AT = datetime(2026, 1, 1)
NAMES = ["100% cotton", "100 cotton", "a_b", "axb", "Back\\slash", "Zebra", "zebra", "Apple"]


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """Every test here on SQLite and on PostgreSQL."""
    return url_of_kind(request, tmp_path, request.param)


@pytest.fixture
def stores(app):
    """Two stores; the first has NAMES as categories (ids 1…), one tombstone, and products; the second a decoy."""
    with app.app_context():
        mine, other = Store(code="mine", auth_mode=AuthMode.OAUTH), Store(code="other", auth_mode=AuthMode.OAUTH)
        db.session.add_all([mine, other])
        db.session.flush()
        mirror.apply(mine.id, "categories", [{"id": i + 1, "name": name, "parent_id": 1 if i % 2 else None}
                                             for i, name in enumerate(NAMES)], AT)
        mirror.apply(mine.id, "categories", [{"id": 99, "name": "Gone cotton"}], AT)
        mirror.mark_deleted(mine.id, "categories", 99, AT)
        mirror.apply(other.id, "categories", [{"id": 500, "name": "100% cotton elsewhere"}], AT)
        mirror.apply(mine.id, "products", [
            {"id": 10, "name": "Shirt", "price": 10.0, "categories": [{"id": 1}, {"id": 3}]},
            {"id": 11, "name": "Socks", "price": 2.5, "categories": [{"id": 3}]},
            {"id": 12, "name": "Hat", "price": 30.0, "categories": [{"id": 13}]}], AT)
        mirror.apply(other.id, "products", [{"id": 20, "name": "Decoy", "price": 1.0, "categories": [{"id": 3}]}],
                     AT)
        db.session.commit()
        return mine.id, other.id


def listed(app, store_id, args, listing=categories.LISTING):
    with app.app_context():
        page = listing.run(store_id, listing.parse(args))
        return [row.name for row in page.items], page


def test_search_is_case_blind_and_matches_wildcards_literally(app, stores):
    mine, _ = stores
    assert listed(app, mine, {"q": "%"})[0] == ["100% cotton"]
    assert listed(app, mine, {"q": "_"})[0] == ["a_b"]
    assert listed(app, mine, {"q": "\\"})[0] == ["Back\\slash"]
    assert sorted(listed(app, mine, {"q": "COTTON"})[0]) == ["100 cotton", "100% cotton"]   # no tombstone, no other
    assert escape_like("5%_\\") == "5\\%\\_\\\\"


def test_sorting_is_whitelisted_and_stable(app, stores):
    mine, _ = stores
    by_name = listed(app, mine, {"sort": "name"})[0]
    assert listed(app, mine, {"sort": "name;drop table stores"})[0] == by_name          # the default instead
    assert listed(app, mine, {"sort": "__class__"})[0] == by_name
    zebras = [n for n in by_name if n.lower() == "zebra"]
    with app.app_context():
        ids = {row.name: row.remote_id for row in categories.LISTING.run(mine, categories.LISTING.parse({})).items}
    # Equal names would tie: the row id breaks ties, the same on every page and in both directions.
    assert listed(app, mine, {"sort": "id", "desc": "1"})[0] == sorted(ids, key=ids.get, reverse=True)
    assert len(zebras) == 2 and by_name.index(zebras[0]) + 1 == by_name.index(zebras[1])


def test_pages_are_bounded_and_counted(app, stores):
    mine, _ = stores
    names, page = listed(app, mine, {"page": "-1", "per_page": str(10 ** 9), "sort": "id"})
    assert page.params.page == 1 and page.params.per_page == MAX_PER_PAGE and len(names) == len(NAMES)
    names, page = listed(app, mine, {"page": "2", "per_page": "3", "sort": "id"})
    assert names == NAMES[3:6] and page.total == len(NAMES) and page.pages == 3
    assert page.has_prev and page.has_next
    names, page = listed(app, mine, {"page": "999", "per_page": "abc"})
    assert names == [] and page.total == len(NAMES) and page.params.per_page == 25
    assert listed(app, mine, {"page": "1e9", "per_page": "0"})[1].params.per_page == 1


def test_filters_read_their_kind_and_ignore_the_rest(app, stores):
    mine, _ = stores
    children = sorted(listed(app, mine, {"parent": "1"})[0])
    assert children == sorted(NAMES[1::2])
    assert len(listed(app, mine, {"parent": "one"})[0]) == len(NAMES)            # unreadable: not applied
    prices = Listing(MirrorProduct, search=("name",), filters={"min": Filter("price", kind="min"),
                                                               "max": Filter("price", kind="max")},
                     sorts={"price": "price"}, default_sort="price")
    assert listed(app, mine, {"min": "2.5", "max": "10"}, prices)[0] == ["Socks", "Shirt"]
    assert listed(app, mine, {"min": "nan", "max": "inf"}, prices)[0] == ["Socks", "Shirt", "Hat"]


def test_a_category_s_products_come_from_the_json_ids_on_both_databases(app, stores):
    mine, _ = stores
    with app.app_context():
        rows, total = categories.products_in(mine, 3)
        assert [r.name for r in rows] == ["Shirt", "Socks"] and total == 2
        assert categories.products_in(mine, 13)[1] == 1 and categories.products_in(mine, 4)[1] == 0
