"""``python -m mv_metrics_aggregator.receiver``: serve remote write until SIGTERM / SIGINT."""

from aiohttp import web

from mv_runtime.logging import configure_logging

from .server import create_receiver
from .settings import ReceiverSettings

if __name__ == "__main__":
    settings = ReceiverSettings()
    configure_logging("metrics-receiver", settings.log_level, settings.log_format)
    web.run_app(
        create_receiver(settings),
        host=settings.receiver_host,
        port=settings.receiver_port,
        print=None,
        access_log=None,
    )
