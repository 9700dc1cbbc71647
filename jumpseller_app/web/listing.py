"""The view side of services/listing.py: a list page's Page from the request's query arguments.

    page = listing.from_request(categories.LISTING, g.store.id)
    return render_template("categories/index.html", page=page)

and in the template, templates/_listing.html's macros draw the search form, sort links and pagination:

    {% from "_listing.html" import search_form, sort_link, pagination with context %}
    {{ sort_link(page, "categories.index", "name", _("Name")) }} … {{ pagination(page, "categories.index") }}
"""

from flask import request


def from_request(listing, store_id):
    """The page of `listing` the request's arguments ask for (hostile ones made safe by Listing.parse)."""
    return listing.run(store_id, listing.parse(request.args))
