"""Products bulk price and stock edit (form and CSV, always through a preview) and the streamed CSV export, over real
HTTP against the sandbox; and the CSV dialects and numbers merchants write (csv_io, no server).
"""

import csv
import io
import re

import pytest
from sqlalchemy import func, select

from jumpseller_app import config
from jumpseller_app.extensions import db
from jumpseller_app.models import ApiWrite, MirrorProduct
from jumpseller_app.services import csv_io

from ..support.flows import csrf_token
from ..support.iframe import api_requests
from ..support.pages import count_rows, live_rows


# --- csv_io: no server ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, value", [
    ("12,5", 12.5), ("12.5", 12.5), ("1.234,50", 1234.5), ("1,234.50", 1234.5), ("1.234.567", 1234567),
    ("$ 12.990", 12.99), ("$12.990,00", 12990), ("-3", -3), ("  7 ", 7), ("1\u00a0234,5", 1234.5), ("0", 0),
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


def writes_count(app):
    return count_rows(app, ApiWrite)


def upload(browser, live_app, token, text, name="precios.csv"):
    return browser.post(live_app.url + "/products/bulk/csv", data={"csrf_token": token},
                        files={"file": (name, text.encode("utf-8") if isinstance(text, str) else text, "text/csv")},
                        timeout=30)


def plan_of(page):
    return re.search(r'<textarea name="plan"[^>]*>(.*?)</textarea>', page.text, re.S).group(1)


def test_a_csv_is_previewed_with_its_refused_rows_and_nothing_is_sent_until_applied(app, live_app, sandbox, browser,
                                                                                    signed_in, api):
    products = live_products(app)
    by_sku, by_id, third = next(p for p in products[2:] if p.sku), products[0], products[1]
    assert by_sku.remote_id != by_id.remote_id
    text = ("\ufeffsku;price;stock\n"
            f"{by_sku.sku};12.990,5;8\n"          # a decimal comma and a thousands dot
            "NO-SUCH-SKU;100;1\n"
            f"{third.sku or 'x'};gratis;\n")
    token = csrf_token(browser.get(live_app.url + "/products/bulk", timeout=10).text)
    before, writes = api_requests(sandbox), writes_count(app)
    preview = upload(browser, live_app, token, text)
    assert preview.status_code == 200 and 'data-testid="bulk-preview"' in preview.text
    change = re.search(rf'data-testid="change-{by_sku.remote_id}">.*?</tr>', preview.text, re.S).group(0)
    assert "→ <strong>12990.5</strong>" in change and "→ <strong>8</strong>" in change
    reasons = re.findall(r'data-testid="skipped-reason">([^<]*)<', preview.text)
    assert "No product of your store has this SKU." in reasons
    assert ("The price is not a number." in reasons) == bool(third.sku)
    # A second file by id, with a comma delimiter: negative stock and a whole-number check.
    by_id_file = f"id,price,stock\n{by_id.remote_id},,5\n{third.remote_id},10,-1\n99999999,1,1\n{by_id.remote_id},2,\n"
    second = upload(browser, live_app, token, by_id_file)
    reasons = re.findall(r'data-testid="skipped-reason">([^<]*)<', second.text)
    assert reasons == ["The stock would be negative.", "No product of your store has this id.",
                       "The product is already changed by an earlier row."]
    assert api_requests(sandbox) == before and writes_count(app) == writes        # previews send nothing

    applied = browser.post(live_app.url + "/products/bulk/apply",
                           data={"csrf_token": token, "plan": plan_of(preview)}, timeout=60)
    assert applied.status_code == 200 and 'data-finished="1"' in applied.text
    assert re.search(r'data-testid="result-%d" data-status="done"' % by_sku.remote_id, applied.text)
    remote = api.products.get(by_sku.remote_id)
    assert (remote["price"], remote["stock"], remote["stock_unlimited"]) == (12990.5, 8, False)
    with app.app_context():
        row = db.session.scalar(select(MirrorProduct).where(MirrorProduct.remote_id == by_sku.remote_id))
        assert (row.price, row.stock) == (12990.5, 8)
        # Only the previewed product was written: the unknown and refused rows made no write.
        assert db.session.scalar(select(func.count()).select_from(ApiWrite)) == writes + 1


def test_an_operation_over_the_filtered_list_and_a_refusal_recorded_per_product(app, live_app, sandbox, browser,
                                                                                signed_in, api):
    products = live_products(app)
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
    expected = {p.remote_id: round(p.price * 1.1, 2) for p in live_products(app) if low <= p.price <= high}
    changed = {int(i) for i in re.findall(r'data-testid="change-(\d+)"', preview.text)}
    assert changed == set(expected)
    # One of them disappears from Jumpseller between the preview and the apply: its write fails, the rest apply.
    gone = chosen[0].remote_id
    api.products.delete(gone)
    applied = browser.post(live_app.url + "/products/bulk/apply", data={"csrf_token": token,
                                                                         "plan": plan_of(preview)}, timeout=60)
    assert applied.status_code == 200
    assert re.search(r'data-testid="result-%d" data-status="failed"' % gone, applied.text)
    assert "Jumpseller no longer has this record." in applied.text
    for remote_id, price in expected.items():
        if remote_id == gone:
            continue
        remote = api.products.get(remote_id)
        assert (remote["price"], remote["stock"]) == (price, 3), remote_id
    with app.app_context():
        kept = db.session.scalar(select(MirrorProduct).where(MirrorProduct.remote_id == gone))
        assert kept.price == chosen[0].price        # a refused write leaves the mirror alone


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
