"""``python -m mv_spec_analyzer``: run the spec-analyzer until SIGTERM."""

from mv_runtime.service import run_service

from .app import create_app
from .settings import Settings

if __name__ == "__main__":
    run_service("spec-analyzer", Settings(), create_app)
