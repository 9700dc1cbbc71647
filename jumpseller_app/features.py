"""What the app does for a store, and whether the store granted the permissions (scopes) each feature needs.

The feature → operation → scope table is Flask-free (jumpseller/scopes.py); this module adds what the merchant's
pages need: which features a store lacks permissions for, said in words.
"""

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from .jumpseller import scopes
from .models import AuthMode

# The features with a place on the merchant's page, and how the page names them.
PAGE_FEATURES = (scopes.DASHBOARD,)
TITLES = {
    "dashboard": _l("The dashboard"), "store_identity": _l("Identifying your store"),
    "categories": _l("The Categories page"), "category_products": _l("Assigning products to categories"),
    "store": _l("The Store information page"), "orders": _l("The Orders page"),
    "order_writes": _l("Changing orders"), "shipments": _l("Showing shipments"),
    "customers": _l("The Customers page"), "customer_writes": _l("Changing customers"),
    "taxes": _l("The Taxes page"), "products": _l("The Products page"),
}
THINGS = {"store": _l("store information"), "products": _l("products"), "orders": _l("orders"),
          "customers": _l("customers"), "categories": _l("categories"), "hooks": _l("webhooks"),
          "fulfillments": _l("shipments"), "taxes": _l("taxes")}


def needed():
    """Every scope the app's features call for, in a stable order."""
    return list(scopes.required())


def granted(store):
    """The store's granted scopes; None for Basic credentials, which act as the owner with every permission."""
    if store.auth_mode == AuthMode.BASIC:
        return None
    return scopes.parse(store.scopes)


def allows(store, operation):
    """Whether the app may call `operation` for `store` with what was granted."""
    return scopes.allows(operation, granted(store))


def _join(words):
    words = [str(w) for w in words]
    if len(words) == 1:
        return words[0]
    return gettext("%(first)s and %(last)s", first=", ".join(words[:-1]), last=words[-1])


def describe(missing):
    """Missing scopes in words: ("read_orders", "read_customers") → "read orders and customers"."""
    by_verb = {}
    for scope in missing:
        verb, _, thing = scope.partition("_")
        by_verb.setdefault(verb, []).append(THINGS.get(thing) or thing.replace("_", " "))
    phrases = []
    for verb, things in by_verb.items():
        what = _join(things)
        if verb == "read":
            phrases.append(gettext("read %(things)s", things=what))
        elif verb == "write":
            phrases.append(gettext("change %(things)s", things=what))
        else:
            phrases.append(f"{verb} {what}")
    return _join(phrases)


def blocked(store, features=PAGE_FEATURES):
    """The page's features the store did not grant every scope for: key, missing scopes and a sentence."""
    have = granted(store)
    result = []
    for feature in features:
        missing = feature.missing(have)
        if missing:
            message = gettext("%(feature)s needs permission to %(what)s.",
                              feature=TITLES.get(feature.key, feature.key), what=describe(missing))
            result.append({"key": feature.key, "missing": list(missing), "message": message})
    return result
