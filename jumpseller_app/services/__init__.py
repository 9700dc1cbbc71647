"""Use cases. They take plain values and models, never the request or the session, and own the transactions."""
