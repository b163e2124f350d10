"""The gateway's relational store: models, engine, repositories, migrations."""
