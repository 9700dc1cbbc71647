"""Products bulk price and stock edit (form and CSV, always through a preview) and the streamed CSV export, over real
HTTP against the sandbox; and the CSV dialects and numbers merchants write (csv_io, no server).
"""

import csv
import html
import io
import re

import pytest
from sqlalchemy import func, select

from jumpseller_app import config
from jumpseller_app.extensions import db
from jumpseller_app.models import ApiWrite, MirrorProduct, MirrorVariant
from jumpseller_app.services import csv_io

from ..support.flows import csrf_token
from ..support.iframe import api_requests
from ..support.pages import count_rows, live_rows


# --- csv_io: no server ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, value", [
    ("12,5", 12.5), ("12.5", 12.5), ("12.50", 12.5), ("1.234,50", 1234.5), ("1,234.50", 1234.5),
    ("1.234.567", 1234567), ("$ 12.990", 12990), ("12,990", 12990), ("$12.990,00", 12990), ("0,125", 0.125),
    ("1234.567", 1234.567), ("-3", -3), ("-1.500", -1500), ("  7 ", 7), ("1\u00a0234,5", 1234.5), ("0", 0),
    ("", None), ("abc", None), ("12,5,3", None), ("nan", None), ("inf", None), ("1e400", None), ("--1", None),
])
def test_numbers_as_merchants_type_them(text, value):
    assert csv_io.number(text) == value


def test_a_semicolon_file_with_a_bom_and_blank_lines_is_read():
    header, rows = csv_io.read_rows("\ufeffSKU ; Price;Stock\r\nA-1;12,5;3\r\n\r\n;;\r\nB-2;\"1.234,5\";\r\n".encode())
    assert header == ["sku", "price", "stock"]
    assert rows == [(2, {"sku": "A-1", "price": "12,5", "stock": "3"}), (5, {"sku": "B-2", "price": "1.234,5",
                                                                          "stock": ""})]
    with pytest.raises(csv_io.CsvError):
        csv_io.read_rows(b"\xff\xfeid,price\n")


def test_cells_a_spreadsheet_would_run_are_neutralized():
    lines = b"".join(csv_io.rows_to_csv(["name", "n"], [["=HYPERLINK(\"x\")", 1], ["+1", -2.5], ["@SUM", None],
                                                        ["-x", True], ["\tx", 3.0], ["ok", "=1"]]))
    text = lines.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows == [["name", "n"], ["'=HYPERLINK(\"x\")", "1"], ["'+1", "-2.5"], ["'@SUM", ""], ["'-x", "true"],
                    ["'\tx", "3"], ["ok", "'=1"]]


# --- over HTTP --------------------------------------------------------------------------------------------------

@pytest.fixture
def app_config(app_config):
    return {**app_config, "JUMPSELLER_SCOPES": config.DEFAULT_SCOPES}


def live_products(app):
    return live_rows(app, MirrorProduct)


def variants_by_product(app):
    """{product remote id: [(variant remote id, sku, price, stock)]} of the live products."""
    with app.app_context():
        rows = db.session.execute(select(MirrorProduct.remote_id, MirrorVariant.remote_id, MirrorVariant.sku,
                                         MirrorVariant.price, MirrorVariant.stock)
                                  .join(MirrorVariant, MirrorVariant.product_row_id == MirrorProduct.id)
                                  .where(MirrorProduct.deleted_at.is_(None)).order_by(MirrorVariant.remote_id))
        found = {}
        for product_id, *variant in rows:
            found.setdefault(product_id, []).append(tuple(variant))
        return found


def writes_count(app):
    return count_rows(app, ApiWrite)


def upload(browser, live_app, token, text, name="precios.csv"):
    return browser.post(live_app.url + "/products/bulk/csv", data={"csrf_token": token},
                        files={"file": (name, text.encode("utf-8") if isinstance(text, str) else text, "text/csv")},
                        timeout=30)


def plan_of(page):
    return re.search(r'<textarea name="plan"[^>]*>(.*?)</textarea>', page.text, re.S).group(1)


def reasons_of(page):
    return [html.unescape(text) for text in re.findall(r'data-testid="skipped-reason">([^<]*)<', page.text)]


def test_a_csv_is_previewed_with_its_refused_rows_and_nothing_is_sent_until_applied(app, live_app, sandbox, browser,
                                                                                    signed_in, api):
    variants = variants_by_product(app)
    with_skus = [(pid, vs) for pid, vs in variants.items() if sum(1 for v in vs if v[1]) >= 2]
    (product_id, product_variants), (other_id, other_variants) = with_skus[0], with_skus[1]
    target, second = [v for v in product_variants if v[1]][:2]
    product_sku = next(p.sku for p in live_products(app) if p.remote_id == product_id)
    text = ("\ufeffsku;price;stock\n"
            f"{target[1]};12.990,5;8\n"           # a variant's SKU; a decimal comma and a thousands dot
            "NO-SUCH-SKU;100;1\n"
            f"{second[1]};gratis;\n")
    if product_sku:
        text += f"{product_sku};1000;1\n"        # the product itself: it has variants
    token = csrf_token(browser.get(live_app.url + "/products/bulk", timeout=10).text)
    before, writes = api_requests(sandbox), writes_count(app)
    preview = upload(browser, live_app, token, text)
    assert preview.status_code == 200 and 'data-testid="bulk-preview"' in preview.text
    change = re.search(rf'data-testid="change-{product_id}-{target[0]}">.*?</tr>', preview.text, re.S).group(0)
    assert "→ <strong>12990.5</strong>" in change and "→ <strong>8</strong>" in change
    expected = ["No product or variant of your store has this SKU.", "The price is not a number."]
    if product_sku:
        expected.append("The product has variants: give each variant's SKU (their prices and stock are theirs).")
    assert reasons_of(preview) == expected
    # A second file by ids, with a comma delimiter.
    other_variant = other_variants[0][0]
    by_ids = ("id,variant_id,price,stock\n"
              f"{product_id},{target[0]},,5\n{product_id},,10,\n{product_id},999,1,1\n"
              f"{other_id},{other_variant},10,-1\n99999999,,1,1\n{product_id},{target[0]},2,\n")
    second_preview = upload(browser, live_app, token, by_ids)
    assert reasons_of(second_preview) == [
        "The product has variants: give each variant's SKU (their prices and stock are theirs).",
        "The product has no variant with this id.", "The stock would be negative.",
        "No product of your store has this id.", "The product is already changed by an earlier row."]
    assert f'data-testid="change-{product_id}-{target[0]}"' in second_preview.text
    assert api_requests(sandbox) == before and writes_count(app) == writes        # previews send nothing

    applied = browser.post(live_app.url + "/products/bulk/apply",
                           data={"csrf_token": token, "plan": plan_of(preview)}, timeout=60)
    assert applied.status_code == 200 and 'data-finished="1"' in applied.text
    assert re.search(r'data-testid="result-%d" data-status="done"' % product_id, applied.text)
    remote = api.products.variants(product_id).get(target[0])
    assert (remote["price"], remote["stock"], remote["stock_unlimited"]) == (12990.5, 8, False)
    untouched = api.products.variants(product_id).get(second[0])
    assert (untouched["price"], untouched["stock"]) == (second[2], second[3])
    with app.app_context():
        row = db.session.scalar(select(MirrorVariant).where(MirrorVariant.remote_id == target[0]))
        assert (row.price, row.stock) == (12990.5, 8)
        # One write for the one product changed: the unknown and refused rows made none.
        assert db.session.scalar(select(func.count()).select_from(ApiWrite)) == writes + 1


def test_an_operation_over_the_filtered_list_and_a_refusal_recorded_per_product(app, live_app, sandbox, browser,
                                                                                signed_in, api):
    products = live_products(app)
    variants = variants_by_product(app)
    chosen = products[:3]
    low, high = min(p.price for p in chosen), max(p.price for p in chosen)
    token = csrf_token(browser.get(live_app.url + "/products/bulk", timeout=10).text)
    refused = browser.post(live_app.url + "/products/bulk/preview",
                           data={"csrf_token": token, "price_mode": "percent", "price_value": "diez"}, timeout=10)
    assert refused.status_code == 422 and 'data-testid="bulk-error"' in refused.text
    fields = {"csrf_token": token, "price_min": str(low), "price_max": str(high), "price_mode": "percent",
              "price_value": "10", "stock_mode": "set", "stock_value": "3"}
    preview = browser.post(live_app.url + "/products/bulk/preview", data=fields, timeout=30)
    assert preview.status_code == 200
    matching = [p for p in products if low <= p.price <= high]
    expected = {}
    for product in matching:        # a product with variants changes each variant
        for variant_id, _, price, _ in variants.get(product.remote_id, []):
            expected[(product.remote_id, variant_id)] = round(price * 1.1, 2)
        if not variants.get(product.remote_id):
            expected[(product.remote_id, None)] = round(product.price * 1.1, 2)
    changed = set(re.findall(r'data-testid="change-(\d+)(?:-(\d+))?"', preview.text))
    assert changed == {(str(p), str(v) if v else "") for p, v in expected}
    # One product disappears from Jumpseller between the preview and the apply: its write fails, the rest apply.
    gone = chosen[0].remote_id
    api.products.delete(gone)
    applied = browser.post(live_app.url + "/products/bulk/apply", data={"csrf_token": token,
                                                                         "plan": plan_of(preview)}, timeout=60)
    assert applied.status_code == 200
    assert re.search(r'data-testid="result-%d" data-status="failed"' % gone, applied.text)
    assert "Jumpseller no longer has this record." in applied.text
    assert len(re.findall(r'data-status="done"', applied.text)) == len(matching) - 1
    for (product_id, variant_id), price in expected.items():
        if product_id == gone:
            continue
        remote = api.products.variants(product_id).get(variant_id) if variant_id else api.products.get(product_id)
        assert (remote["price"], remote["stock"]) == (price, 3), (product_id, variant_id)
    with app.app_context():
        kept = db.session.scalar(select(MirrorProduct).where(MirrorProduct.remote_id == gone))
        assert kept.price == chosen[0].price and kept.deleted_at is None    # a refused write leaves the mirror alone


def test_apply_reads_the_plan_again_and_refuses_what_it_cannot_apply(app, live_app, browser, signed_in, api):
    token = csrf_token(browser.get(live_app.url + "/products/bulk", timeout=10).text)
    writes = writes_count(app)
    forged = browser.post(live_app.url + "/products/bulk/apply",
                          data={"csrf_token": token, "plan": "id,price,stock\n99999999,1,1\n"}, timeout=10)
    assert forged.status_code == 422 and 'data-testid="bulk-error"' in forged.text
    assert writes_count(app) == writes
    no_csrf = browser.post(live_app.url + "/products/bulk/apply", data={"plan": "id,price\n1,1\n"}, timeout=10,
                           allow_redirects=False)
    assert no_csrf.status_code == 400
    bad = upload(browser, live_app, token, "nombre,precio\nx,1\n")
    assert bad.status_code == 422 and "needs an id or a sku column" in bad.text
    assert browser.get(live_app.url + "/products/bulk/" + "0" * 32, timeout=10).status_code == 404
    assert browser.get(live_app.url + "/products/bulk/not-a-batch", timeout=10).status_code == 404


def test_the_export_streams_the_filtered_mirror_with_formulas_neutralized(app, live_app, sandbox, browser,
                                                                         signed_in):
    products = live_products(app)
    victim = products[0]
    with app.app_context():
        row = db.session.get(MirrorProduct, victim.id)
        row.name = '=HYPERLINK("http://evil.example","click")'
        db.session.commit()
    before = api_requests(sandbox)
    response = browser.get(live_app.url + "/products/export.csv", params={"sort": "id"}, timeout=30, stream=True)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    assert "Content-Length" not in response.headers               # streamed, not built whole
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0][:4] == ["id", "sku", "name", "price"]
    assert [int(r[0]) for r in rows[1:]] == sorted(p.remote_id for p in products)
    assert rows[1][2] == "'" + '=HYPERLINK("http://evil.example","click")'
    status = victim.status
    filtered = browser.get(live_app.url + "/products/export.csv", params={"status": status}, timeout=30).content
    assert len(list(csv.reader(io.StringIO(filtered.decode()[1:])))) - 1 == \
        sum(1 for p in products if p.status == status)
    assert api_requests(sandbox) == before


def test_a_second_apply_while_the_first_is_under_way_sends_nothing_twice(app, live_app, browser, signed_in, api):
    from jumpseller_app.extensions import queue
    from jumpseller_app.jobs import write_tasks
    product_id, product_variants = next(iter(variants_by_product(app).items()))
    variant_id = product_variants[0][0]
    plan = f"id,variant_id,price,stock\n{product_id},{variant_id},777,\n"
    token = csrf_token(browser.get(live_app.url + "/products/bulk", timeout=10).text)
    queue.immediate = False                      # the batch waits in the queue
    try:
        first = browser.post(live_app.url + "/products/bulk/apply", data={"csrf_token": token, "plan": plan},
                             timeout=30)
        assert first.status_code == 200 and 'data-finished="0"' in first.text
        again = browser.post(live_app.url + "/products/bulk/apply", data={"csrf_token": token, "plan": plan},
                             timeout=30)
        assert again.status_code == 422 and "Nothing of this preview can be applied" in again.text
        with app.app_context():
            ids = [w.id for w in db.session.scalars(select(ApiWrite).where(ApiWrite.kind == "products.bulk"))]
        assert len(ids) == 1                     # one write, not two
        with app.app_context():
            write_tasks.perform_batch_job.call_local("sandbox", ids)
    finally:
        queue.immediate = True
    assert api.products.variants(product_id).get(variant_id)["price"] == 777
    done = browser.get(first.url, timeout=10)
    assert 'data-finished="1"' in done.text and "1 of 1 products answered: 1 changed, 0 refused." in done.text


def test_applying_without_the_write_permission_queues_nothing(app, live_app, browser):
    from ..support.flows import install
    app.config["JUMPSELLER_SCOPES"] = "read_store read_products"
    install(browser, live_app)
    product = live_products(app)[0]
    token = csrf_token(browser.get(live_app.url + "/products/bulk", timeout=10).text)
    refused = browser.post(live_app.url + "/products/bulk/apply",
                           data={"csrf_token": token, "plan": f"id,price\n{product.remote_id},5\n"}, timeout=10)
    assert refused.status_code == 403 and 'data-testid="permission-products"' in refused.text
    assert writes_count(app) == 0
