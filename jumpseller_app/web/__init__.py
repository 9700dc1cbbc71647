"""Request-side helpers shared by the views (the signed-in store, …)."""
