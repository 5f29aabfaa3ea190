"""Monitor fixtures: the shared runtime, drained of background work before it closes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from parcelguard.audit.bus import InProcessBus
from parcelguard.monitor.consumer import LiveConsumer
from parcelguard.runtime import Runtime


@pytest.fixture
def rt(rt: Runtime, bus: InProcessBus) -> Iterator[Runtime]:
    """Return the runtime; afterwards wait for the bus and the webhook thread to finish, so
    no alert of this test is written while the next one empties the database."""
    yield rt
    bus.drain(10)
    for handler in bus._handlers:
        if isinstance(handler, LiveConsumer):
            handler.close(10)
