"""Deterministic seed data: a store and its catalog (store.py), customers and orders."""
