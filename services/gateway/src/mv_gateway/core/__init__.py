"""Plumbing every feature shares: settings, the database (base model, engine, migrations),
request dependencies, the mapping of errors to HTTP answers, and handling a message once.

Nothing in here knows a feature; features import from here, never the other way round."""
