"""``python -m mv_test_runner``: run the test-runner until SIGTERM."""

from mv_runtime.service import run_service

from .app import create_app
from .settings import Settings

if __name__ == "__main__":
    run_service("test-runner", Settings(), create_app)
