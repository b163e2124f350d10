"""Who may do what: passwords, API tokens, roles, login limits and where load may be aimed.

The modules here are plain code with no I/O; the tables, routes and FastAPI dependencies that
use them sit beside them.
"""
