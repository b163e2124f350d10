"""Notifications: a project's channels (signed webhooks, Slack incoming webhooks, e-mail), the
messages a test's end queues for them, and the loop that sends them with retries and a log.

Other features reach it only through what is exported here; the history tells it of a test's
end through the hooks the app wires (:class:`Teller`).
"""

from .delivering import Courier
from .telling import Teller

__all__ = ["Courier", "Teller"]
