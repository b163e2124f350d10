"""Projects: the top of the hierarchy project → spec → tag → endpoint.

Other features reach projects only through :class:`ProjectRepository`.
"""

from .repository import ProjectRepository

__all__ = ["ProjectRepository"]
