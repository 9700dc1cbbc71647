"""The accounts.jumpseller.com side: Doorkeeper-like OAuth (views.py), its state (state.py) and scopes."""
