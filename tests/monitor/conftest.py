"""Monitor fixtures: the shared runtime, drained of background work before it closes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from parcelguard.audit.bus import InProcessBus
from parcelguard.runtime import Runtime


@pytest.fixture
def rt(rt: Runtime, bus: InProcessBus) -> Iterator[Runtime]:
    """Return the runtime; afterwards wait for the bus and the webhook thread to finish, so
    no alert of this test is written while the next one empties the database."""
    yield rt
    bus.drain(10)
    notifier = rt.extras.get("monitor.notifier")
    if notifier is not None:
        notifier.drain(10)
        notifier.close()
