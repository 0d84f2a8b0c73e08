"""Jobs of the disputes app, found by the procrastinate worker's autodiscovery of `tasks`."""

from layers.disputes.imagery import imagery_cog_job

__all__ = ["imagery_cog_job"]
