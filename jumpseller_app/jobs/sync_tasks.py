"""Jobs that sync a store's mirror with Jumpseller: full, incremental, and the periodic reconciliation."""
