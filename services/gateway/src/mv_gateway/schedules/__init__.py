"""Schedules: a plan that runs by itself, on a cron expression in a time zone or every N hours,
started exactly once per due time by whichever gateway claims it first (:mod:`.firing`)."""

from .firing import Clock, Fired, Scheduler

__all__ = ["Clock", "Fired", "Scheduler"]
