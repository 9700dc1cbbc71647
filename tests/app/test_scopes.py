"""Scopes come from features: each declared operation's scope is the one Jumpseller's spec requires."""

import json
from pathlib import Path

import pytest

from jumpseller_app import config
from jumpseller_app.jumpseller import scopes

SPEC = json.loads((Path(__file__).resolve().parents[2] / "sandbox" / "spec" / "jumpseller-openapi.json").read_text())


def oauth_scopes_in_spec(operation):
    """The OAuth2 scopes the spec's `security` lists for one operation."""
    entry = SPEC["paths"][operation.path][operation.method.lower()]
    return {scope for requirement in entry.get("security", SPEC.get("security", []))
            for scope in requirement.get("OAuth2", [])}


@pytest.mark.parametrize("operation", scopes.OPERATIONS, ids=lambda op: f"{op.method} {op.path}")
def test_each_operation_needs_the_scope_the_spec_names(operation):
    assert oauth_scopes_in_spec(operation) == {operation.scope}


def test_every_feature_calls_only_declared_operations():
    for feature in scopes.FEATURES:
        assert feature.operations and set(feature.operations) <= set(scopes.OPERATIONS), feature.key


def test_the_default_scopes_are_the_union_of_the_features():
    union = {scope for feature in scopes.FEATURES for scope in feature.scopes}
    assert set(config.DEFAULT_SCOPES.split()) == union
    assert len(config.DEFAULT_SCOPES.split()) == len(union)
    # Issue 9's Categories page added write_store (categories) and write_products (assigning products); the
    # orders, customers and taxes pages write_orders, read_fulfillments, write_customers and read_taxes.
    assert {"read_store", "read_products", "read_orders", "read_customers", "read_hooks", "write_hooks",
            "write_store", "write_products", "write_orders", "read_fulfillments", "write_customers",
            "read_taxes"} == union
    assert config.load_config({"APP_ENV": "testing"})["JUMPSELLER_SCOPES"] == config.DEFAULT_SCOPES


def test_missing_scopes_of_a_feature():
    assert scopes.DASHBOARD.missing(scopes.parse("read_store,read_products")) == ("read_orders", "read_customers")
    assert scopes.DASHBOARD.missing(None) == ()               # Basic credentials act as the owner
    assert scopes.STORE_IDENTITY.missing(scopes.parse("read_store")) == ()
    assert scopes.normalize(" read_store,read_store  write_products ") == "read_store write_products"
