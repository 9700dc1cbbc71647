"""Webhook delivery like Jumpseller's: which events a change fires, signed POSTs, retries, pausing, chaos."""
