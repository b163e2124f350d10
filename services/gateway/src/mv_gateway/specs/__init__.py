"""Specs: OpenAPI analysis (asked for, or of servers discovered in the cluster), the stored
specs with their tags and endpoints, and the routes that read them.

Other features reach specs only through what is exported here: the repository (for
:meth:`~SpecRepository.targets` and :meth:`~SpecRepository.refs`) and the values it returns.
"""

from .repository import EndpointRef, EndpointTarget, SpecRepository

__all__ = ["EndpointRef", "EndpointTarget", "SpecRepository"]
