"""Trigger URLs: a plan started from outside (a CD pipeline's "after deploy" step) with a token
of its own, shown once, stored hashed, revocable; idempotent per ``Idempotency-Key``."""
