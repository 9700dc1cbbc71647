"""A stand-in for the Jumpseller store admin (pages.py), framing the App URL like the real one."""
