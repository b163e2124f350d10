"""k6 script generation: a pure function of the test request."""

from .generator import GeneratedScript, generate_script
from .secrets import is_secret_header

__all__ = ["GeneratedScript", "generate_script", "is_secret_header"]
