"""A product's data the mirror tables do not hold: its custom field values ("attributes") and its reviews.

Both are fetched by a refresh job into MirrorDocument (services/documents.py), one product at a time (the product's
id is the documents' parent), and the product's page reads them from there with when they were fetched. Reviews
are read-only: Jumpseller's API lists them but offers no call to write, answer or moderate one.
"""

from itertools import islice

from . import documents

FIELDS = "product_fields"
REVIEWS = "product_reviews"
KINDS = (FIELDS, REVIEWS)
SHOWN = 100

documents.register(FIELDS, fetch=lambda client, parent: client.products.fields(int(parent)).list(
    limit=documents.UNPAGED_LIMIT))
documents.register(REVIEWS, fetch=lambda client, parent: islice(client.products.reviews(int(parent)).iter_all(),
                                                                 documents.MAX_DOCUMENTS))


def details(store_id, product_id):
    """{kind: (records, fetched at)} of the product's custom fields and reviews, from the database."""
    return {kind: (documents.items(store_id, kind, product_id, limit=SHOWN),
                   documents.fetched_at(store_id, kind, product_id)) for kind in KINDS}
