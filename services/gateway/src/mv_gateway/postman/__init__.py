"""Postman import: a collection (v2.1) and an environment read into a preview of a test, its
journeys, variables, secrets and sign-in, and what is not carried over; nothing is stored."""
