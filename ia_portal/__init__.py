"""IA Portal: a reference partner site for Instant Access sign-in and payment."""
