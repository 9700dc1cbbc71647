"""Lists over the mirror for the feature pages: search, filters, whitelisted sorting and bounded pagination.

Flask-free. A page declares what its list offers once, as a `Listing`, and hands it the request's arguments
(any mapping of strings: request.args, a dict in a test):

    CATEGORIES = Listing(MirrorCategory, search=("name", "permalink"),
                         filters={"parent": Filter("parent_id", kind="int")},
                         sorts={"name": "name", "id": "remote_id"}, default_sort="name")
    page = CATEGORIES.run(store_id, CATEGORIES.parse(request.args))

Every argument is untrusted and is read tolerantly: an unknown sort key falls back to the default, a page or
per_page that is not a number (or out of range) is clamped, `%` and `_` in a search match themselves. Rows of
other stores and tombstones (deleted_at set) are never listed. The order always ends with the row id, so equal
sort values keep a stable order from page to page; text sorts ignore case. templates/_listing.html renders the
search box, sort links and pagination of a `Page`; web/listing.py parses request.args.
"""

import math
from dataclasses import dataclass, field, replace

from sqlalchemy import String, func, or_, select

from ..extensions import db

PER_PAGE = 25
MAX_PER_PAGE = 100
MAX_SEARCH = 200
ESCAPE = "\\"


@dataclass(frozen=True)
class Filter:
    """One declared filter: `column` of the model, compared exactly, or as a range with kind "min"/"max".

    `kind` says how the argument is read: "int", "float" or "str" (exact), "min"/"max" (a float bound, inclusive).
    A value that does not read as its kind is ignored, as if the filter was not given.
    """

    column: str
    kind: str = "str"

    def read(self, raw):
        text = (raw or "").strip()
        if not text:
            return None
        if self.kind == "str":
            return text[:MAX_SEARCH]
        try:
            value = int(text) if self.kind == "int" else float(text)
        except ValueError:
            return None
        return value if math.isfinite(value) and abs(value) < 2 ** 62 else None

    def clause(self, model, value):
        column = getattr(model, self.column)
        if self.kind == "min":
            return column >= value
        if self.kind == "max":
            return column <= value
        return column == value


@dataclass(frozen=True)
class Params:
    """A list request, already made safe: every value here is one the Listing accepts."""

    q: str = ""
    filters: dict = field(default_factory=dict)
    sort: str = ""
    desc: bool = False
    page: int = 1
    per_page: int = PER_PAGE

    def args(self, **changes):
        """These parameters as query arguments (for links), with `changes` applied; defaults left out."""
        params = replace(self, **changes)
        args = {"q": params.q, **params.filters, "sort": params.sort, "desc": "1" if params.desc else "",
                "page": params.page if params.page != 1 else "",
                "per_page": params.per_page if params.per_page != PER_PAGE else ""}
        return {key: value for key, value in args.items() if value != ""}


@dataclass(frozen=True)
class Page:
    """One page of a list: its rows, the total number of matching rows, and where it stands."""

    items: list
    total: int
    params: Params

    @property
    def pages(self):
        return max(1, -(-self.total // self.params.per_page))

    @property
    def has_prev(self):
        return self.params.page > 1

    @property
    def has_next(self):
        return self.params.page < self.pages


def escape_like(text):
    """`text` for a LIKE pattern where every character, % and _ included, matches itself."""
    return text.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")


def _int(raw, default, low, high):
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        return default
    return min(max(value, low), high)


@dataclass(frozen=True)
class Listing:
    """What one list page offers: the model, searchable columns, filters by argument name, sort keys → columns."""

    model: type
    search: tuple = ()
    filters: dict = field(default_factory=dict)
    sorts: dict = field(default_factory=dict)
    default_sort: str = ""
    default_desc: bool = False

    def parse(self, args):
        """Params from untrusted query arguments (a mapping of strings)."""
        sort = args.get("sort", "")
        if sort not in self.sorts:
            sort, desc = self.default_sort, self.default_desc
        else:
            desc = args.get("desc", "") in ("1", "true", "on")
        filters = {}
        for name, declared in self.filters.items():
            value = declared.read(args.get(name))
            if value is not None:
                filters[name] = value
        return Params(q=(args.get("q") or "").strip()[:MAX_SEARCH], filters=filters, sort=sort, desc=desc,
                      page=_int(args.get("page"), 1, 1, 10 ** 6),
                      per_page=_int(args.get("per_page"), PER_PAGE, 1, MAX_PER_PAGE))

    def where(self, store_id, params):
        """The WHERE clauses of `params` for the store: its live rows that match the search and filters."""
        model = self.model
        clauses = [model.store_id == store_id]
        if hasattr(model, "deleted_at"):
            clauses.append(model.deleted_at.is_(None))
        if params.q and self.search:
            pattern = f"%{escape_like(params.q.lower())}%"
            clauses.append(or_(*(func.lower(getattr(model, name)).like(pattern, escape=ESCAPE)
                                 for name in self.search)))
        for name, value in params.filters.items():
            clauses.append(self.filters[name].clause(model, value))
        return clauses

    def order(self, params):
        model = self.model
        order = []
        if params.sort:
            column = getattr(model, self.sorts[params.sort])
            if isinstance(column.type, String):
                column = func.lower(column)         # the same order on SQLite and PostgreSQL: "apple" by "Apple"
            order.append(column.desc() if params.desc else column.asc())
        order.append(model.id.desc() if params.desc else model.id.asc())
        return order

    def run(self, store_id, params):
        """The page of rows `params` asks for (a page past the end is empty), and the total."""
        clauses = self.where(store_id, params)
        total = db.session.scalar(select(func.count()).select_from(self.model).where(*clauses))
        items = list(db.session.scalars(
            select(self.model).where(*clauses).order_by(*self.order(params))
            .limit(params.per_page).offset((params.page - 1) * params.per_page)))
        return Page(items=items, total=total, params=params)
