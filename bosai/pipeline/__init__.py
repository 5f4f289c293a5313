"""Stage workers: ingest (persist raw, then queue) -> classify -> geocode -> incidents, and observe for
official reports, gauges, cameras and evacuation notices.

Each stage reads its items from the store by id, does its work, and writes its results together with the
item's next state in one transaction, so a crash at any point leaves every item in a state from which the next
start resumes it; re-running a stage on an item changes nothing twice. A transaction returns frozen records of
what it committed, and the live events are built from them after the commit (``bosai.pipeline.events``).
"""

from bosai.pipeline.worker import Pipeline

__all__ = ["Pipeline"]
