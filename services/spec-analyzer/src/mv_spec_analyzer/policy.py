"""The analyzer's one fetch policy, judged before every connection: the document, every
``$ref``, every redirect of either. Defined once for every service that reaches out
(:mod:`mv_runtime.outbound`: a webhook of a notification channel is judged the same way)."""

from mv_runtime.outbound import FetchPolicy, Platform

__all__ = ["FetchPolicy", "Platform"]
