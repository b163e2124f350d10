"""Live streams: what SSE and WebSocket clients receive, and the fan-out that feeds them."""
