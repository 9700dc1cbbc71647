"""Per-store data holders: stores, catalog, categories, customers, orders, and their input rules."""
