"""Process plumbing shared by the services: bus wiring, logging, base settings."""
