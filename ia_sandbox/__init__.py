"""A stand-in for the Instant Access (IA) platform, served on its own origin.

It speaks the documented partner protocol (the authorization frame, the
server-to-server callback, the token exchange and the user endpoint) and
simulates the user's IA phone app as web pages, so a partner site can be
built and tested offline. Run it with ``python -m ia_sandbox``.
"""
