"""Reflex state: the signed-in session, and the IA button's sign-in flow."""
