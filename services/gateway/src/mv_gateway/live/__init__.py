"""Live streams: the fan-out hub, what SSE and WebSocket clients receive, the routes that serve
them, and the bus handlers that feed the hub. Exports the hub the app and server hold."""

from .hub import LiveHub

__all__ = ["LiveHub"]
