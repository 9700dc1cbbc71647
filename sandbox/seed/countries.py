"""Static reference data: countries, Chile's regions (Jumpseller numbers them, "12" style) and some municipalities."""
from __future__ import annotations

COUNTRIES = [("AR", "Argentina"), ("BR", "Brasil"), ("CL", "Chile"), ("CO", "Colombia"), ("ES", "España"),
             ("MX", "México"), ("PE", "Perú"), ("PT", "Portugal"), ("US", "United States")]

# (code, name, ISO 3166-2) in the north-to-south order Chile lists them.
_CHILE = [("1", "Tarapacá", "CL-TA"), ("2", "Antofagasta", "CL-AN"), ("3", "Atacama", "CL-AT"),
          ("4", "Coquimbo", "CL-CO"), ("5", "Valparaíso", "CL-VS"),
          ("6", "Libertador General Bernardo O'Higgins", "CL-LI"), ("7", "Maule", "CL-ML"),
          ("8", "Biobío", "CL-BI"), ("9", "La Araucanía", "CL-AR"), ("10", "Los Lagos", "CL-LL"),
          ("11", "Aysén del General Carlos Ibáñez del Campo", "CL-AI"),
          ("12", "Región Metropolitana", "CL-RM"), ("13", "Magallanes y de la Antártica Chilena", "CL-MA"),
          ("14", "Los Ríos", "CL-LR"), ("15", "Arica y Parinacota", "CL-AP"), ("16", "Ñuble", "CL-NB")]
_OTHERS = {
    "AR": [("C", "Ciudad Autónoma de Buenos Aires", "AR-C"), ("B", "Buenos Aires", "AR-B"),
           ("X", "Córdoba", "AR-X"), ("S", "Santa Fe", "AR-S")],
    "PE": [("LIM", "Lima", "PE-LIM"), ("ARE", "Arequipa", "PE-ARE"), ("CUS", "Cusco", "PE-CUS")],
}
_MUNICIPALITIES = {
    ("CL", "12"): ["Santiago", "Providencia", "Las Condes", "Ñuñoa", "La Florida", "Maipú", "Puente Alto",
                   "Vitacura", "Lo Barnechea", "San Miguel"],
    ("CL", "5"): ["Valparaíso", "Viña del Mar", "Quilpué", "Villa Alemana", "Concón"],
    ("CL", "8"): ["Concepción", "Talcahuano", "San Pedro de la Paz", "Chiguayante"],
}


def countries() -> list[dict]:
    """Every country (Country schema: code, name)."""
    return [{"code": code, "name": name} for code, name in COUNTRIES]


def country(code: str) -> dict | None:
    """One country by its ISO code (any case), or None."""
    return next((c for c in countries() if c["code"] == code.upper()), None)


def regions(country_code: str) -> list[dict] | None:
    """A country's regions (Region schema: code, name, iso); None for an unknown country."""
    if country(country_code) is None:
        return None
    rows = _CHILE if country_code.upper() == "CL" else _OTHERS.get(country_code.upper(), [])
    return [{"code": code, "name": name, "iso": iso} for code, name, iso in rows]


def region(country_code: str, region_code: str) -> dict | None:
    """One region of a country by its code, or None."""
    return next((r for r in regions(country_code) or [] if r["code"] == region_code), None)


def municipalities(country_code: str, region_code: str) -> list[dict] | None:
    """A region's municipalities (Municipality schema: code, name); None for an unknown country or region."""
    if region(country_code, region_code) is None:
        return None
    names = _MUNICIPALITIES.get((country_code.upper(), region_code), [])
    return [{"code": f"{region_code}{n:03d}", "name": name} for n, name in enumerate(names, start=1)]
