"""Reflex components of the portal."""
