"""/v1/countries: static reference data. The spec's security lists no OAuth scope for these, so any
authenticated caller may read them (they are registered outside ROUTE_SCOPES; UNSCOPED lists them)."""
from __future__ import annotations

from ..seed import countries as seed
from ..web import json_response
from .base import bp, not_found

UNSCOPED: list[tuple[str, str]] = []


def _open(path: str, rule: str):
    """Register a GET view that needs authentication but no scope."""
    def decorate(view):
        UNSCOPED.append((path, "get"))
        return bp.route(rule, methods=["GET"])(view)
    return decorate


def _answer(found, what: str):
    return json_response(found) if found is not None else not_found(what)


@_open("/countries.json", "/countries.json")
def countries():
    """GET /countries.json: every country (code, name), unwrapped."""
    return json_response(seed.countries())


@_open("/countries/{country_code}.json", "/countries/<country_code>.json")
def country(country_code: str):
    """GET /countries/{country_code}.json: one country."""
    return _answer(seed.country(country_code), "Country")


@_open("/countries/{country_code}/regions.json", "/countries/<country_code>/regions.json")
def regions(country_code: str):
    """GET /countries/{country_code}/regions.json: a country's regions (code, name, iso)."""
    return _answer(seed.regions(country_code), "Country")


@_open("/countries/{country_code}/regions/{region_code}.json", "/countries/<country_code>/regions/<region_code>.json")
def region(country_code: str, region_code: str):
    """GET /countries/{country_code}/regions/{region_code}.json: one region."""
    return _answer(seed.region(country_code, region_code), "Country or Region")


@_open("/countries/{country_code}/regions/{region_code}/municipalities.json",
       "/countries/<country_code>/regions/<region_code>/municipalities.json")
def municipalities(country_code: str, region_code: str):
    """GET …/regions/{region_code}/municipalities.json: a region's municipalities (code, name)."""
    return _answer(seed.municipalities(country_code, region_code), "Country or Region")
